"""The Monitors realm's Queues page, its Release and Reject actions, and the same through the CLI."""

import pytest

from cli.dispatch import execute
from logs import stats
from logs.models import AuditEntry
from mailqueue import queuefile, services
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.selectors import queue_info
from tests.factories import make_account
from tests.helpers import set_objects_per_page, set_separate_realms, table_rows
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting(base, client1, dns):
    """Three messages for remote.example (two from bob, one from ann) and one for other.example."""
    make_account(client1, "bob")
    make_account(client1, "ann")
    submit(base, "a", message(to="x@remote.example, y@remote.example", message_id="<a@test>", body="a" * 500 + "\n"))
    submit(base, "b", message(to="z@remote.example", message_id="<b@test>"))
    submit(base, "c", message(to="z@remote.example", sender="ann@client1.test", message_id="<c@test>"))
    submit(base, "d", message(to="w@other.example", message_id="<d@test>"))
    run_queue()
    return {row.message_id: row.pk for row in QueuedMessage.objects.all()}


def ids_by_message_id() -> dict[str, int]:
    return {row.message_id: row.pk for row in QueuedMessage.objects.filter(is_report=False)}


@pytest.fixture
def queue_admin(postmaster):
    """Monitor with both queue rights; the realms are separate, so /Monitors/ is theirs to open."""
    set_separate_realms(True)
    return make_account(None, "queueadmin", rights=["Monitor", "CanReleaseQueues", "CanRejectQueues"])


def test_the_queues_page_lists_queues_with_counts_sizes_and_last_error(waiting, postmaster, as_basic,
                                                                      django_assert_num_queries):
    client = as_basic(postmaster)
    client.get("/Master/Monitors/Queues")  # the session's first request costs more

    with django_assert_num_queries(3):  # login (Basic, cached) and page furniture 2, the queues 1
        response = client.get("/Master/Monitors/Queues")

    queues = response.context["page"].queues
    assert [(q.module, q.name, q.messages) for q in queues] == [("SMTP", "other.example", 1),
                                                                ("SMTP", "remote.example", 3)]
    sizes = {row.message_id: row.size for row in QueuedMessage.objects.all()}
    assert queues[1].size == sizes["<a@test>"] + sizes["<b@test>"] + sizes["<c@test>"]
    assert "no SMTP module" in queues[1].last_error
    page = response.content.decode()
    assert 'href="/Master/Monitors/Queues/SMTP/remote.example"' in page
    assert "Queues" in [link.title for link in response.context["page_links"]]


def test_the_queues_page_costs_the_same_queries_with_many_queues(base, client1, dns, postmaster, as_basic,
                                                               django_assert_num_queries):
    make_account(client1, "bob")
    for number in range(30):
        submit(base, f"m{number}", message(to=f"x@host{number}.example", message_id=f"<m{number}@test>"))
    run_queue()
    client = as_basic(postmaster)
    client.get("/Master/Monitors/Queues")

    with django_assert_num_queries(3):
        first = client.get("/Master/Monitors/Queues")
    assert len(first.context["page"].queues) == 30  # the administrator's page size (50) holds them all

    from mailqueue.selectors import queues_page

    page1 = queues_page(postmaster, limit=20)
    page2 = queues_page(postmaster, after=page1.next_key, limit=20)
    names = [q.name for q in page1.queues + page2.queues]
    assert names == sorted(f"host{n}.example" for n in range(30)) and page2.next_key is None


def test_a_queue_page_lists_its_messages(waiting, postmaster, as_basic, django_assert_num_queries):
    client = as_basic(postmaster)
    client.get("/Master/Monitors/Queues")

    with django_assert_num_queries(5):  # login (Basic, cached) and page furniture 2, the summary 1, the messages 2
        response = client.get("/Master/Monitors/Queues/SMTP/remote.example")

    listed = response.context["page"].messages
    ids = ids_by_message_id()
    assert [m.id for m in listed] == sorted([ids["<a@test>"], ids["<b@test>"], ids["<c@test>"]])
    assert listed[0].recipients == ["x@remote.example", "y@remote.example"]
    assert listed[0].sender == "bob@client1.test" and "no SMTP module" in listed[0].reason
    assert response.context["may_release"] and response.context["may_reject"]
    assert client.get("/Master/Monitors/Queues/SMTP/nowhere.example").status_code == 404
    assert client.get("/Master/Monitors/Queues/FTP/remote.example").status_code == 404


