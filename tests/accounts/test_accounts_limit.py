"""AccountsLimit: a domain gets no more accounts than its limit, whether they are created one by
one (WebAdmin, CLI) or imported in a batch."""

from __future__ import annotations

import pytest

from accounts import services as S
from accounts.csvformat import CsvRow
from accounts.models import Account
from cgadmin.errors import GeneralError
from domains.services import domain_defaults_update, domain_update_settings

pytestmark = pytest.mark.django_db


def names(domain) -> list[str]:
    return sorted(Account.objects.filter(domain=domain).values_list("name", flat=True))


def test_no_account_beyond_the_domains_accounts_limit(client1, client2):
    domain_update_settings(actor=None, domain=client1, updates={"AccountsLimit": "2"})
    client1.refresh_from_db()  # as each request finds the domain
    S.account_create(actor=None, domain=client1, name="ann")
    S.account_create(actor=None, domain=client1, name="bob")

    with pytest.raises(GeneralError, match=r"client1.test already has its 2 account\(s\) \(AccountsLimit\)"):
        S.account_create(actor=None, domain=client1, name="cat")

    assert names(client1) == ["ann", "bob"]
    S.account_create(actor=None, domain=client2, name="cat")  # another domain: its own limit (none)
    S.account_delete(actor=None, account=Account.objects.get(domain=client1, name="ann"))
    S.account_create(actor=None, domain=client1, name="cat")  # room again
    assert names(client1) == ["bob", "cat"]


def test_the_limit_from_the_server_wide_domain_defaults(client1):
    domain_defaults_update(actor=None, updates={"AccountsLimit": "1"})
    S.account_create(actor=None, domain=client1, name="ann")

    with pytest.raises(GeneralError, match="AccountsLimit"):
        S.account_create(actor=None, domain=client1, name="bob")


def test_an_import_batch_creates_up_to_the_limit_and_says_why_it_skips_the_rest(client1):
    domain_update_settings(actor=None, domain=client1, updates={"AccountsLimit": "2"})
    client1.refresh_from_db()  # as each request finds the domain
    S.account_create(actor=None, domain=client1, name="ann")
    rows = [CsvRow(line, name, None, None, []) for line, name in ((2, "bob"), (3, "cat"), (4, "dan"))]

    outcomes = S.accounts_create_batch(actor=None, domain=client1, rows=rows)

    assert isinstance(outcomes[0], Account)
    assert outcomes[1:] == ["the domain client1.test already has its 2 account(s) (AccountsLimit)"] * 2
    assert names(client1) == ["ann", "bob"]


def test_the_cli_answers_the_limit(client1, postmaster):
    from cli.session import Session
    from tests import factories

    domain_update_settings(actor=None, domain=client1, updates={"AccountsLimit": "0"})
    session = Session(peer="192.0.2.1", session_id=1, host="mail.example.test")
    assert session.handle(f"AUTH WEBUSER postmaster {factories.POSTMASTER_PASSWORD}").lines == [
        "200 login OK, proceed"]

    answer = session.handle("CreateAccount ann@client1.test").lines[0]

    assert answer.startswith("5") and "AccountsLimit" in answer
    assert names(client1) == []
