"""What the rules verbs, GetAccountPlainPassword and the statistics verbs answer, beyond who may run
them (the permission matrix): rules as clients send them come back in CommuniGate's form."""

from __future__ import annotations

import pytest

from accounts.models import Account
from accounts.services import account_note_login, account_update_settings
from cgadmin.dataformat import loads
from cli.dispatch import execute
from tests import factories
from tests.cli.live import live_cli  # noqa: F401
from tests.cli.perl_wire import PerlWireClient, print_words
from tests.mailqueue.conftest import message, run_queue, submit

pytestmark = pytest.mark.django_db

RULE = '(5, "Junk", ((Subject, is, "*[SPAM]*")), (("Store in", Junk), ("Stop Processing")))'
STORED = ["5", "Junk", [["Subject", "is", "*[SPAM]*"]], [["Store in", "Junk"], ["Stop Processing"]]]


@pytest.fixture
def run(postmaster):
    def run_line(line: str, actor: Account | None = postmaster) -> tuple[int, object]:
        answer = execute(line, actor=actor)
        return answer.code, (loads(answer.data) if answer.data is not None else answer.text)

    return run_line


def test_mail_rules_set_read_update_and_delete(run, client1):
    factories.make_account(client1, "jane")
    assert run(f"SetAccountMailRules jane@client1.test ({RULE})") == (200, "OK")
    assert run("GetAccountMailRules jane@client1.test") == (201, [STORED])

    assert run('UpdateAccountMailRule jane@client1.test (7, "Junk")')[0] == 200
    assert run('UpdateAccountMailRule jane@client1.test (3, "Vacation", (), (("Reply with", "Away")))')[0] == 200
    code, rules = run("GetAccountMailRules jane@client1.test")
    assert [(rule[0], rule[1]) for rule in rules] == [("7", "Junk"), ("3", "Vacation")]

    assert run("UpdateAccountMailRule jane@client1.test DELETE Junk")[0] == 200
    assert run("UpdateAccountMailRule jane@client1.test DELETE Junk")[0] == 200  # absent: nothing to do, no error
    assert [rule[1] for rule in run("GetAccountMailRules jane@client1.test")[1]] == ["Vacation"]
    code, text = run('UpdateAccountMailRule jane@client1.test (4, "Nowhere")')
    assert code == 500 and "no rule named 'Nowhere'" in text


def test_a_bad_rule_is_refused_with_what_is_wrong(run, client1):
    factories.make_account(client1, "jane")
    code, text = run('SetAccountMailRules jane@client1.test ((5, "X", ((Colour, is, red)), ()))')
    assert code == 500 and "unknown condition 'Colour'" in text
    assert run("GetAccountMailRules jane@client1.test") == (201, [])


def test_the_account_itself_is_held_to_its_rules_allowed(run, client1):
    jane = factories.make_account(client1, "jane")
    account_update_settings(actor=None, account=jane, updates={"RulesAllowed": "Filter Only"})
    code, text = run('SetAccountMailRules jane@client1.test ((5, "R", (), (("Redirect to", "x@y.test"))))', actor=jane)
    assert code == 510 and text == "not enough access rights"
    assert run(f"SetAccountMailRules jane@client1.test ({RULE})", actor=jane)[0] == 200


def test_domain_server_and_signal_rules_are_kept_apart(run, client1):
    assert run(f"SetDomainMailRules client1.test ({RULE})")[0] == 200
    assert run('SetServerRules ((2, "Copy", (), (("Mirror to", "archive@client1.test"))))')[0] == 200
    assert run('SetServerSignalRules ((1, "Calls", (), (("Reject"))))')[0] == 200

    assert run("GetDomainMailRules client1.test") == (201, [STORED])
    assert run("GetDomainSignalRules client1.test") == (201, [])
    assert run("GetServerMailRules")[1] == run("GetServerRules")[1] == [
        ["2", "Copy", [], [["Mirror to", "archive@client1.test"]]]]
    assert run("GetServerSignalRules") == (201, [["1", "Calls", [], [["Reject"]]]])


