"""The queue's state: one row a message, one row a recipient (the Queue/ file mirrors them)."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.models import Mailbox


class QueuedMessage(models.Model):
    """A message accepted into Queue/ (its bytes live in Queue/<id>.msg)."""

    RECEIVING = "R"  # the row exists, the Queue file may not be complete yet: nothing is delivered
    QUEUED = "Q"  # the Queue file is complete; waiting recipients are delivered
    DONE = "X"  # no recipient waits: the Queue file is (being) removed
    STATES = ((RECEIVING, "receiving"), (QUEUED, "queued"), (DONE, "done"))

    # The .sub file's identity (name, inode, times, content): a file picked up twice (a crash
    # between queueing it and removing it) finds its message instead of making a second one.
    source_key = models.CharField(max_length=64, unique=True, null=True, blank=True)
    source_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=1, choices=STATES, default=RECEIVING)
    sender = models.CharField(max_length=512, blank=True)  # "" is the null sender <>
    message_id = models.TextField(blank=True)  # the Message-ID header, for the monitors
    subject = models.TextField(blank=True)
    size = models.BigIntegerField(default=0)
    received = models.DateTimeField(default=timezone.now)
    next_attempt = models.DateTimeField(default=timezone.now)
    # A worker's lease on the message while it processes it; an expired lease (the worker died)
    # lets another worker take over, and the mailbox protocol keeps that from delivering twice.
    claimed_until = models.DateTimeField(null=True, blank=True)
    is_report = models.BooleanField(default=False)
    # A message the server made itself (a non-delivery report) until its Queue file is written.
    content = models.BinaryField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt"], name="mq_message_due", condition=Q(state="Q")),
            models.Index(fields=["sender"], name="mq_message_sender", condition=Q(state="Q")),
            models.Index(fields=["state"], name="mq_message_state", condition=~Q(state="X")),
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"


class QueueRecipient(models.Model):
    """One envelope recipient of a queued message and where its delivery stands."""

    WAITING = "W"
    APPENDING = "A"  # an append into `mailbox` was recorded before it was made (see mailqueue)
    DELIVERED = "D"
    FAILED = "F"
    STATES = ((WAITING, "waiting"), (APPENDING, "appending"), (DELIVERED, "delivered"), (FAILED, "failed"))
    REGULAR = "R"
    JOURNAL = "J"  # the copy for the server's JournalAccount
    KINDS = ((REGULAR, "recipient"), (JOURNAL, "journal copy"))
    LOCAL = "LOCAL"
    SMTP = "SMTP"

    message = models.ForeignKey(QueuedMessage, on_delete=models.CASCADE, related_name="recipients")
    position = models.PositiveIntegerField(default=0)
    address = models.CharField(max_length=512)
    kind = models.CharField(max_length=1, choices=KINDS, default=REGULAR)
    state = models.CharField(max_length=1, choices=STATES, default=WAITING)
    reason = models.TextField(blank=True)  # why it failed, or why it still waits
    module = models.CharField(max_length=8, blank=True)  # LOCAL or SMTP once routed
    queue = models.CharField(max_length=255, blank=True)  # SMTP: the domain; LOCAL: the account
    next_attempt = models.DateTimeField(default=timezone.now)
    attempts = models.IntegerField(default=0)
    delivered_to = models.CharField(max_length=512, blank=True)  # the account that got it
    done_at = models.DateTimeField(null=True, blank=True)
    # The append in flight (state A): where, at which offset, how long, and its sha256 (Text) or
    # file name (MailDir). Written and committed before the bytes are, checked after a crash.
    mailbox = models.ForeignKey(Mailbox, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    append_offset = models.BigIntegerField(null=True, blank=True)
    append_length = models.BigIntegerField(null=True, blank=True)
    append_token = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["message_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["message"], condition=Q(kind="J"), name="mq_one_journal_copy"),
        ]
        indexes = [
            models.Index(fields=["mailbox"], name="mq_rcpt_appending", condition=Q(state="A")),
            models.Index(fields=["module", "queue"], name="mq_rcpt_waiting", condition=Q(state="W")),
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_state_display()})"

    @property
    def pending(self) -> bool:
        return self.state in (self.WAITING, self.APPENDING)


class MailQueue(models.Model):
    """A module queue (SMTP: one per remote domain; LOCAL: one per account) and its last error."""

    module = models.CharField(max_length=8)
    name = models.CharField(max_length=255)
    last_error = models.TextField(blank=True)
    last_attempt = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["module", "name"], name="mq_queue_name")]
        ordering = ["module", "name"]

    def __str__(self) -> str:
        return f"{self.module} {self.name}"
