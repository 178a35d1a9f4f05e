"""URL matrix rows of the queue's Monitors pages. Each case queues one message for remote.example
first (a row in the database, as the queue runner leaves a message it could not deliver yet), so
MASTER's Release and Reject change it, and MONITOR, which lacks CanReleaseQueues and CanRejectQueues,
is refused with 403 and changes nothing."""

from datetime import timedelta

from tests.realms.matrix import MASTER, MONITOR, Case, UrlRow

MONITORS = {MONITOR, MASTER}
QUEUE = {"module": "SMTP", "name": "remote.example"}
MESSAGE_ID = 4242


def a_waiting_message(personas) -> None:
    """Message 4242 from user@client1.test, waiting an hour for remote.example."""
    from django.utils import timezone

    from mailqueue.models import MailQueue, QueuedMessage, QueueRecipient

    later = timezone.now() + timedelta(hours=1)
    message = QueuedMessage.objects.create(pk=MESSAGE_ID, state=QueuedMessage.QUEUED, sender="user@client1.test",
                                           subject="Waiting", size=100, next_attempt=later)
    QueueRecipient.objects.create(message=message, address="x@remote.example", module=QueueRecipient.SMTP,
                                  queue="remote.example", next_attempt=later, reason="connection refused")
    MailQueue.objects.create(module=QueueRecipient.SMTP, name="remote.example", last_error="connection refused")


MATRIX = {
    "Monitors:queues": UrlRow(get=(Case(ok=MONITORS), Case(ok=MONITORS, setup=a_waiting_message))),
    "Monitors:queue": UrlRow(
        args=QUEUE,
        get=(Case(ok=MONITORS, setup=a_waiting_message),
             Case(args={"module": "SMTP", "name": "nowhere.example"}, codes={MONITOR: 404, MASTER: 404})),
        post=(
            Case(ok={MASTER}, setup=a_waiting_message, data={"action": "release"}),  # CanReleaseQueues
            Case(ok={MASTER}, setup=a_waiting_message,  # CanRejectQueues
                 data={"action": "reject", "message": str(MESSAGE_ID), "notify": "none"}),
            Case(ok={MASTER}, setup=a_waiting_message,
                 data={"action": "reject_sender", "sender": "user@client1.test", "notify": "none",
                       "confirm": "on"}),
        ),
    ),
}
