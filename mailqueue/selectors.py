"""Reads of the queue for the Monitors realm and the CLI: module queues and their messages.

A module queue is the set of recipients waiting in one (module, queue) pair: SMTP queues are named
after the remote domain, LOCAL queues after the account (over quota, suspended domain, ...). Lists
page by key and cost a fixed number of queries whatever the queue's size."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from mailqueue.models import MailQueue, QueueRecipient
from realms import permissions
from realms import rights as R

if TYPE_CHECKING:
    from accounts.models import Account

MODULES = (QueueRecipient.SMTP, QueueRecipient.LOCAL)
MAX_PAGE = 1000


def check_module(module: str) -> str:
    """The module's canonical name (SMTP or LOCAL), or InvalidInput naming the bad one."""
    for known in MODULES:
        if str(module).upper() == known:
            return known
    raise InvalidInput(f"unknown module {module!r}: use SMTP or LOCAL", field="module")


def require_monitor(actor: Account | None) -> None:
    permissions.require_server_right(actor, R.MONITOR)


@dataclass(frozen=True)
class QueueSummary:
    """One module queue: how many messages wait in it, their size, when it retries, its last error."""

    module: str
    name: str
    messages: int
    size: int
    delayed_till: datetime | None
    last_error: str
    last_attempt: datetime | None

    @property
    def key(self) -> str:
        return f"{self.module}/{self.name}"


@dataclass(frozen=True)
class QueuesPage:
    queues: list[QueueSummary]
    next_key: str | None


_SUMMARY_SQL = """
SELECT t.module, t.queue, COUNT(*), COALESCE(SUM(m.size), 0), MIN(t.next_attempt), q.last_error, q.last_attempt
FROM (
    SELECT module, queue, message_id, MIN(next_attempt) AS next_attempt
    FROM mailqueue_queuerecipient
    WHERE state = %s AND module <> '' {where}
    GROUP BY module, queue, message_id
) t
JOIN mailqueue_queuedmessage m ON m.id = t.message_id
LEFT JOIN mailqueue_mailqueue q ON q.module = t.module AND q.name = t.queue
GROUP BY t.module, t.queue, q.last_error, q.last_attempt
ORDER BY t.module, t.queue
{limit}
"""


def _as_datetime(value: object) -> datetime | None:
    """Raw SQL answers datetimes as strings on SQLite (the embedded default)."""
    if value is None or isinstance(value, datetime):
        return value
    from django.utils.dateparse import parse_datetime

    return parse_datetime(str(value))


def _summaries(where: str, params: Sequence[str], limit: int | None) -> list[QueueSummary]:
    sql = _SUMMARY_SQL.format(where=where, limit="LIMIT %s" if limit is not None else "")
    arguments: list[str | int] = [QueueRecipient.WAITING, *params, *([limit] if limit is not None else [])]
    with connection.cursor() as cursor:
        cursor.execute(sql, arguments)
        rows = cursor.fetchall()
    return [
        QueueSummary(module, name, int(count), int(size), _as_datetime(due), last_error or "",
                     _as_datetime(last_attempt))
        for module, name, count, size, due, last_error, last_attempt in rows
    ]


def split_key(key: str) -> tuple[str, str] | None:
    module, slash, name = key.partition("/")
    return (module, name) if slash and module in MODULES else None


def queues_page(actor: Account | None, *, after: str = "", limit: int = 50) -> QueuesPage:
    """The module queues holding messages, by module and name, one page after the key `after`."""
    require_monitor(actor)
    limit = min(max(limit, 1), MAX_PAGE)
    where, params = "", []
    start = split_key(after) if after else None
    if start is not None:
        where = "AND (module > %s OR (module = %s AND queue > %s))"
        params = [start[0], start[0], start[1]]
    queues = _summaries(where, params, limit + 1)
    next_key = queues[limit - 1].key if len(queues) > limit else None
    return QueuesPage(queues[:limit], next_key)


def queue_summary(actor: Account | None, *, module: str, name: str) -> QueueSummary | None:
    """One module queue's summary (None when no message waits in it and it never had an error)."""
    require_monitor(actor)
    module = check_module(module)
    found = _summaries("AND module = %s AND queue = %s", [module, name], None)
    if found:
        return found[0]
    row = MailQueue.objects.filter(module=module, name=name).first()
    if row is None:
        return None
    return QueueSummary(module, name, 0, 0, None, row.last_error, row.last_attempt)


def queue_info(actor: Account | None, *, module: str, name: str) -> dict[str, Value]:
    """GetMessageQueueInfo: {nTotal; size; delayedTill; lastError} ({} for an unknown queue)."""
    summary = queue_summary(actor, module=module, name=name)
    if summary is None:
        return {}
    info: dict[str, Value] = {"nTotal": summary.messages, "size": summary.size}
    if summary.delayed_till is not None:
        info["delayedTill"] = summary.delayed_till.replace(tzinfo=None, microsecond=0)
    if summary.last_error:
        info["lastError"] = summary.last_error
    return info


@dataclass
class WaitingMessage:
    """A message waiting in one module queue, with its recipients there."""

    id: int
    sender: str
    subject: str
    message_id: str
    size: int
    received: datetime
    recipients: list[str] = field(default_factory=list)
    reason: str = ""
    next_attempt: datetime | None = None


@dataclass(frozen=True)
class MessagesPage:
    messages: list[WaitingMessage]
    next_key: int | None


def queue_messages(
    actor: Account | None, *, module: str, name: str, after: int = 0, limit: int = 50
) -> MessagesPage:
    """The messages waiting in one module queue, oldest id first, one page after the id `after`."""
    require_monitor(actor)
    module = check_module(module)
    limit = min(max(limit, 1), MAX_PAGE)
    waiting = QueueRecipient.objects.filter(state=QueueRecipient.WAITING, module=module, queue=name,
                                            message_id__gt=after)
    ids = list(waiting.order_by("message_id").values_list("message_id", flat=True).distinct()[: limit + 1])
    next_key = ids[limit - 1] if len(ids) > limit else None
    ids = ids[:limit]
    messages: dict[int, WaitingMessage] = {}
    rows = (waiting.filter(message_id__in=ids).select_related("message").defer("message__content")
            .order_by("message_id", "position"))
    for row in rows:
        item = messages.get(row.message_id)
        if item is None:
            message = row.message
            item = messages[row.message_id] = WaitingMessage(
                message.pk, message.sender, message.subject, message.message_id, message.size, message.received,
                reason=row.reason, next_attempt=row.next_attempt)
        item.recipients.append(row.address)
    return MessagesPage([messages[pk] for pk in ids if pk in messages], next_key)

