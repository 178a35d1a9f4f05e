"""The answers clients match on carry CommuniGate's code and text word for word (cgadmin.errors.ANSWERS):
each failure of the table is provoked over a live listener and its whole answer line compared."""

from __future__ import annotations

import pytest

from cgadmin import errors
from lists.services import list_create
from tests import factories
from tests.cli.live import LineClient, live_cli  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# Every row of errors.ANSWERS, with a command that provokes it (as `user`, the plain account, or the postmaster).
PROVOKED = {
    "unknown command": ("postmaster", "FrobnicateAccount user1"),
    "not enough access rights": ("user", "CreateAccount intruder@client1.test"),
    "unknown domain": ("postmaster", "GetDomainSettings nosuch.test"),
    "unknown account": ("postmaster", "GetAccountSettings nosuch@client1.test"),
    "wrong name or password (login, VerifyAccountPassword)":
        ("postmaster", 'VerifyAccountPassword user@client1.test PASSWORD "wrong"'),
    "account or account alias exists": ("postmaster", "CreateAccount user@client1.test"),
    "domain or domain alias exists": ("postmaster", "CreateDomain client1.test"),
    "mailbox exists": ("postmaster", 'CreateMailbox user@client1.test MAILBOX "INBOX"'),
    "unknown mailing list": ("postmaster", "GetList nosuch@client1.test"),
    "mailing list exists": ("postmaster", "CreateList staff@client1.test FOR user"),  # staff: made below
}


def test_every_answer_of_the_table_is_provoked_here():
    assert {situation for situation, _, _ in errors.ANSWERS} - {"account in use"} == set(PROVOKED)


@pytest.mark.parametrize(("situation", "code", "text"), [row for row in errors.ANSWERS if row[0] in PROVOKED])
def test_a_client_gets_communigates_code_and_text(live_cli, postmaster, client1, situation, code, text):  # noqa: F811
    factories.make_account(client1, "user")
    list_create(actor=None, domain=client1, name="staff", owner="user")
    who, command = PROVOKED[situation]
    with LineClient(live_cli.port) as client:
        if who == "postmaster":
            client.login("postmaster", factories.POSTMASTER_PASSWORD)
        else:
            client.login("user@client1.test", factories.PASSWORD)
        assert client.ask("INLINE") == "200 OK"
        assert client.ask(command) == f"{code} {text}"


def test_a_duplicate_create_account_answers_what_the_control_panel_plugin_compares(live_cli, postmaster, client1):  # noqa: F811
    with LineClient(live_cli.port) as client:
        client.login("postmaster", factories.POSTMASTER_PASSWORD)
        assert client.ask("CreateAccount fred@client1.test") == "200 OK"
        assert client.ask("CREATEACCOUNT fred@client1.test") == "520 account with this name already exists"
        # an alias of another account clashes the same way
        assert client.ask("SetAccountAliases fred@client1.test (freddy)") == "200 OK"
        assert client.ask("CreateAccount freddy@client1.test") == "520 account with this name already exists"


def test_a_wrong_login_answers_the_same_text(live_cli, postmaster):  # noqa: F811
    with LineClient(live_cli.port) as client:
        assert client.ask("USER postmaster").startswith("300 ")
        assert client.ask("PASS wrong") == f"515 {errors.WRONG_PASSWORD}"
