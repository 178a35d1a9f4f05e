"""mailqueue.services called directly, as the personas of tests/conftest.py: a Monitor with the queue
right releases or rejects, everyone else gets AccessDenied with nothing changed, and each action is
audited (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from logs.events import Event
from mailqueue import services as S
from mailqueue.models import QueuedMessage, QueueRecipient
from tests import factories
from tests.mailqueue.conftest import message, run_queue, submit
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db
NOT_EXPORTED = "the queue lives in Queue/ files, not in the exporter's tree"


@pytest.fixture
def waiting(base, personas, dns) -> dict[str, int]:
    """Two messages from bob and one from ann waiting for remote.example (no SMTP module delivers them)."""
    factories.make_account(personas.client1, "bob")
    factories.make_account(personas.client1, "ann")
    submit(base, "a", message(to="x@remote.example", message_id="<a@test>"))
    submit(base, "b", message(to="y@remote.example", message_id="<b@test>"))
    submit(base, "c", message(to="z@remote.example", sender="ann@client1.test", message_id="<c@test>"))
    run_queue()
    return {row.message_id: row.pk for row in QueuedMessage.objects.filter(is_report=False)}


@pytest.fixture
def queue_admin(personas):
    return factories.make_account(None, "queueadmin", rights=["Monitor", "CanReleaseQueues", "CanRejectQueues"])


def refused_without(service, personas, **kwargs) -> None:
    """Monitor alone, the other server rights and Domain Administrators may not act on the queue."""
    for actor in (personas.monitor, personas.settings_admin, personas.all_domains, personas.domain_admin_with_right,
                  personas.plain_user):
        call_refused(service, actor=actor, **kwargs)


def states(message_id: int) -> list[str]:
    return list(QueueRecipient.objects.filter(message_id=message_id).values_list("state", flat=True))


def test_queue_release(waiting, personas, queue_admin):
    QueueRecipient.objects.update(next_attempt="2099-01-01T00:00:00Z")
    refused_without(S.queue_release, personas, queue="remote.example")

    call = call_allowed(S.queue_release, actor=queue_admin, queue="remote.example")

    assert call.result == 3
    assert not QueueRecipient.objects.filter(state=QueueRecipient.WAITING, next_attempt__year=2099).exists()
    call.audited(Event.QUEUE_RELEASE, actor=queue_admin, object_name="SMTP remote.example", after={"messages": "3"})
    call.marks_nothing(NOT_EXPORTED)


def test_message_reject(waiting, personas, queue_admin):
    first = waiting["<a@test>"]
    refused_without(S.message_reject, personas, message_id=first, notify=False)

    call = call_allowed(S.message_reject, actor=queue_admin, message_id=first, notify=False)

    assert states(first) == [QueueRecipient.FAILED]
    assert QueuedMessage.objects.get(pk=first).state == QueuedMessage.DONE
    assert states(waiting["<b@test>"]) == [QueueRecipient.WAITING]
    call.audited(Event.QUEUE_REJECT, actor=queue_admin, object_name=f"message {first}",
                 after={"reason": S.REJECTED, "report": "NO"})
    call.marks_nothing(NOT_EXPORTED)


def test_messages_reject_by_sender(waiting, personas, queue_admin):
    refused_without(S.messages_reject_by_sender, personas, sender="bob@client1.test", notify=False)

    call = call_allowed(S.messages_reject_by_sender, actor=queue_admin, sender="<bob@client1.test>", notify=False)

    assert sorted(call.result.messages) == sorted([waiting["<a@test>"], waiting["<b@test>"]])
    assert states(waiting["<a@test>"]) == states(waiting["<b@test>"]) == [QueueRecipient.FAILED]
    assert states(waiting["<c@test>"]) == [QueueRecipient.WAITING]
    call.audited(Event.QUEUE_REJECT_SENDER, actor=queue_admin, object_name="bob@client1.test",
                 after={"messages": "2", "reason": S.REJECTED, "report": "NO"})
    call.marks_nothing(NOT_EXPORTED)


HELPERS = {
    "audit_name": "the actor's name in Server Log records",
    "report_text": "parses the REPORT text",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
