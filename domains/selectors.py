"""Reads of domains that do not depend on who asks (those go through realms.access)."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.core.cache import cache

from cgadmin.catalogue import EffectiveValue, Layer, effective, effective_values, effective_with_inherited
from cgadmin.dataformat import Value
from cgadmin.db import prepared_cursor
from cgadmin.errors import AccessDenied
from cgadmin.paging import page_by_key
from domains.models import Domain
from domains.names import lookup_domain_key
from domains.settings_schema import DOMAIN, USING_DNS, PasswordPolicy
from realms.permissions import administered_domains
from server import documents

if TYPE_CHECKING:
    from accounts.models import Account


def find_domain(name: str) -> Domain | None:
    """The domain with this name or alias (any case, Unicode or punycode), or None."""
    key = lookup_domain_key(name)
    domain = Domain.objects.filter(name=key).first()
    if domain is None:
        domain = Domain.objects.filter(aliases__name=key).first()
    return domain


def main_domain() -> Domain:
    return Domain.objects.get(is_main=True)


def main_domain_or_none() -> Domain | None:
    return Domain.objects.filter(is_main=True).first()


def main_domain_name() -> str | None:
    """The Main Domain's name (None before the server is initialized): every login asks it."""
    table, name, is_main = (Domain._meta.db_table, Domain._meta.get_field("name").column,
                           Domain._meta.get_field("is_main").column)
    with prepared_cursor() as cursor:
        cursor.execute(f'SELECT "{name}" FROM "{table}" WHERE "{is_main}" LIMIT 1')
        row = cursor.fetchone()
    return row[0] if row else None


def name_in_use(name: str) -> bool:
    """Whether a domain or a domain alias already has this name."""
    return Domain.objects.filter(name=name).exists() or Domain.objects.filter(aliases__name=name).exists()


def domain_settings_effective(domain: Domain) -> dict[str, EffectiveValue]:
    """Every domain setting with its value and its source: default, server Domain Defaults, explicit."""
    return effective(DOMAIN, [*domain_settings_layers(), Layer("explicit", domain.settings)])


def domain_effective_values(domain: Domain, *, domain_defaults: Mapping[str, Value] | None = None) -> dict[str, Value]:
    """Every domain setting in force (`domain_defaults`: the server's Domain Defaults when the caller
    has read them already, as the queue's router does once a pass)."""
    return effective_values(DOMAIN, [*domain_settings_layers(domain_defaults), Layer("explicit", domain.settings)])


def domain_password_policy(domain: Domain, *, domain_defaults: Mapping[str, Value] | None = None) -> PasswordPolicy:
    """What a typed password must be in the domain (its settings over the server's Domain Defaults)."""
    return PasswordPolicy.of(domain_effective_values(domain, domain_defaults=domain_defaults))


def domain_foldering(domain: Domain) -> str:
    """The Foldering setting in force for the domain (its own, else the server's Domain Defaults)."""
    return foldering_in_force(domain_effective_values(domain))


def foldering_in_force(values: Mapping[str, Value]) -> str:
    """The Foldering of a domain's settings in force (domain_effective_values)."""
    return str(values["Foldering"])


def account_foldering(account: Account) -> str:
    """The Foldering in force where the account lives: its domain's."""
    return domain_foldering(account.domain)


def domain_settings_layers(domain_defaults: Mapping[str, Value] | None = None) -> list[Layer]:
    """What lies under a domain's explicit settings: the server-wide Domain Defaults."""
    if domain_defaults is None:
        domain_defaults = documents.read(documents.DOMAIN_DEFAULTS)
    return [Layer("server defaults", domain_defaults)]


def domain_settings_with_inherited(domain: Domain):
    """(every setting in force with its source, what each would be without the domain's own value)."""
    return effective_with_inherited(DOMAIN, domain_settings_layers(), domain.settings)


def domain_addresses(domain: Domain, looked_up: dict) -> tuple[list[str], bool]:
    """The domain's Assigned IP Addresses and whether they come from DNS (looked_up: Refresh's findings)."""
    listed = domain.settings.get("IPAddresses")
    if listed == USING_DNS:
        return [str(address) for address in looked_up.get(domain.name) or []], True
    return [str(address).strip("[]") for address in listed or []], False


def dns_looked_up_addresses() -> dict:
    """What the last Refresh found for the domains "Using DNS A/MX Records" (name -> addresses)."""
    return documents.read(documents.NETWORK).get("DomainIPs") or {}  # type: ignore[return-value]


def domains_page(actor, wanted):
    """One page of the domains this actor may see, filtered by a part of the name, paged by name."""
    domains = administered_domains(actor).only("name", "is_main", "suspended", "settings", "account_count")
    if wanted.filter:
        domains = domains.filter(name__contains=lookup_domain_key(wanted.filter))
    return page_by_key(domains, wanted)


def visible_domain_names(actor) -> list[str]:
    """The names of the domains this actor may see (ListDomains): all for server readers."""
    return list(administered_domains(actor).order_by("name").values_list("name", flat=True))


def domains_administered_from(domain: Domain) -> list[str]:
    """The domain and the domains that name it as their Administrator Domain (ListAdminDomains dom)."""
    from django.db.models import Q

    names = Domain.objects.filter(Q(pk=domain.pk) | Q(administrator_domain=domain.name)).order_by("name")
    return list(names.values_list("name", flat=True))


def domain_alias_names(domain: Domain) -> list[str]:
    return list(domain.aliases.order_by("name").values_list("name", flat=True))


def server_document_for(actor, name: str):
    """A server-wide defaults dictionary (Domain Defaults, Account Defaults, Default Preferences),
    readable by administrators who may read every domain (DomainsRead, AllDomains, Master)."""
    from realms.permissions import can_read_all_domains
    if not can_read_all_domains(actor):
        raise AccessDenied("not enough access rights: the DomainsRead right is needed")
    return documents.read(name)


REACHED_SECONDS = 10  # a new domain alias or assigned address counts for logins within this time
_NONE = ""  # cached for "the Main Domain's rules", so a miss is remembered too


def domain_reached_at(host: str | None, local_address: str | None) -> str | None:
    """The secondary domain a client reached: the one whose name or alias is the Host it asked for, else
    the one whose Assigned IP Addresses hold the address it connected to (None: the Main Domain's rules).
    Kept in the shared cache for a few seconds, so a script's requests cost no lookup each."""
    name, address = _host_name(host or ""), (local_address or "").strip("[]")
    if not name and not address:
        return None
    key = "domain-reached:" + hashlib.sha256(f"{name}|{address}".encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = _domain_for(name, address) or _NONE
        cache.set(key, found, REACHED_SECONDS)
    return found or None


def _host_name(host: str) -> str:
    """`client1.test:8010` -> `client1.test`; a single label or an address literal (`[::1]:8010`) -> ''."""
    name = host.strip().rstrip(".").lower()
    if name.startswith("["):
        return ""
    name = name.rsplit(":", 1)[0] if name.count(":") == 1 else name
    if "." not in name:
        return ""  # localhost, an intranet name: never a mail domain's, and no query for it
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return name
    return ""


def _domain_for(host: str, address: str) -> str | None:
    domain = find_domain(host) if host else None
    if domain is not None:
        return None if domain.is_main else domain.name
    if not address:
        return None
    looked_up = dns_looked_up_addresses()
    for domain in Domain.objects.filter(is_main=False, settings__contains="IPAddresses").only("name", "settings"):
        if address in domain_addresses(domain, looked_up)[0]:
            return domain.name
    return None
