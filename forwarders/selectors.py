"""Reads of forwarders: by name, the names of a domain, a page of them, those pointing somewhere."""

from __future__ import annotations

from cgadmin.dataformat import Value
from cgadmin.paging import KeyPage, ListRequest
from domains.models import Domain
from domains.namespace import find_named, names_of, page_by_name
from forwarders.models import Forwarder


def find_forwarder(domain: Domain, name: str) -> Forwarder | None:
    """The domain's forwarder of that name (any case), or None."""
    return find_named(Forwarder, domain, name)


def forwarder_names(domain: Domain) -> list[Value]:
    """Every forwarder name of the domain, in name order (ListForwarders)."""
    return names_of(Forwarder, domain)


def forwarders_to(domain: Domain, address: str) -> list[Value]:
    """The names of the domain's forwarders whose target is this address, any case (FindForwarders)."""
    wanted = address.strip().strip("<>").lower()
    names: list[Value] = []
    names += Forwarder.objects.filter(domain=domain, target__iexact=wanted).order_by("name").values_list(
        "name", flat=True)
    return names


def forwarders_page(domain: Domain, wanted: ListRequest) -> KeyPage:
    """One page of the domain's forwarders, by name (the Forwarders page)."""
    return page_by_name(Forwarder.objects.filter(domain=domain).only("name", "target", "domain_id"), wanted)
