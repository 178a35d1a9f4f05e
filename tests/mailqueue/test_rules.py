"""Automated Rules in the queue: server rules when a message is first routed, domain then account
rules at local delivery; each action and condition as a user relies on it."""

from __future__ import annotations

import mailbox as pymailbox

import pytest

from basedir import paths
from cgadmin.dataformat import loads
from domains.selectors import account_foldering
from mailqueue import mboxrd
from mailqueue.models import QueuedMessage, QueueRecipient
from mailrules.models import RepliedAddress
from mailrules.services import account_rules_set, account_subset_remove, domain_rules_set, server_rules_set
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


def rules(text: str) -> list:
    return loads(f"({text})")  # type: ignore[return-value]


def box(account, name: str) -> list[bytes]:
    found = account.mailboxes.filter(name=name).first()
    if found is None:
        return []
    path = paths.mailbox_path(found, account_foldering(account))
    if path.is_dir():
        maildir = pymailbox.Maildir(str(path), factory=None, create=False)
        return [maildir.get_bytes(key) for key in maildir.iterkeys()]
    return [stored.message for stored in mboxrd.read_messages(path)] if path.exists() else []


def queued_to(address: str) -> list[QueuedMessage]:
    return [row.message for row in QueueRecipient.objects.select_related("message").filter(address=address)]


@pytest.fixture
def jane(client1):
    return make_account(client1, "jane")


def test_store_in_puts_the_message_in_that_mailbox_created_when_missing(base, jane):
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Spam", ((Subject, is, "*[SPAM]*")), (("Store in", Junk)))'))
    spam = message(subject="Buy now [SPAM]", message_id="<s@test>")
    ham = message(subject="Lunch?", message_id="<h@test>")
    submit(base, "s", spam)
    submit(base, "h", ham)

    run_queue()

    assert box(jane, "Junk") == [spam.encode()]
    assert inbox_messages(jane) == [ham.encode()]
    assert QueueRecipient.objects.filter(state=QueueRecipient.DELIVERED).count() == 2


def test_discard_drops_the_copy_without_a_report(base, jane):
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Noise", ((From, is, "*@noise.example")), (("Discard")))'))
    submit(base, "m", message(sender="ads@noise.example"))

    run_queue()

    assert inbox_messages(jane) == []
    row = QueueRecipient.objects.get(address="jane@client1.test")
    assert row.state == QueueRecipient.FAILED and "discarded" in row.reason
    assert QueuedMessage.objects.filter(is_report=True).count() == 0


def test_reject_with_fails_the_copy_with_a_report_to_the_sender(base, jane, dns):
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Big", (("Message Size", "greater than", "1K")), (("Reject with", "Too big for me")))'))
    submit(base, "m", message(sender="bob@remote.example", body="x" * 2000))

    run_queue()

    assert inbox_messages(jane) == []
    assert "Too big for me" in QueueRecipient.objects.get(address="jane@client1.test").reason
    report = queued_to("bob@remote.example")[0]
    assert report.is_report


def test_redirect_to_sends_the_message_on_and_keeps_the_copy(base, client1, jane):
    boss = make_account(client1, "boss")
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "To boss", ((To, is, "jane@*")), (("Redirect to", "boss@client1.test")))'))
    text = message(subject="Report")
    submit(base, "m", text)

    run_queue()

    assert inbox_messages(jane) == [text.encode()]
    redirected = inbox_messages(boss)
    assert len(redirected) == 1 and redirected[0].endswith(text.encode())
    assert redirected[0].startswith(b"Resent-From: <jane@client1.test>")


def test_redirect_then_discard_keeps_no_copy(base, client1, jane):
    boss = make_account(client1, "boss")
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "All to boss", (), (("Redirect to", "boss@client1.test"), ("Discard")))'))
    submit(base, "m", message())

    run_queue()

    assert inbox_messages(jane) == [] and len(inbox_messages(boss)) == 1


def test_two_accounts_redirecting_to_each_other_stop(base, client1, jane):
    boss = make_account(client1, "boss")
    account_rules_set(actor=None, account=jane, rules=rules('(5, "R", (), (("Redirect to", "boss@client1.test")))'))
    account_rules_set(actor=None, account=boss, rules=rules('(5, "R", (), (("Redirect to", "jane@client1.test")))'))
    submit(base, "m", message())

    run_queue()

    assert QueuedMessage.objects.filter(state=QueuedMessage.QUEUED).count() == 0
    assert 5 <= len(inbox_messages(jane)) <= 12


def test_forward_to_sends_a_new_message_with_the_original_attached(base, client1, jane):
    boss = make_account(client1, "boss")
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Fwd", ((Subject, in, "*invoice*,*receipt*")), (("Forward to", "boss@client1.test")))'))
    text = message(subject="Your receipt")
    submit(base, "m", text)

    run_queue()

    forwarded = inbox_messages(boss)
    assert len(forwarded) == 1
    assert b"Subject: Fwd: Your receipt" in forwarded[0] and b"Content-Type: message/rfc822" in forwarded[0]
    assert forwarded[0].endswith(text.encode())
    assert QueuedMessage.objects.get(subject="Fwd: Your receipt").sender == "jane@client1.test"


def test_reply_with_answers_once_a_day_per_sender(base, client1, jane, dns):
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Away", (("Human Generated", "---")), (("Reply with", "I am away until Monday.")))'))
    for n in range(3):
        submit(base, f"m{n}", message(sender="bob@remote.example", message_id=f"<m{n}@test>"))
        run_queue()

    replies = queued_to("bob@remote.example")
    assert len(replies) == 1
    assert replies[0].sender == "" and replies[0].subject == "Re: Hello"
    assert len(inbox_messages(jane)) == 3
    assert RepliedAddress.objects.get(account=jane).address == "bob@remote.example"

    account_subset_remove(actor=None, account=jane, subset="RepliedAddresses")  # forget: the next one is answered
    submit(base, "again", message(sender="bob@remote.example", message_id="<again@test>"))
    run_queue()
    assert len(queued_to("bob@remote.example")) == 2


