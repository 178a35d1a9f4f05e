"""A CLI session ends, as a WebAdmin session does, once its account can no longer log in that way
(issue 16, item 5): disabled (AccessModes None), its password changed by someone else, its domain
suspended, removed, or KillAccountSessions; a change of its rights applies to its next command.
Over the real listener."""

from __future__ import annotations

import time

import pytest

from accounts.models import Account
from accounts.services import (
    account_delete,
    account_kill_sessions,
    account_set_password,
    account_set_rights,
    account_update_settings,
)
from domains.services import account_defaults_update, domain_suspend
from tests import factories
from tests.cli.live import LineClient, live_cli  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
ENDED = "510 the session was ended by an administrator"


@pytest.fixture
def server(live_cli, postmaster, client1):  # noqa: F811
    return live_cli


def _disable(account: Account) -> None:
    account_update_settings(actor=None, account=account, updates={"AccessModes": "None"})


def _new_password(account: Account) -> None:
    account_set_password(actor=None, account=account, password="changed-by-admin")


def _disable_by_domain_defaults(account: Account) -> None:
    account_defaults_update(actor=None, domain=account.domain, updates={"AccessModes": "None"})


CHANGES = {
    "disabled": _disable,
    "password changed": _new_password,
    "disabled by its domain's Account Defaults": _disable_by_domain_defaults,
    "domain suspended": lambda account: domain_suspend(actor=None, domain=account.domain),
    "KillAccountSessions": lambda account: account_kill_sessions(actor=None, account=account),
    "removed": lambda account: account_delete(actor=None, account=account),
}


@pytest.mark.parametrize("change", CHANGES)
def test_the_session_of_an_account_that_can_no_longer_log_in_ends(change, server, client1):
    account = factories.make_account(client1, "scripted", rights=["Domain", "CanCreateAccounts"])
    with LineClient(server.port) as client:
        client.login("scripted@client1.test", factories.PASSWORD)
        assert client.ask("CreateAccount one@client1.test") == "200 OK"

        CHANGES[change](account)

        assert client.ask("CreateAccount two@client1.test") == ENDED
        assert client.closed_by_server()
    assert not Account.objects.filter(name="two").exists()


def test_its_own_newpass_keeps_the_session(server, client1):
    factories.make_account(client1, "changer")
    with LineClient(server.port) as client:
        client.login("changer@client1.test", factories.PASSWORD)

        assert client.ask("NEWPASS a-new-secret") == "200 OK"

        assert client.ask("NOOP") == "200 OK"


def test_revoked_rights_apply_to_the_next_command(server, postmaster):
    admin = factories.make_account(None, "provisioner", rights=["AllDomains"])
    with LineClient(server.port) as client:
        client.login("provisioner", factories.PASSWORD)
        assert client.ask("CreateDomain first.test") == "200 OK"

        account_set_rights(actor=None, account=admin, rights=[])

        assert client.ask("CreateDomain second.test").startswith("510 ")


def test_with_the_production_recheck_period_it_ends_within_a_second(server, client1, settings):
    settings.CLI_RECHECK_SECONDS = 1.0
    account = factories.make_account(client1, "slow")
    with LineClient(server.port) as client:
        client.login("slow@client1.test", factories.PASSWORD)
        _disable(account)
        time.sleep(1.05)  # the period the account is re-read at, not a measured duration

        assert client.ask("NOOP") == ENDED
