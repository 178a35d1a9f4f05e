"""The forms real CommuniGate clients send to known verbs (issue 20): what the vendor's Perl and
Java clients, CGPCLI and a control-panel plug-in put on the wire, and what they get back."""

from __future__ import annotations

import pytest

from accounts.models import Account
from cgadmin.dataformat import loads
from cli.dispatch import execute
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(postmaster):
    """Run a command line as postmaster; answer (code, data or text)."""

    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


# --- #NULL# in an Update removes the key, as `default` does -------------------------------------------


def test_a_quota_change_with_a_null_real_name_changes_the_quota_and_removes_the_name(run, client1):
    factories.make_account(client1, "u1", RealName="Ann", MaxAccountSize="100M")

    assert run('UpdateAccountSettings u1@client1.test {MaxAccountSize="500M"; RealName=#NULL#;}') == (200, "OK")

    settings = Account.objects.get(name="u1").settings
    assert settings["MaxAccountSize"] == "500M" and "RealName" not in settings


@pytest.mark.parametrize(("update", "read", "key"), [
    ("UpdateDomainSettings client1.test {{{key}=#NULL#;}}", "GetDomainSettings client1.test", "MailToUnknown"),
    ("UpdateAccountDefaults client1.test {{{key}=#NULL#;}}", "GetAccountDefaults client1.test", "MaxAccountSize"),
    ("UpdateAccountTemplate client1.test {{{key}=#NULL#;}}", "GetAccountTemplate client1.test", "MaxAccountSize"),
    ("UpdateServerAccountDefaults {{{key}=#NULL#;}}", "GetServerAccountDefaults", "MaxAccountSize"),
    ("UpdateAccountPrefs u1@client1.test {{{key}=#NULL#;}}", "GetAccountPrefs u1@client1.test", "TimeZone"),
    ("UpdateAccountDefaultPrefs client1.test {{{key}=#NULL#;}}", "GetAccountDefaultPrefs client1.test", "TimeZone"),
    ("UpdateServerAccountPrefs {{{key}=#NULL#;}}", "GetServerAccountPrefs", "TimeZone"),
])
def test_null_removes_the_key_in_every_update(run, client1, update, read, key):
    factories.make_account(client1, "u1")
    set_line = update.replace("#NULL#", "{value}")
    value = {"MailToUnknown": "Rejected", "MaxAccountSize": "200M", "TimeZone": '"Europe/Berlin"'}[key]
    assert run(set_line.format(key=key, value=value))[0] == 200
    assert key in run(read)[1]

    assert run(update.format(key=key))[0] == 200

    assert key not in run(read)[1]


# --- argument forms of the vendor's clients ---------------------------------------------------------------


def test_set_account_password_takes_to_as_the_java_and_perl_clients_send_it(run, client1):
    factories.make_account(client1, "u1")

    assert run('SetAccountPassword u1@client1.test TO "new secret 1"') == (200, "OK")
    assert run('VerifyAccountPassword u1@client1.test PASSWORD "new secret 1"') == (200, "OK")
    assert run("SETACCOUNTPASSWORD u1@client1.test to pa$$word!") == (200, "OK")  # CGPCLI: unquoted
    assert run("VERIFYACCOUNTPASSWORD u1@client1.test PASSWORD pa$$word!") == (200, "OK")
    assert run("SetAccountPassword u1@client1.test PASSWORD Another9 CHECK") == (200, "OK")
    assert run("SetAccountPassword u1@client1.test WITH x")[0] == 500


def test_list_mailboxes_takes_filter_and_auth_as_the_perl_and_python_clients_send_them(run, client1):
    factories.make_account(client1, "u1")
    factories.make_account(client1, "u2")
    for name in ("Sent", "Projects", "Projects/2026", "Projects/2026/Q1"):
        assert run(f'CreateMailbox u1@client1.test MAILBOX "{name}"')[0] == 200

    assert set(run("ListMailboxes u1@client1.test")[1]) == {"INBOX", "Sent", "Projects", "Projects/2026",
                                                           "Projects/2026/Q1"}
    assert set(run("ListMailboxes u1@client1.test FILTER *")[1]) == set(run("ListMailboxes u1@client1.test")[1])
    assert set(run("ListMailboxes u1@client1.test FILTER Projects/%")[1]) == {"Projects/2026"}
    assert set(run('ListMailboxes u1@client1.test FILTER "Projects/*"')[1]) == {"Projects/2026", "Projects/2026/Q1"}
    assert set(run("LISTMAILBOXES u1@client1.test FILTER inbox")[1]) == {"INBOX"}
    code, own = run("ListMailboxes u1@client1.test FILTER % AUTH u1@client1.test")
    assert code == 201 and own["Sent"] == {"Format": "mbox"}
    code, other = run("ListMailboxes u1@client1.test FILTER % AUTH u2@client1.test")
    assert code == 201 and other == {"INBOX": [], "Projects": [], "Sent": []}  # u2 may select none of them
    assert run("ListMailboxes u1@client1.test AUTH nobody@client1.test")[0] == 513


def test_get_account_info_of_a_key_it_does_not_hold_is_an_empty_string(run, client1):
    factories.make_account(client1, "u1")

    assert run("GetAccountInfo u1@client1.test Key NoSuchKey") == (201, "")
    assert run('GetAccountInfo u1@client1.test Key "LastLogin"') == (201, "")  # never logged in
    assert run("GetAccountInfo u1@client1.test (NoSuchKey)") == (201, {})


def test_strings_sent_unescaped_are_read_as_commmunigate_reads_them(run, client1):
    factories.make_account(client1, "u1")

    # the Perl client after login (and CGPCLI) put quotes and backslashes between quotes as they are
    line = 'UpdateAccountSettings u1@client1.test {RealName="Miles O"Brien"; Path="C:\\Mail\\box";}'
    assert run(line) == (200, "OK")

    settings = Account.objects.get(name="u1").settings
    assert settings["RealName"] == 'Miles O"Brien' and settings["Path"] == "C:\\Mail\\box"
    # escaped strings keep their meaning, and text that is no string at all is still refused
    assert run('UpdateAccountSettings u1@client1.test {RealName="a \\"b\\" \\\\ c";}') == (200, "OK")
    assert Account.objects.get(name="u1").settings["RealName"] == 'a "b" \\ c'
    assert run('UpdateAccountSettings u1@client1.test {RealName="open;}')[0] == 500


def test_control_characters_come_back_in_communigates_escapes(run, client1):
    factories.make_account(client1, "u1")
    assert run('UpdateAccountSettings u1@client1.test {Note="a\\tb\\ec\\rd\\001e\\127f";}') == (200, "OK")

    answer = execute("GetAccountSettings u1@client1.test", actor=Account.objects.get(name="postmaster"))

    assert 'Note="a\\tb\\ec\\rd\\001e\\127f";' in answer.data
