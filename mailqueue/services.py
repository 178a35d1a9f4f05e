"""Changes administrators make to the queue: release a module queue (retry now), reject messages.

Both work on the database rows under the same row locks the delivery workers take, so they never
race a delivery: a rejected recipient that a worker is appending right now (state A) is left to the
worker, and every recipient still waiting fails at once. Files follow the commit: the Queue files of
finished messages go, reports are written and the workers kicked."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from basedir import nofollow
from cgadmin.celery import send_task
from cgadmin.errors import InvalidInput, NotFound
from logs import serverlog, stats
from logs.audit import audit
from logs.events import Event
from mailqueue import queuefile
from mailqueue.bulk import bulk_set
from mailqueue.models import MailQueue, QueuedMessage, QueueRecipient
from mailqueue.reports import materialize, queue_report
from mailqueue.routing import REPORT_LOCAL, Router
from mailqueue.selectors import check_module
from realms import permissions
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account

W, A, F = QueueRecipient.WAITING, QueueRecipient.APPENDING, QueueRecipient.FAILED
REJECTED = "rejected by the administrator"
MAX_REPORT_TEXT = 1024


def _kick() -> None:
    try:
        send_task("mailqueue.tasks.deliver_due")
    except Exception as error:  # the runner's sweep kicks again within seconds
        serverlog.log("QUEUE", serverlog.PROBLEMS, f"cannot ask a worker to deliver: {error}")


@transaction.atomic
def queue_release(*, actor: Account | None, module: str = QueueRecipient.SMTP, queue: str) -> int:
    """Release a module queue: its waiting messages are tried again now (CanReleaseQueues)."""
    permissions.require_server_right(actor, R.CAN_RELEASE_QUEUES)
    module = check_module(module)
    name = str(queue).strip().lower() if module == QueueRecipient.SMTP else str(queue).strip()
    if not name:
        raise InvalidInput("a queue name is needed", field="queue")
    now = timezone.now()
    waiting = QueueRecipient.objects.filter(state=W, module=module, queue=name)
    ids = list(waiting.values_list("message_id", flat=True).distinct())
    if not ids and not MailQueue.objects.filter(module=module, name=name).exists():
        raise NotFound(f"unknown queue {module} {name}")
    waiting.update(next_attempt=now)
    QueuedMessage.objects.filter(pk__anyof=ids, state=QueuedMessage.QUEUED, next_attempt__gt=now).update(
        next_attempt=now)
    audit(actor=actor, event=Event.QUEUE_RELEASE, object_type="queue", object_name=f"{module} {name}",
          after={"messages": str(len(ids))})
    serverlog.log("QUEUE", serverlog.MAJOR, f"{module} queue {name} released by {audit_name(actor)}: "
                                            f"{len(ids)} message(s) tried again")
    transaction.on_commit(_kick)
    return len(ids)


def audit_name(actor: Account | None) -> str:
    from logs.audit import actor_label

    return actor_label(actor)


def report_text(report: str | None) -> str:
    """The reason the recipients fail with (the CLI's REPORT text, or the default)."""
    if report is None:
        return REJECTED
    text = " ".join(str(report).split())
    if len(text) > MAX_REPORT_TEXT:
        raise InvalidInput(f"the report text is longer than {MAX_REPORT_TEXT} characters", field="report")
    return text or REJECTED


@dataclass
class Rejected:
    messages: list[int] = field(default_factory=list)
    recipients: int = 0
    finished: list[int] = field(default_factory=list)
    reports: list[int] = field(default_factory=list)


def _reject_locked(messages: list[QueuedMessage], reason: str, notify: bool, result: Rejected) -> None:
    """Fail every waiting recipient of these (locked) messages; queue reports to local senders."""
    now = timezone.now()
    router = Router() if notify else None
    ids = [message.pk for message in messages]
    rows: dict[int, list[QueueRecipient]] = {pk: [] for pk in ids}
    for row in QueueRecipient.objects.select_for_update().filter(message_id__anyof=ids).order_by("message_id",
                                                                                              "position"):
        rows[row.message_id].append(row)
    for message in messages:
        waiting = [row for row in rows[message.pk] if row.state == W]
        for row in waiting:
            row.state, row.reason, row.done_at = F, reason, now
        bulk_set(waiting, ["state", "reason", "done_at"])
        result.messages.append(message.pk)
        result.recipients += len(waiting)
        regular = [row for row in waiting if row.kind == QueueRecipient.REGULAR]
        if router is not None and regular:
            try:
                body = queuefile.read_message(message.pk)
            except (FileNotFoundError, ValueError, nofollow.SymlinkRefused):
                body = b""
            report = queue_report(router, message, [(row.address, reason, REPORT_LOCAL) for row in regular], body)
            if report is not None:
                result.reports.append(report)
        if not any(row.state == A for row in rows[message.pk]):
            message.state, message.claimed_until = QueuedMessage.DONE, None
            message.save(update_fields=["state", "claimed_until"])
            result.finished.append(message.pk)


def _after_reject(result: Rejected, who: str) -> None:
    queuefile.remove_queue_files(result.finished)
    for message_id in result.messages:
        serverlog.log("QUEUE", serverlog.MAJOR, f"message {message_id} rejected by {who}")
    if result.recipients:
        stats.count("mail.rejected", result.recipients)
    if result.reports:
        materialize(result.reports)
        stats.count("mail.reports", len(result.reports))
        _kick()


def _locked_messages(**conditions: object) -> list[QueuedMessage]:
    return list(QueuedMessage.objects.select_for_update().defer("content")
                .filter(state=QueuedMessage.QUEUED, **conditions)
                .order_by("id"))


@transaction.atomic
def message_reject(
    *, actor: Account | None, message_id: int, report: str | None = None, notify: bool = True
) -> Rejected:
    """Reject a queued message: its waiting recipients fail, with a report to a local sender
    unless notify is False (CanRejectQueues)."""
    permissions.require_server_right(actor, R.CAN_REJECT_QUEUES)
    try:
        number = int(message_id)
    except (TypeError, ValueError):
        raise InvalidInput(f"bad message id {message_id!r}", field="message_id") from None
    reason = report_text(report)
    messages = _locked_messages(pk=number)
    if not messages:
        raise NotFound(f"unknown message {number}: not in the queue")
    result = Rejected()
    _reject_locked(messages, reason, notify, result)
    audit(actor=actor, event=Event.QUEUE_REJECT, object_type="message", object_name=f"message {number}",
          before={"sender": messages[0].sender, "subject": messages[0].subject},
          after={"reason": reason, "report": "YES" if notify else "NO"})
    who = audit_name(actor)
    transaction.on_commit(lambda: _after_reject(result, who))
    return result


@transaction.atomic
def messages_reject_by_sender(
    *, actor: Account | None, sender: str, report: str | None = None, notify: bool = True
) -> Rejected:
    """Reject every queued message of one sender, as message_reject does each (CanRejectQueues)."""
    permissions.require_server_right(actor, R.CAN_REJECT_QUEUES)
    address = str(sender).strip().strip("<>").strip()
    reason = report_text(report)
    messages = _locked_messages(sender__iexact=address, is_report=False)
    result = Rejected()
    if messages:
        _reject_locked(messages, reason, notify, result)
    audit(actor=actor, event=Event.QUEUE_REJECT_SENDER, object_type="sender", object_name=address or "<>",
          after={"messages": str(len(result.messages)), "reason": reason, "report": "YES" if notify else "NO"})
    who = audit_name(actor)
    transaction.on_commit(lambda: _after_reject(result, who))
    return result
