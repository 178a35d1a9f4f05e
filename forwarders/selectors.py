"""Reads of forwarders: by name, the names of a domain, a page of them, those pointing somewhere."""

from __future__ import annotations

from cgadmin.dataformat import Value
from domains.models import Domain
from forwarders.models import Forwarder

MAX_PAGE = 10_000


def find_forwarder(domain: Domain, name: str) -> Forwarder | None:
    """The domain's forwarder of that name (any case), or None."""
    found = Forwarder.objects.filter(domain=domain, name=name.strip().lower()).first()
    if found is not None:
        found.domain = domain
    return found


def forwarder_names(domain: Domain) -> list[Value]:
    """Every forwarder name of the domain, in name order (ListForwarders)."""
    names: list[Value] = []
    names += Forwarder.objects.filter(domain=domain).order_by("name").values_list("name", flat=True)
    return names


def forwarders_to(domain: Domain, address: str) -> list[Value]:
    """The names of the domain's forwarders whose target is this address, any case (FindForwarders)."""
    wanted = address.strip().strip("<>").lower()
    names: list[Value] = []
    names += Forwarder.objects.filter(domain=domain, target__iexact=wanted).order_by("name").values_list(
        "name", flat=True)
    return names


def forwarders_page(domain: Domain, *, after: str = "", limit: int = 50, contains: str = "") -> list[Forwarder]:
    """Up to limit + 1 forwarders after `after` in name order (the extra one says more follow); by key."""
    found = Forwarder.objects.filter(domain=domain, name__gt=after.lower())
    if contains:
        found = found.filter(name__contains=contains.strip().lower())
    return list(found.order_by("name")[: limit + 1])


def forwarder_count(domain: Domain) -> int:
    """How many forwarders the domain has."""
    return Forwarder.objects.filter(domain=domain).count()