def test_queue_pages_show_the_monitors_realms_objects_per_page(waiting, postmaster, as_basic):
    set_objects_per_page(postmaster, "Users", 5)  # another realm's preference changes nothing here
    set_objects_per_page(postmaster, "Monitors", 1)
    client = as_basic(postmaster)

    queues = client.get("/Master/Monitors/Queues").content.decode()
    more = client.get("/Master/Monitors/Queues", {"after": "SMTP/other.example"})
    messages = client.get("/Master/Monitors/Queues/SMTP/remote.example").content.decode()

    assert len(table_rows(queues)) == 1 and ">other.example<" in queues and 'rel="next"' in queues
    assert [queue.name for queue in more.context["page"].queues] == ["remote.example"]
    assert len(table_rows(messages)) == 1 and 'rel="next"' in messages
    set_objects_per_page(postmaster, "Monitors", 2)
    assert len(table_rows(client.get("/Master/Monitors/Queues/SMTP/remote.example").content.decode())) == 2


def test_monitor_without_queue_rights_sees_the_queues_but_cannot_release_or_reject(waiting, personas, as_basic):
    set_separate_realms(True)
    client = as_basic(personas.monitor)
    url = "/Monitors/Queues/SMTP/remote.example"

    response = client.get(url)
    released = client.post(url, {"action": "release"})
    rejected = client.post(url, {"action": "reject", "message": ids_by_message_id()["<b@test>"]})

    assert response.status_code == 200 and not response.context["may_release"]
    assert b">Release</button>" not in response.content and b">Reject</button>" not in response.content
    # Refused outright (not sent back to the page as after a success), the reason said once.
    assert released.status_code == 403 and rejected.status_code == 403
    assert released.content.decode().count("CanReleaseQueues right is needed") == 1
    assert rejected.content.decode().count("CanRejectQueues right is needed") == 1
    assert not AuditEntry.objects.filter(event__startswith="queue.").exists()
    assert QueueRecipient.objects.filter(state="F").count() == 0
    assert as_basic(personas.plain_user).get("/Monitors/Queues").status_code == 403


def test_release_retries_a_queue_now_and_is_audited(waiting, queue_admin, as_basic):
    from django.utils import timezone

    assert QueueRecipient.objects.filter(queue="remote.example", next_attempt__lte=timezone.now()).count() == 0

    response = as_basic(queue_admin).post("/Monitors/Queues/SMTP/remote.example", {"action": "release"},
                                          follow=True)

    assert "The SMTP queue remote.example is released." in response.content.decode()
    now = timezone.now()
    assert QueueRecipient.objects.filter(queue="remote.example", next_attempt__lte=now).count() == 4
    assert QueueRecipient.objects.filter(queue="other.example", next_attempt__lte=now).count() == 0
    entry = AuditEntry.objects.get(event="queue.release")
    assert (entry.actor_name, entry.object_name) == ("queueadmin@" + queue_admin.domain.name, "SMTP remote.example")
    run_queue()  # the workers try again: still no SMTP module, so they wait again
    assert QueueRecipient.objects.filter(queue="remote.example", state="W").count() == 4


def test_reject_with_a_report_to_the_local_sender(waiting, queue_admin, as_basic, client1,
                                                  django_capture_on_commit_callbacks):
    from server.services import server_strings_update

    with django_capture_on_commit_callbacks(execute=True):  # committed: this process re-reads its strings
        server_strings_update(actor=None, updates={"SubjectFailed": "Returned mail"})
    target = ids_by_message_id()["<a@test>"]

    with django_capture_on_commit_callbacks(execute=True):
        as_basic(queue_admin).post("/Monitors/Queues/SMTP/remote.example",
                                   {"action": "reject", "message": target, "notify": "report",
                                    "report_text": "spam suspected"})
    run_queue()

    rows = QueueRecipient.objects.filter(message_id=target)
    assert {(r.state, r.reason) for r in rows} == {("F", "spam suspected")}
    assert QueuedMessage.objects.get(pk=target).state == QueuedMessage.DONE
    assert not queuefile.queue_file(target).exists()
    (report,) = inbox_messages(client1.accounts.get(name="bob"))
    assert b"Subject: Returned mail" in report
    assert b"x@remote.example: spam suspected" in report and b"y@remote.example: spam suspected" in report
    assert AuditEntry.objects.filter(event="queue.reject", object_name=f"message {target}").exists()
    assert stats.value("mail.rejected") == 2


def test_reject_without_a_report(waiting, queue_admin, client1, django_capture_on_commit_callbacks):
    target = ids_by_message_id()["<b@test>"]

    with django_capture_on_commit_callbacks(execute=True):
        services.message_reject(actor=queue_admin, message_id=target, notify=False)
    run_queue()

    assert QueueRecipient.objects.get(message_id=target).state == "F"
    assert not QueuedMessage.objects.filter(is_report=True).exists()
    assert inbox_messages(client1.accounts.get(name="bob")) == []


