"""Reads of domains that do not depend on who asks (those go through realms.access)."""

from domains.models import Domain
from domains.names import lookup_domain_key


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


def name_in_use(name: str) -> bool:
    """Whether a domain or a domain alias already has this name."""
    return Domain.objects.filter(name=name).exists() or Domain.objects.filter(aliases__name=name).exists()


def domain_settings_effective(domain: Domain):
    """Every domain setting with its value and its source: default, server Domain Defaults, explicit."""
    from cgadmin.catalogue import Layer, effective
    from domains.settings_schema import DOMAIN
    from server import documents

    return effective(
        DOMAIN,
        [Layer("server defaults", documents.read(documents.DOMAIN_DEFAULTS)), Layer("explicit", domain.settings)],
    )
