"""Test data through the real services: personas, domains and accounts as users create them."""

from __future__ import annotations

from accounts.models import Account
from accounts.services import account_create
from domains.models import Domain
from domains.selectors import main_domain
from domains.services import domain_create, domain_update_settings
from server.services import server_initialize

PASSWORD = "correct horse"
POSTMASTER_PASSWORD = "postmaster-secret"


def initialize_server() -> Account:
    """The first start, as cgserver does it: the Main Domain and postmaster."""
    first = server_initialize(host_name="mail.example.test", postmaster_password=POSTMASTER_PASSWORD)
    assert first is not None
    return first.postmaster


def make_domain(name: str, **settings: object) -> Domain:
    return domain_create(actor=None, name=name, settings=settings or None)


def make_account(domain: Domain | None, name: str, *, rights: list[str] | None = None, **settings: object) -> Account:
    return account_create(
        actor=None, domain=domain or main_domain(), name=name, password=PASSWORD, rights=rights or [],
        settings=settings or None,
    )


def make_domain_admin(domain: Domain, name: str, *rights: str) -> Account:
    return make_account(domain, name, rights=["Domain", *rights])


def administered_by(domain: Domain, admin_domain: Domain) -> Domain:
    """Let admin_domain's CanAdminSubDomains administrators administer domain."""
    domain_update_settings(actor=None, domain=domain, updates={"AdministratorDomainName": admin_domain.name})
    domain.refresh_from_db()
    return domain