def test_plain_password_only_when_stored_reversibly(run, client1):
    factories.make_account(client1, "clear", PasswordEncryption="clear")
    factories.make_account(client1, "crypted", PasswordEncryption="A-crpt")
    factories.make_account(client1, "hashed")

    assert run("GetAccountPlainPassword clear@client1.test") == (201, factories.PASSWORD)
    assert run("GetAccountPlainPassword crypted@client1.test") == (201, factories.PASSWORD)
    assert run("GetAccountPlainPassword hashed@client1.test") == (201, "")
    code, text = run("GetAccountPlainPassword hashed@client1.test CHECK")
    assert code == 501 and "not stored in a reversible form" in text


def test_account_and_domain_statistics(run, client1, settings, tmp_path):
    from basedir.layout import ensure_layout

    settings.CGATE_BASE = tmp_path
    ensure_layout(tmp_path)
    jane = factories.make_account(client1, "jane")
    factories.make_account(client1, "bob")
    text = message(to="jane@client1.test", sender="bob@client1.test")
    submit(tmp_path, "m1", text)
    submit(tmp_path, "m2", message(to="jane@client1.test", sender="bob@client1.test", message_id="<m2@test>"))
    run_queue()
    account_note_login(jane, interface="CLI", address="192.0.2.1")

    code, stat = run("GetAccountStat jane@client1.test")
    assert code == 201
    assert (stat["MessagesReceived"], stat["BytesReceived"] > 0, stat["Logins"]) == (2, True, 1)
    assert stat["StorageUsed"] >= stat["BytesReceived"]
    assert run("GetAccountStat bob@client1.test KEY MessagesSent") == (201, 2)
    assert run("GetAccountStat jane@client1.test KEY NoSuchKey") == (201, "")
    code, domain = run("GetDomainStat client1.test")
    assert (domain["MessagesReceived"], domain["MessagesSent"], domain["Accounts"]) == (2, 2, 2)
    assert run("GetDomainStat client1.test KEY messagesreceived") == (201, 2)


@pytest.mark.django_db(transaction=True)
def test_the_perl_module_wire_format(live_cli, postmaster, client1):  # noqa: F811
    factories.make_account(client1, "jane")
    perl = PerlWireClient(live_cli.port, "postmaster", factories.POSTMASTER_PASSWORD)
    rule = ["5", "Away", [["Human Generated", "---"]], [["Reply with", "I am away, back on Monday."]]]
    assert perl.command(f"SetAccountMailRules jane@client1.test {print_words([rule])}")
    assert perl.query("GetAccountMailRules jane@client1.test") == [rule]
    assert perl.command('UpdateAccountMailRule jane@client1.test (8, "Away")')
    assert perl.query("GetAccountMailRules jane@client1.test")[0][0] == "8"
    assert perl.command("UpdateAccountMailRule jane@client1.test DELETE Away")
    assert perl.query("GetAccountMailRules jane@client1.test") == []
    assert perl.query("GetAccountStat jane@client1.test KEY MessagesReceived") == "#0"  # a number
    perl.Logout()


def test_set_settings_leaves_the_rules_alone_unless_it_names_them(run, client1):
    factories.make_account(client1, "jane")
    assert run(f"SetAccountMailRules jane@client1.test ({RULE})")[0] == 200
    assert run(f"SetDomainMailRules client1.test ({RULE})")[0] == 200

    assert run("SetAccountSettings jane@client1.test {RealName=Jane;}")[0] == 200
    assert run("SetDomainSettings client1.test {MailToUnknown=Discarded;}")[0] == 200

    assert run("GetAccountMailRules jane@client1.test") == (201, [STORED])
    assert run("GetDomainMailRules client1.test") == (201, [STORED])
    assert Account.objects.get(name="jane").settings["RealName"] == "Jane"


def test_update_account_signal_rule_takes_signal_actions(run, client1):
    factories.make_account(client1, "jane")
    assert run('UpdateAccountSignalRule jane@client1.test (5, "Calls", (), (("Reject")))')[0] == 200
    assert run("GetAccountSignalRules jane@client1.test") == (201, [["5", "Calls", [], [["Reject"]]]])
