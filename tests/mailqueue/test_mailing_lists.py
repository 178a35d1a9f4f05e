"""Delivery to mailing lists: a posting goes to the subscribers in the subscribe and feed modes (never
to digest, index, null, banned or unconfirmed ones), as the list's Postings policy and the sender's
posting mode allow; a refused posting fails with a report, a held one goes to the list's owner."""

import pytest

from lists.models import MailingList, Subscriber
from lists.services import list_create, list_set_posting_mode, list_subscribe, list_update_settings
from mailqueue.models import QueueRecipient
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(client1):
    return {name: make_account(client1, name) for name in ("owner", "feed", "plain", "digest", "index", "null",
                                                            "banned", "pending", "outsider")}


@pytest.fixture
def staff(client1, people):
    staff = list_create(actor=None, domain=client1, name="staff", owner="owner")
    for name, mode in (("feed", "feed"), ("plain", "subscribe"), ("digest", "digest"), ("index", "index"),
                       ("null", "null"), ("banned", "banned")):
        list_subscribe(actor=None, mailing_list=staff, operation=mode, subscriber=f"{name}@client1.test")
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="pending@client1.test", confirm=True)
    return staff


def post(base, sender: str, name: str = "m") -> str:
    text = message(to="staff@client1.test", sender=sender, message_id=f"<{name}@test>")
    submit(base, name, text)
    run_queue()
    return text


def got(people) -> set[str]:
    return {name for name, account in people.items() if inbox_messages(account)}


def list_row() -> QueueRecipient:
    return QueueRecipient.objects.get(address="staff@client1.test")


def test_a_subscribers_posting_reaches_the_feed_and_subscribe_modes_only(base, people, staff):
    text = post(base, "feed@client1.test")

    assert got(people) == {"feed", "plain"}
    assert inbox_messages(people["plain"]) == [text.encode()]
    row = list_row()
    assert (row.state, row.reason) == (QueueRecipient.DELIVERED, "list staff@client1.test: 2 subscriber(s)")
    assert MailingList.objects.get().posts == 1
    assert Subscriber.objects.get(address="feed@client1.test").posts == 1


def test_remote_subscribers_wait_in_their_smtp_queue(base, people, staff, dns):
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="far@remote.example")

    post(base, "feed@client1.test")

    row = QueueRecipient.objects.get(address="far@remote.example")
    assert (row.state, row.module, row.queue) == (QueueRecipient.WAITING, "SMTP", "remote.example")


def test_a_non_subscriber_is_refused_unless_the_list_takes_postings_from_anybody(base, people, staff):
    post(base, "outsider@client1.test", "m1")

    assert got(people) == {"outsider"}  # its non-delivery report, nothing else
    assert list_row().state == QueueRecipient.FAILED
    assert "only subscribers may post" in list_row().reason

    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "from anybody"})
    post(base, "stranger@remote.example", "m2")
    assert {"feed", "plain"} <= got(people)


def test_banned_and_prohibited_senders_are_refused(base, people, staff):
    list_set_posting_mode(actor=None, mailing_list=staff, subscriber="feed@client1.test", mode="PROHIBITED")

    post(base, "banned@client1.test", "m1")
    post(base, "feed@client1.test", "m2")

    reasons = sorted(QueueRecipient.objects.filter(address="staff@client1.test").values_list("reason", flat=True))
    assert [("banned" in reasons[0]), ("prohibited" in reasons[1])] == [True, True]
    assert not inbox_messages(people["plain"])


def test_a_moderated_list_holds_postings_for_its_owner(base, people, staff):
    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "moderated"})

    post(base, "plain@client1.test", "m1")
    assert got(people) == {"owner"}
    assert list_row().reason == "held for moderation: sent to the owner of the list staff@client1.test"
    assert MailingList.objects.get().posts == 0

    post(base, "owner@client1.test", "m2")  # the owner's own posting goes out
    assert got(people) == {"owner", "feed", "plain"}


def test_a_subscribers_posting_mode_comes_before_the_lists_policy(base, people, staff):
    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "moderated"})
    list_set_posting_mode(actor=None, mailing_list=staff, subscriber="feed@client1.test", mode="SPECIAL")
    post(base, "feed@client1.test", "m1")
    assert got(people) == {"feed", "plain"}  # special: distributed on a moderated list

    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "from subscribers"})
    list_set_posting_mode(actor=None, mailing_list=staff, subscriber="plain@client1.test", mode="1")
    post(base, "plain@client1.test", "m2")  # its one moderated posting: held, and used up
    assert len(inbox_messages(people["owner"])) == 1 and len(inbox_messages(people["feed"])) == 1
    post(base, "plain@client1.test", "m3")
    assert len(inbox_messages(people["feed"])) == 2
    assert Subscriber.objects.get(address="plain@client1.test").moderated_left == 0
