"""The vendor's Perl clients' calls, kept as tests: tests/cli/perl_wire.py speaks CGP::CLI's wire
format (APOP login without fallback, LF line ends, unquoted names, unescaped strings) against a
live listener, making the calls a control-panel plug-in makes every day."""

from __future__ import annotations

import pytest

from accounts.hashers import recover_password
from accounts.models import Account
from tests import factories
from tests.cli.live import live_cli  # noqa: F401
from tests.cli.perl_wire import PerlWireClient, print_words, read_words

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def perl(live_cli, postmaster):  # noqa: F811
    """The first start's postmaster, logged in as the Perl module logs in: APOP or nothing."""
    client = PerlWireClient(live_cli.port, "postmaster", factories.POSTMASTER_PASSWORD)
    assert client.connected, f"Can't login: {client.code} {client.message}"
    yield client
    client.Logout()


def test_the_first_start_postmaster_logs_in_with_apop_out_of_the_box(perl, postmaster):
    assert postmaster.settings["PasswordEncryption"] == "A-crpt"
    assert recover_password(Account.objects.get(pk=postmaster.pk).password) == factories.POSTMASTER_PASSWORD
    assert perl.query("ListDomains") == ["mail.example.test"]


def test_apop_refuses_a_one_way_hash_and_the_perl_client_cannot_log_in(live_cli, postmaster, client1):  # noqa: F811
    factories.make_account(client1, "hashed")
    factories.make_account(client1, "kept", PasswordEncryption="clear")

    refused = PerlWireClient(live_cli.port, "hashed@client1.test", factories.PASSWORD)
    kept = PerlWireClient(live_cli.port, "kept@client1.test", factories.PASSWORD)

    assert (refused.connected, refused.code, refused.message) == (False, 515, "incorrect password or account name")
    assert kept.connected
    kept.Logout()


def test_a_control_panel_provisions_a_domain_and_an_account(perl):
    assert perl.CreateDomain("client7.test", {"MailToUnknown": "Rejected"})
    assert perl.CreateAccount("sales@client7.test", {"Password": "first pass 1", "RealName": "Sales Desk"})
    assert perl.ListAccounts("client7.test") == {"sales": "macnt"}

    # a second CreateAccount of the same name: the plug-in compares this text before cleaning up
    assert not perl.CreateAccount("sales@client7.test", {"Password": "other"})
    assert (perl.code, perl.message) == (520, "account with this name already exists")

    # the quota change a plug-in sends, with RealName cleared by an undef value
    assert perl.UpdateAccountSettings("sales@client7.test", {"MaxAccountSize": "500M", "RealName": None})
    settings = perl.GetAccountSettings("sales@client7.test")
    assert settings["MaxAccountSize"] == "500M" and "RealName" not in settings

    assert perl.SetAccountPassword("sales@client7.test", "second pass 2")
    assert perl.VerifyAccountPassword("sales@client7.test", "second pass 2")
    assert not perl.VerifyAccountPassword("sales@client7.test", "first pass 1")
    assert (perl.code, perl.message) == (515, "incorrect password or account name")

    assert perl.GetAccountInfo("sales@client7.test", "LastLogin") == ""  # never logged in
    assert perl.GetDomainSettings("client7.test")["MailToUnknown"] == "Rejected"

    assert perl.DeleteAccount("sales@client7.test")
    assert not perl.DeleteAccount("sales@client7.test")
    assert (perl.code, perl.message) == (513, "unknown user account")
    assert not perl.GetDomainSettings("nowhere.test")
    assert (perl.code, perl.message) == (512, "unknown domain name")


def test_mailboxes_created_and_listed_with_filter_and_auth(perl, client1):
    assert perl.CreateAccount("box@client1.test")
    assert perl.CreateMailbox("box@client1.test", "Projects/2026")

    listed = perl.ListMailboxes("box@client1.test", filter="*", auth="box@client1.test")

    assert set(listed) == {"INBOX", "Projects/2026"}
    assert set(perl.ListMailboxes("box@client1.test", filter="%")) == {"INBOX"}


def test_strings_the_perl_client_sends_unescaped_are_stored_as_meant(perl, client1):
    assert perl.CreateAccount("quote@client1.test")
    assert print_words('Miles O"Brien') == '"Miles O"Brien"'  # what goes on the wire

    assert perl.UpdateAccountSettings("quote@client1.test", {"RealName": 'Miles O"Brien', "Home": "C:\\Mail\\box",
                                                             "Note": "tab\there"})

    stored = Account.objects.get(name="quote").settings
    assert (stored["RealName"], stored["Home"], stored["Note"]) == ('Miles O"Brien', "C:\\Mail\\box", "tab\there")
    back = perl.GetAccountSettings("quote@client1.test")
    # read back with translation off, as the module does: escapes of quotes and backslashes kept
    assert back["RealName"] == 'Miles O\\"Brien' and back["Home"] == "C:\\\\Mail\\\\box"
    assert back["Note"] == "tab\\there"


def test_the_reader_decodes_as_the_module_does():
    assert read_words('{a="x\\"y"; b=(c, "d e"); n="\\001";}') == {"a": 'x\\"y', "b": ["c", "d e"], "n": "\x01"}
