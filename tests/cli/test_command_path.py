"""What one command costs on the hot path of a logged-in session: database queries and cache
round trips per command (the bench measures the rate; these counts keep it from creeping back)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cli.session import Session
from logs import stats
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(postmaster, client1, settings) -> Session:
    settings.CLI_RECHECK_SECONDS = 3600  # the once-a-second re-read of the account is counted apart
    factories.make_account(client1, "u1", RealName="Ann")
    factories.make_domain_admin(client1, "admin", "BasicSettings")
    s = Session(peer="192.0.2.1", session_id=1, host="mail.example.test")
    assert s.handle(f"AUTH WEBUSER postmaster {factories.POSTMASTER_PASSWORD}").lines == ["200 login OK, proceed"]
    s.handle("INLINE")
    s.handle("GetAccountSettings u1@client1.test")  # warm the per-process caches (server strings, log levels)
    return s


@pytest.mark.parametrize(("command", "queries"), [
    ("NOOP", 0),
    ("ECHO {a=(b, #12);}", 0),
    ("GetAccountSettings u1@client1.test", 1),  # the account with its domain, one indexed join
    ("GetAccountRights u1@client1.test", 1),
    ("GetDomainSettings client1.test", 1),
    ("ListDomains", 1),
])
def test_read_commands_cost_at_most_one_query(session, command, queries):
    with CaptureQueriesContext(connection) as captured:
        for _ in range(5):
            assert session.handle(command).lines[0].startswith(("200 ", "201 "))

    assert len(captured) == 5 * queries, [query["sql"][:120] for query in captured]


def test_an_account_named_by_an_alias_of_its_domain_is_still_found(session, client1):
    from domains.services import domain_set_aliases

    domain_set_aliases(actor=None, domain=client1, aliases=["alias1.test"])

    assert session.handle("GetAccountSettings u1@alias1.test").lines[0].startswith("201 {")


def test_the_session_rereads_its_account_once_per_recheck_period(session, settings):
    settings.CLI_RECHECK_SECONDS = 0

    with CaptureQueriesContext(connection) as captured:
        session.handle("NOOP")

    assert len(captured) == 1  # the re-read that makes KillAccountSessions and rights changes count


def test_commands_are_counted_without_a_cache_round_trip_each(session, monkeypatch):
    stats.flush()
    before = stats.value("cli.commands")
    monkeypatch.setattr(stats, "_flushed_at", float("inf"))  # inside the flush period from now on

    for _ in range(50):
        session.handle("NOOP")
    assert stats.value("cli.commands") == before

    stats.flush()
    assert stats.value("cli.commands") == before + 50


def test_the_account_lookup_written_once_reads_what_the_orm_reads(postmaster, client1):
    from accounts.models import Account
    from accounts.selectors import find_account
    from accounts.services import account_kill_sessions
    from domains.services import domain_update_settings

    account = factories.make_account(client1, "u1", RealName="Zoë", Count=12, NumberAsText="12",
                                     Nested={"a": ["b", 3]}, rights=["Domain", "BasicSettings"])
    account_kill_sessions(actor=None, account=account)  # a timestamp column set
    domain_update_settings(actor=None, domain=client1, updates={"WebBanner": "hi", "AdministratorDomainName": "x.test"})

    found = find_account("CLIENT1.test", " U1 ")
    orm = Account.objects.select_related("domain").get(pk=account.pk)

    def values(instance):
        return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}

    assert values(found) == values(orm) and values(found.domain) == values(orm.domain)
    assert found.settings["Count"] == 12 and found.settings["NumberAsText"] == "12"
    assert found.sessions_valid_after is not None and found.rights == ["Domain", "BasicSettings"]
    assert found._state.adding is False and found.check_password(factories.PASSWORD)
    with CaptureQueriesContext(connection) as captured:
        assert found.domain.name == "client1.test"
    assert len(captured) == 0  # the domain came with the account
    assert find_account("client1.test", "nobody") is None and find_account("nowhere.test", "u1") is None
