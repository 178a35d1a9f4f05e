"""Delivery to forwarders and groups: a forwarder's mail goes to its target, a group's to every
member once (local accounts and remote addresses alike), nested objects expand, loops end."""

import pytest

from forwarders.services import forwarder_create
from groups.services import group_create
from mailqueue.delivery import MAX_EXPANSION_DEPTH
from mailqueue.models import QueuedMessage, QueueRecipient
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


def states() -> dict[str, str]:
    return dict(QueueRecipient.objects.values_list("address", "state"))


def test_mail_to_a_forwarder_reaches_its_target(base, client1):
    jane = make_account(client1, "jane")
    forwarder_create(actor=None, domain=client1, name="sales", target="jane")
    text = message(to="sales@client1.test")
    submit(base, "m", text)

    run_queue()

    assert inbox_messages(jane) == [text.encode()]
    row = QueueRecipient.objects.get(address="sales@client1.test")
    assert (row.state, row.reason) == (QueueRecipient.DELIVERED, "forwarded to jane@client1.test")
    assert QueuedMessage.objects.get().state == QueuedMessage.DONE


def test_a_forwarder_to_a_remote_address_waits_in_its_smtp_queue(base, client1, dns):
    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    submit(base, "m", message(to="sales@client1.test"))

    run_queue()

    row = QueueRecipient.objects.get(address="boss@remote.example")
    assert (row.state, row.module, row.queue) == (QueueRecipient.WAITING, "SMTP", "remote.example")
    assert b"<boss@remote.example>" in (base / "Queue").joinpath(f"{row.message_id}.msg").read_bytes()


def test_a_group_delivers_to_every_member_exactly_once(base, client1, dns):
    jane, ann = make_account(client1, "jane"), make_account(client1, "ann")
    group_create(actor=None, domain=client1, name="inner", settings={"Members": ["ann", "jane@client1.test"]})
    group_create(actor=None, domain=client1, name="team",
                 settings={"Members": ["jane", "inner", "far@remote.example", "team2"]})
    group_create(actor=None, domain=client1, name="team2", settings={"Members": ["team", "ann"]})  # a loop
    text = message(to="team@client1.test, jane@client1.test")
    submit(base, "m", text)

    run_queue()

    assert inbox_messages(jane) == [text.encode()]
    assert inbox_messages(ann) == [text.encode()]
    found = states()
    assert found["team@client1.test"] == found["inner@client1.test"] == found["team2@client1.test"] == "D"
    assert found["far@remote.example"] == "W"  # a remote member waits in its queue
    assert QueueRecipient.objects.filter(address__iexact="jane@client1.test").count() == 1
    assert QueueRecipient.objects.filter(address="ann@client1.test").count() == 1


def test_a_second_pass_expands_nothing_again(base, client1, dns):
    jane = make_account(client1, "jane")
    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane", "far@remote.example"]})
    submit(base, "m", message(to="team@client1.test"))
    run_queue()
    QueuedMessage.objects.update(next_attempt=QueuedMessage.objects.get().received)
    QueueRecipient.objects.filter(state="W").update(next_attempt=QueuedMessage.objects.get().received)

    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert QueueRecipient.objects.count() == 3


def test_an_unknown_member_fails_on_its_own(base, client1):
    jane = make_account(client1, "jane")
    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane", "ghost"]})
    submit(base, "m", message(to="team@client1.test"))

    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert states()["ghost@client1.test"] == "F"


def test_nesting_deeper_than_the_limit_fails(base, client1):
    jane = make_account(client1, "jane")
    names = [f"f{level}" for level in range(MAX_EXPANSION_DEPTH + 1)]
    for name, target in zip(names, [*names[1:], "jane"], strict=True):
        forwarder_create(actor=None, domain=client1, name=name, target=target)
    submit(base, "m", message(to="f0@client1.test"))

    run_queue()

    assert inbox_messages(jane) == []
    last = QueueRecipient.objects.get(address=f"{names[-1]}@client1.test")
    assert last.state == "F" and "nested" in last.reason
