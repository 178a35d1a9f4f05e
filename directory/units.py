"""Directory units: the Local Unit (custom records) and one unit per domain.

A unit is named by its key: LOCAL_UNIT for the Local Unit, the domain's name for a domain's unit.
LOCAL_UNIT starts with "_", which no domain name may hold, so the two never clash."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from cgadmin.catalogue import Layer, effective_values
from cgadmin.errors import NotFound
from domains.models import Domain
from domains.names import lookup_domain_key
from domains.settings_schema import DOMAIN
from server import documents

LOCAL_UNIT = "_local"
LOCAL_UNIT_TITLE = gettext_noop("Local Unit")  # translated where pages show it
CENTRAL_DIRECTORY = "CentralDirectory"
KEEP_IN_SYNC = "Keep in Sync"
DONT_UPDATE = "Don't Update"


@dataclass(frozen=True)
class Unit:
    key: str
    domain: Domain | None  # None: the Local Unit

    @property
    def is_local(self) -> bool:
        return self.domain is None

    @property
    def title(self) -> str:
        return LOCAL_UNIT_TITLE if self.domain is None else self.domain.name


def local_unit() -> Unit:
    return Unit(LOCAL_UNIT, None)


def domain_unit(domain: Domain) -> Unit:
    return Unit(domain.name, domain)


def find_unit(key: str, *, exact: bool = False) -> Unit | None:
    """The unit with this key (a domain's unit by the domain's name, in any case or in punycode
    unless exact), or None."""
    if key == LOCAL_UNIT:
        return local_unit()
    domain = Domain.objects.filter(name=key if exact else lookup_domain_key(key)).first()
    return domain_unit(domain) if domain is not None else None


def get_unit(key: str) -> Unit:
    unit = find_unit(key)
    if unit is None:
        raise NotFound(f"unknown directory unit {key!r}", field="unit")
    return unit


def server_default_integration() -> str:
    """CentralDirectory as the server-wide Domain Defaults set it (or the catalogue's default)."""
    values = effective_values(DOMAIN, [Layer("server defaults", documents.read(documents.DOMAIN_DEFAULTS))])
    return str(values[CENTRAL_DIRECTORY])


def integration(domain: Domain, server_default: str | None = None) -> str:
    """The domain's CentralDirectory setting in force: its own value, else the Domain Defaults'."""
    explicit = domain.settings.get(CENTRAL_DIRECTORY)
    if explicit is not None:
        return str(explicit)
    return server_default if server_default is not None else server_default_integration()


def kept_in_sync(domain: Domain, server_default: str | None = None) -> bool:
    return integration(domain, server_default) == KEEP_IN_SYNC


def kept_in_sync_now(domain: Domain, server_default: str | None = None) -> bool:
    """kept_in_sync with the domain's settings as committed now: a caller's Domain object may
    predate a change of its CentralDirectory setting."""
    settings = Domain.objects.filter(pk=domain.pk).values_list("settings", flat=True).first()
    committed = Domain(name=domain.name)
    committed.settings = settings or {}
    return kept_in_sync(committed, server_default)