@pytest.mark.parametrize("extra", ["Auto-Submitted: auto-replied\n", "Precedence: bulk\n", "List-Id: <l.example>\n"])
def test_reply_with_never_answers_automatic_or_bulk_mail(base, jane, dns, extra):
    account_rules_set(actor=None, account=jane, rules=rules('(5, "Away", (), (("Reply with", "Away.")))'))
    submit(base, "m", message(sender="bob@remote.example", extra=extra))

    run_queue()

    assert queued_to("bob@remote.example") == [] and len(inbox_messages(jane)) == 1


def test_reply_with_never_answers_an_empty_sender(base, jane):
    account_rules_set(actor=None, account=jane, rules=rules('(5, "Away", (), (("Reply with", "Away.")))'))
    submit(base, "m", "Return-Path: <>\n" + message(sender="daemon@remote.example"))

    run_queue()

    assert QueuedMessage.objects.count() == 1 and len(inbox_messages(jane)) == 1


def test_stop_processing_ends_the_rules_higher_priority_first(base, jane):
    account_rules_set(actor=None, account=jane, rules=rules(
        '(2, "Low", (), (("Store in", Later))), (9, "High", ((Subject, "is not", "*urgent*")), '
        '(("Store in", Now), ("Stop Processing")))'))
    submit(base, "m", message(subject="tea"))
    submit(base, "u", message(subject="urgent fix", message_id="<u@test>"))

    run_queue()

    assert len(box(jane, "Now")) == 1 and len(box(jane, "Later")) == 1
    assert b"urgent" in box(jane, "Later")[0]


def test_header_field_and_any_recipient_conditions(base, client1, jane):
    make_account(client1, "team")
    account_rules_set(actor=None, account=jane, rules=rules(
        '(5, "Spam", (("Header Field", is, "X-Spam-Flag: YES")), (("Store in", Junk))),'
        '(4, "Team", (("Any Recipient", is, "team@*")), (("Store in", Team)))'))
    submit(base, "s", message(extra="X-Spam-Flag: yes\n", message_id="<s@test>"))
    submit(base, "t", message(to="jane@client1.test, team@client1.test", message_id="<t@test>"))
    submit(base, "o", message(message_id="<o@test>"))

    run_queue()

    assert len(box(jane, "Junk")) == 1 and len(box(jane, "Team")) == 1 and len(inbox_messages(jane)) == 1


def test_domain_rules_run_before_the_account_rules(base, client1, jane):
    domain_rules_set(actor=None, domain=client1, rules=rules(
        '(5, "Quarantine", ((Subject, is, "*virus*")), (("Store in", Quarantine), ("Stop Processing")))'))
    account_rules_set(actor=None, account=jane, rules=rules('(9, "All", (), (("Store in", Mine)))'))
    submit(base, "v", message(subject="a virus", message_id="<v@test>"))
    submit(base, "o", message(subject="other", message_id="<o@test>"))

    run_queue()

    assert len(box(jane, "Quarantine")) == 1 and len(box(jane, "Mine")) == 1


def test_rules_allowed_skips_what_it_does_not_allow_at_delivery(base, client1, jane):
    boss = make_account(client1, "boss")
    account_rules_set(actor=None, account=jane, rules=rules('(5, "R", (), (("Redirect to", "boss@client1.test")))'))
    from accounts.services import account_update_settings

    account_update_settings(actor=None, account=jane, updates={"RulesAllowed": "Filter Only"})
    submit(base, "m", message())

    run_queue()

    assert len(inbox_messages(jane)) == 1 and inbox_messages(boss) == []


def test_server_rules_run_once_when_the_message_is_first_routed(base, client1, jane):
    boss = make_account(client1, "boss")
    server_rules_set(actor=None, rules=rules(
        '(5, "Copy", ((From, is, "bob@*")), (("Mirror to", "boss@client1.test"))),'
        '(4, "Block", ((Subject, is, "*casino*")), (("Discard")))'))
    submit(base, "m", message(to="jane@client1.test, nobody@remote.example"))
    submit(base, "c", message(sender="eve@client1.test", subject="casino night", message_id="<c@test>"))

    run_queue()
    from mailqueue.models import QueueRecipient as Q

    Q.objects.filter(address="nobody@remote.example").update(next_attempt=Q.objects.get(
        address="nobody@remote.example").done_at or QueuedMessage.objects.first().received)
    run_queue()  # the remote copy is routed again: the server rules do not run a second time

    assert len(inbox_messages(jane)) == 1 and len(inbox_messages(boss)) == 1
    casino = QueueRecipient.objects.get(message__subject="casino night")
    assert casino.state == QueueRecipient.FAILED and "discarded by a server rule" in casino.reason


def test_server_rule_reject_with_fails_every_copy(base, jane, dns):
    server_rules_set(actor=None, rules=rules(
        '(5, "No exe", (("Header Field", is, "Content-Type: *application/x-msdownload*")), '
        '(("Reject with", "executables are refused")))'))
    submit(base, "m", message(sender="bob@remote.example", extra="Content-Type: application/x-msdownload\n"))

    run_queue()

    assert inbox_messages(jane) == []
    assert "executables are refused" in QueueRecipient.objects.get(address="jane@client1.test").reason
    assert queued_to("bob@remote.example")[0].is_report
