"""The account settings the queue applies to a sender and to a recipient beyond MaxMessageSize and
the quota: MaxMailOutSize, MailOutFlow and MailInpFlow, through the real queue (Submitted/ ->
pickup -> delivery)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import account_update_settings
from mailqueue.models import QueuedMessage, QueueRecipient
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


def send(base, count: int, *, sender: str = "bob@client1.test", to: str = "jane@client1.test",
         body: str = "Hi.\n", prefix: str = "m") -> None:
    for number in range(count):
        submit(base, f"{prefix}{number}", message(sender=sender, to=to, body=body,
                                                  message_id=f"<{prefix}{number}@test>"))
    run_queue()


def regular(address: str) -> list[QueueRecipient]:
    return list(QueueRecipient.objects.filter(address=address, kind=QueueRecipient.REGULAR,
                                              message__is_report=False).order_by("message_id"))


def reports_to(account) -> list[bytes]:
    return [item for item in inbox_messages(account) if b"MAILER-DAEMON@" in item]


def test_max_mail_out_size_refuses_a_larger_message_of_the_sender_with_a_report(base, client1):
    bob = make_account(client1, "bob", MaxMailOutSize="1K")
    jane = make_account(client1, "jane", MaxMailOutSize="1K")  # her own limit is about what she sends

    send(base, 1, body="x" * 2000 + "\n", prefix="big")
    send(base, 1, body="small\n", prefix="small")

    big, small = regular("jane@client1.test")
    assert big.state == QueueRecipient.FAILED and "MaxMailOutSize" in big.reason
    assert small.state == QueueRecipient.DELIVERED
    assert len(inbox_messages(jane)) == 1
    (report,) = reports_to(bob)
    assert b"MaxMailOutSize" in report


def test_max_mail_out_size_does_not_touch_mail_from_other_senders(base, client1, dns):
    make_account(client1, "bob", MaxMailOutSize="1K")
    jane = make_account(client1, "jane")

    send(base, 1, sender="someone@remote.example", body="x" * 2000 + "\n")

    assert len(inbox_messages(jane)) == 1


def test_mail_out_flow_refuses_messages_beyond_n_per_period(base, client1):
    bob = make_account(client1, "bob", MailOutFlow=["2", "1h"])
    jane = make_account(client1, "jane")

    send(base, 3)

    states = [row.state for row in regular("jane@client1.test")]
    assert states == [QueueRecipient.DELIVERED, QueueRecipient.DELIVERED, QueueRecipient.FAILED]
    assert "MailOutFlow" in regular("jane@client1.test")[2].reason
    assert len(inbox_messages(jane)) == 2
    (report,) = reports_to(bob)
    assert b"MailOutFlow" in report

    # An hour later the earlier messages are out of the period: the account may send again, and the
    # refused one never counted.
    QueuedMessage.objects.filter(sender="bob@client1.test").update(received=timezone.now() - timedelta(hours=2))
    send(base, 2, prefix="later")
    assert len(inbox_messages(jane)) == 4


def test_mail_out_flow_unlimited_by_default(base, client1):
    make_account(client1, "bob")
    jane = make_account(client1, "jane")

    send(base, 5)

    assert len(inbox_messages(jane)) == 5


def test_mail_inp_flow_keeps_messages_beyond_n_per_period_waiting(base, client1):
    jane = make_account(client1, "jane", MailInpFlow=["2", "1h"])

    send(base, 3, sender="someone@client1.test")

    rows = regular("jane@client1.test")
    assert [row.state for row in rows] == [QueueRecipient.DELIVERED, QueueRecipient.DELIVERED,
                                           QueueRecipient.WAITING]
    assert "MailInpFlow" in rows[2].reason and (rows[2].module, rows[2].queue) == ("LOCAL", "jane@client1.test")
    assert len(inbox_messages(jane)) == 2

    # The period moves on: the waiting message goes when it is next due.
    QueueRecipient.objects.filter(state=QueueRecipient.DELIVERED).update(done_at=timezone.now() - timedelta(hours=2))
    QueueRecipient.objects.filter(state=QueueRecipient.WAITING).update(next_attempt=timezone.now())
    QueuedMessage.objects.filter(state=QueuedMessage.QUEUED).update(next_attempt=timezone.now())
    run_queue()
    assert len(inbox_messages(jane)) == 3


def test_mail_inp_flow_set_later_counts_what_the_account_already_got(base, client1):
    jane = make_account(client1, "jane")
    send(base, 2, sender="someone@client1.test", prefix="before")

    account_update_settings(actor=None, account=jane, updates={"MailInpFlow": ["2", "1h"]})
    send(base, 1, sender="someone@client1.test", prefix="after")

    assert len(inbox_messages(jane)) == 2
    assert regular("jane@client1.test")[-1].state == QueueRecipient.WAITING
