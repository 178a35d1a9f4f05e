"""Matrix rows of the queue's CLI verbs (tests/cli/matrix.py says how rows work)."""

from tests.cli.matrix import MASTER, MONITOR, Row

MESSAGE_ID = 990001


def waiting_message(personas) -> None:
    """A message from a remote sender waiting in the SMTP queue remote.example."""
    from mailqueue.models import MailQueue, QueuedMessage, QueueRecipient

    message = QueuedMessage.objects.create(pk=MESSAGE_ID, state=QueuedMessage.QUEUED, sender="someone@remote.example",
                                           size=100)
    QueueRecipient.objects.create(message=message, address="far@remote.example", module="SMTP", queue="remote.example")
    MailQueue.objects.create(module="SMTP", name="remote.example", last_error="no SMTP module")


MATRIX = {
    "GetMessageQueueInfo": Row("SMTP QUEUE remote.example", ok={MASTER, MONITOR}, setup=waiting_message),
    "ReleaseSMTPQueue": Row("remote.example", ok={MASTER}, setup=waiting_message),
    "RejectQueueMessage": Row(f"{MESSAGE_ID} NONDN", ok={MASTER}, setup=waiting_message),
    "RejectQueueMessages": Row('SENDER "someone@remote.example"', ok={MASTER}, setup=waiting_message),
}