def test_each_rows_reject_buttons_say_which_message_and_sender(waiting, queue_admin, as_basic):
    """A table of Reject buttons is a list of distinguishable buttons for a screen reader."""
    page = as_basic(queue_admin).get("/Monitors/Queues/SMTP/remote.example").content.decode()
    message = QueuedMessage.objects.filter(state="Q").first() or QueuedMessage.objects.first()

    assert f'aria-label="Reject message {message.id}"' in page
    assert 'aria-label="Reject all from bob@client1.test"' in page


def test_reject_every_message_of_a_sender_asks_first_and_rejects_nothing_unticked(waiting, queue_admin, as_basic):
    client = as_basic(queue_admin)
    data = {"action": "reject_sender", "sender": "bob@client1.test", "notify": "none"}
    asked = client.post("/Monitors/Queues/SMTP/remote.example", data)
    unticked = client.post("/Monitors/Queues/SMTP/remote.example", {**data, "confirming": "1"})

    page = asked.content.decode()
    assert asked.status_code == 200 and "Yes, reject every queued message from &lt;bob@client1.test&gt;" in page
    assert 'name="sender" value="bob@client1.test"' in page and 'name="notify" value="none"' in page
    assert unticked.status_code == 400 and 'role="alert"' in unticked.content.decode()
    assert not QueuedMessage.objects.filter(state="X").exists()


def test_reject_every_message_of_a_sender(waiting, queue_admin, as_basic, client1, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_basic(queue_admin).post("/Monitors/Queues/SMTP/remote.example",
                                              {"action": "reject_sender", "sender": "bob@client1.test",
                                               "notify": "none", "confirm": "on"}, follow=True)

    assert "3 message(s) from &lt;bob@client1.test&gt; rejected." in response.content.decode()
    ids = ids_by_message_id()
    states = {key: QueuedMessage.objects.get(pk=pk).state for key, pk in ids.items()}
    assert states == {"<a@test>": "X", "<b@test>": "X", "<c@test>": "Q", "<d@test>": "X"}
    assert sorted(p.name for p in (queuefile.queue_dir()).iterdir()) == [f"{ids['<c@test>']}.msg"]


def test_reject_of_an_unknown_or_finished_message_is_refused(waiting, queue_admin):
    from cgadmin.errors import NotFound

    with pytest.raises(NotFound, match="unknown message 424242"):
        services.message_reject(actor=queue_admin, message_id=424242)


def test_a_recipient_being_appended_is_left_to_its_worker(waiting, queue_admin):
    target = ids_by_message_id()["<a@test>"]
    first = QueueRecipient.objects.filter(message_id=target).order_by("position").first()
    QueueRecipient.objects.filter(pk=first.pk).update(state=QueueRecipient.APPENDING)

    services.message_reject(actor=queue_admin, message_id=target, notify=False)

    assert dict(QueueRecipient.objects.filter(message_id=target).values_list("address", "state")) == {
        "x@remote.example": "A", "y@remote.example": "F"}
    assert QueuedMessage.objects.get(pk=target).state == QueuedMessage.QUEUED


def test_cli_queue_info_release_and_reject(waiting, postmaster, personas):
    info = execute("GetMessageQueueInfo SMTP QUEUE remote.example", actor=postmaster)
    assert info.ok and "nTotal=#3;" in info.data and "lastError=" in info.data and "delayedTill=#T" in info.data
    assert queue_info(postmaster, module="smtp", name="nowhere.example") == {}
    assert execute("GetMessageQueueInfo FTP QUEUE x", actor=postmaster).code == 500

    assert execute("ReleaseSMTPQueue remote.example", actor=postmaster).ok
    assert execute("ReleaseSMTPQueue nowhere.example", actor=postmaster).code == 501
    assert execute("ReleaseSMTPQueue remote.example", actor=personas.monitor).code == 510

    target = ids_by_message_id()["<b@test>"]
    answer = execute(f'RejectQueueMessage {target} REPORT "no such host"', actor=postmaster)
    assert answer.ok
    assert QueueRecipient.objects.get(message_id=target).reason == "no such host"
    assert QueuedMessage.objects.filter(is_report=True).count() == 1  # to bob, a local sender
    assert execute("RejectQueueMessages SENDER ann@client1.test NONDN", actor=postmaster).ok
    assert QueueRecipient.objects.get(message_id=ids_by_message_id()["<c@test>"]).state == "F"
    assert QueuedMessage.objects.filter(is_report=True).count() == 1
    assert execute("RejectQueueMessage x", actor=postmaster).code == 500
