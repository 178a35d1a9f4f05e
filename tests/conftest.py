"""Shared fixtures: a first-started server and the named personas of the permission tests."""

from __future__ import annotations

import base64
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import Account
from cgadmin.oncommit import forget_run_once
from domains.models import Domain
from tests import factories, service_checks


@pytest.fixture(autouse=True)
def _clean_cache():
    """Login counters and other cached state never leak from one test into the next."""
    from realms import basic_cache

    cache.clear()
    basic_cache.clear()
    yield
    cache.clear()
    basic_cache.clear()


@pytest.fixture(autouse=True)
def _service_calls_checked():
    """A service test says what each allowed call audited and marked for the exporter (tests/service_checks.py)."""
    service_checks.PENDING.clear()
    yield
    unchecked = service_checks.unchecked_calls()
    assert not unchecked, f"service calls whose audit or outbox the test never checked: {unchecked}"


@pytest.fixture
def postmaster(db) -> Account:
    return factories.initialize_server()


@pytest.fixture
def main(postmaster) -> Domain:
    return postmaster.domain


@pytest.fixture
def client1(postmaster) -> Domain:
    return factories.make_domain("client1.test")


@pytest.fixture
def client2(postmaster) -> Domain:
    return factories.make_domain("client2.test")


@dataclass
class Personas:
    """Everyone the permission tests ask about, each a real account."""

    postmaster: Account
    settings_admin: Account
    domains_read: Account
    all_domains: Account
    monitor: Account
    directory_admin: Account
    plain_user: Account
    domain_admin_without_right: Account
    domain_admin_with_right: Account
    other_domain_admin: Account
    sub_domain_admin: Account
    client1: Domain
    client2: Domain
    sub_domain: Domain


@pytest.fixture
def personas(postmaster, client1, client2) -> Personas:
    sub = factories.administered_by(factories.make_domain("sub.client1-family.test"), client1)
    return Personas(
        postmaster=postmaster,
        settings_admin=factories.make_account(None, "settingsadmin", rights=["Settings"]),
        domains_read=factories.make_account(None, "reader", rights=["DomainsRead"]),
        all_domains=factories.make_account(None, "alldomains", rights=["AllDomains"]),
        monitor=factories.make_account(None, "monitor", rights=["Monitor"]),
        directory_admin=factories.make_account(None, "diradmin", rights=["Directory"]),
        plain_user=factories.make_account(client1, "user"),
        domain_admin_without_right=factories.make_domain_admin(client1, "weakadmin"),
        domain_admin_with_right=factories.make_domain_admin(
            client1, "admin", "CanCreateAccounts", "CanCreateAliases", "MailToUnknown", "BasicSettings"
        ),
        other_domain_admin=factories.make_domain_admin(client2, "admin", "CanCreateAccounts", "MailToUnknown"),
        sub_domain_admin=factories.make_domain_admin(client1, "parentadmin", "CanAdminSubDomains", "CanCreateAccounts"),
        client1=client1,
        client2=client2,
        sub_domain=sub,
    )


def basic_auth(login: str, password: str = factories.PASSWORD) -> dict[str, str]:
    token = base64.b64encode(f"{login}:{password}".encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def login_name(account: Account) -> str:
    return account.name if account.domain.is_main else account.address


@pytest.fixture
def as_basic():
    """A test client whose every request carries HTTP Basic credentials of the account."""

    def make(account: Account, password: str | None = None) -> Client:
        if password is None:
            password = factories.POSTMASTER_PASSWORD if account.name == "postmaster" else factories.PASSWORD
        return Client(**basic_auth(login_name(account), password))

    return make


@pytest.fixture
def expert():
    """Give an administrator the Expert Interface Type, so pages show every setting."""
    from accounts.services import account_update_webadmin_prefs

    def make(account: Account) -> Account:
        account_update_webadmin_prefs(actor=None, account=account, updates={"InterfaceType": "Expert"})
        account.refresh_from_db()
        return account

    return make


@pytest.fixture
def django_capture_on_commit_callbacks(django_capture_on_commit_callbacks):
    """pytest-django's capture, as if the test's earlier work had committed: the test's outer
    transaction never commits, so a task that work asked to queue once after commit would
    otherwise stand for the block's own request and never be captured."""

    @contextmanager
    def capture(*, using="default", execute=False):
        forget_run_once(using)
        with django_capture_on_commit_callbacks(using=using, execute=execute) as callbacks:
            yield callbacks

    return capture
