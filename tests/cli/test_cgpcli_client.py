"""A real client: the CGPCLI package from PyPI (a Python client written for CommuniGate) against a
live listener on the test database.

CGPCLI's quirks, which the server has to live with (and the README lists): it sends verbs in
upper case and keywords in any case (`RENAMEACCOUNT a into b`), ends lines with a bare LF, reads
the 3-digit code with one recv(4) and then the rest byte by byte up to CRLF (so every answer
must come in one write and end in CRLF), always switches to INLINE, never sends the account type
of create_account, and writes strings between quotes without escaping anything: a quote or a
backslash must be given to it already escaped, and it hands strings back still escaped, so a
script gets back exactly what it sent."""

from __future__ import annotations

import datetime

import pytest
from CGPCLI import Server
from CGPCLI.Errors import CommandFailedError, FailedLogin

from accounts.models import Account
from domains.models import Domain
from tests import factories
from tests.cli.live import live_cli  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cgp(live_cli, postmaster, client1):  # noqa: F811
    server = Server("127.0.0.1", live_cli.port)
    server.connect()
    server.login("postmaster", factories.POSTMASTER_PASSWORD)
    yield server
    server.disconnect()


def body(answer: dict):
    assert answer["header"] in ("200", "201"), answer
    return answer["body"]


def test_cgpcli_logs_in_lists_creates_and_renames(cgp):
    assert body(cgp.list_domains()) == ["client1.test", "mail.example.test"]
    assert body(cgp.main_domain_name()) == "mail.example.test"

    body(cgp.create_domain("client2.test", settings={"MailToUnknown": "Rejected"}))
    body(cgp.rename_domain("client2.test", "client3.test"))
    body(cgp.create_account("alice@client3.test", settings={"RealName": "Alice Liddell"}))
    body(cgp.rename_account("alice@client3.test", "alicia@client3.test"))

    assert body(cgp.list_domains()) == ["client1.test", "client3.test", "mail.example.test"]
    assert body(cgp.list_accounts("client3.test")) == {"alicia": "macnt"}
    assert body(cgp.get_account_settings("alicia@client3.test"))["RealName"] == "Alice Liddell"
    assert Domain.objects.get(name="client3.test").settings["MailToUnknown"] == "Rejected"


def test_cgpcli_gets_back_the_settings_it_sent(cgp):
    body(cgp.create_account("bob@client1.test"))
    sent = {
        "RealName": "Zoë Ærøskøbing, 東京 — «ok»",
        "Quoted": 'say \\"hello\\" twice',  # CGPCLI does not escape: the caller does
        "Path": "C:\\\\Users\\\\bob\\\\mail",
        "Count": 12,
        "Negative": -7,
        "NumberAsText": "12",
        "When": datetime.datetime(2026, 11, 28, 22, 15, 30),
        "Nested": {"Level1": {"Level2": ["a b", 3, {"Deep": "ü"}]}, "Empty": {}},
        "List": ["x", "y z"],
    }

    body(cgp.update_account_settings("bob@client1.test", sent))
    got = body(cgp.get_account_settings("bob@client1.test"))

    assert {key: got[key] for key in sent} == sent
    stored = Account.objects.get(name="bob").settings
    assert stored["Quoted"] == 'say "hello" twice'  # what the server understood
    assert stored["Path"] == "C:\\Users\\bob\\mail"
    assert stored["Count"] == 12 and stored["NumberAsText"] == "12"
    assert stored["When"] == datetime.datetime(2026, 11, 28, 22, 15, 30)


def test_cgpcli_replaces_settings_and_reads_single_ones(cgp):
    body(cgp.create_account("carol@client1.test"))
    body(cgp.set_account_settings("carol@client1.test", {"RealName": "Carol Ünsal"}))

    assert body(cgp.get_account_settings("carol@client1.test")) == {"RealName": "Carol Ünsal"}
    assert body(cgp.get_account_setting("carol@client1.test", "RealName")) == "Carol Ünsal"


def test_cgpcli_sees_errors_as_exceptions_with_the_code(cgp):
    with pytest.raises(CommandFailedError, match="'header': '520'"):
        cgp.create_domain("client1.test")
    with pytest.raises(CommandFailedError, match="'header': '512'"):
        cgp.get_domain_settings("nowhere.test")


def test_cgpcli_wrong_password_raises_failed_login(live_cli, postmaster):  # noqa: F811
    server = Server("127.0.0.1", live_cli.port)
    server.connect()
    with pytest.raises(FailedLogin):
        server.login("postmaster", "not-the-password")
    server.disconnect()


def test_cgpcli_names_the_logged_in_account_with_a_star(cgp):
    body(cgp.update_account_settings("postmaster", {"RealName": "Post Master"}))

    assert body(cgp.get_account_settings("*"))["RealName"] == "Post Master"  # sent unquoted: GETACCOUNTSETTINGS *
    assert body(cgp.get_account_info("*")) == body(cgp.get_account_info("postmaster"))
