"""Non-delivery reports: a new message from MAILER-DAEMON to the sender, with the null sender
(so a report never causes another report), listing the failed recipients and why."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from email.header import Header
from email.utils import format_datetime

from django.utils import timezone

from logs import serverlog
from mailqueue import queuefile
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.routing import REPORT_ANY, Router
from server import strings

DEFAULT_SUBJECT_FAILED = "Undeliverable mail"
MAX_HEADER_BYTES = 32 * 1024


def subject_failed() -> str:
    """The SubjectFailed Server String (its default when the strings cannot be read)."""
    try:
        return strings.text("SubjectFailed") or DEFAULT_SUBJECT_FAILED
    except Exception:  # a report must go out even when the strings are unreadable
        return DEFAULT_SUBJECT_FAILED


def _header_text(text: str) -> str:
    return text if text.isascii() else Header(text, "utf-8").encode()


def original_header(message: bytes) -> bytes:
    """The header of the failed message (as much as a report should carry)."""
    for separator in (b"\r\n\r\n", b"\n\n"):
        end = message.find(separator)
        if end >= 0:
            return message[: min(end, MAX_HEADER_BYTES)] + b"\n"
    return message[:MAX_HEADER_BYTES] + b"\n"


def failure_report(
    *, report_id: str, main_domain: str, sender: str, failures: list[tuple[str, str]], message: bytes,
    when: datetime,
) -> bytes:
    """The report's bytes (RFC 5322, plain text, UTF-8)."""
    lines = [
        f"From: Mail Delivery System <MAILER-DAEMON@{main_domain}>",
        f"To: <{sender}>",
        f"Subject: {_header_text(subject_failed())}",
        f"Date: {format_datetime(when)}",
        f"Message-ID: <{report_id}@{main_domain}>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "Auto-Submitted: auto-replied",
        "",
        "Your message could not be delivered to these recipients:",
        "",
        *(f"  {address}: {reason}" for address, reason in failures),
        "",
        "The header of your message follows.",
        "",
        "",
    ]
    return "\n".join(lines).encode("utf-8") + original_header(message)


# --- queued as messages --------------------------------------------------------------------------


def queue_report(
    router: Router, message: QueuedMessage, failures: list[tuple[str, str, str]], body: bytes
) -> int | None:
    """Queue a non-delivery report to the message's sender (in the caller's transaction)."""
    built = build_report(router, message, failures, body)
    return save_reports([built])[0] if built is not None else None


def build_report(
    router: Router, message: QueuedMessage, failures: list[tuple[str, str, str]], body: bytes
) -> tuple[QueuedMessage, str] | None:
    """The (unsaved) report row to the message's sender and its one recipient, or None when no
    report goes: a null or remote sender (unless a failure reports to any), or a report itself."""
    sender = message.sender
    if not sender or message.is_report or router.main is None:
        return None
    local = router.is_local_address(sender)
    listed = [(address, reason) for address, reason, who in failures if who == REPORT_ANY or local]
    if not listed:
        return None
    now = timezone.now()
    report_id = f"report.{message.pk}.{now.strftime('%Y%m%d%H%M%S%f')}"
    content = failure_report(report_id=report_id, main_domain=router.main.name, sender=sender,
                                     failures=listed, message=body, when=now)
    row = QueuedMessage(
        state=QueuedMessage.RECEIVING, sender="", is_report=True, content=content, size=len(content),
        subject=subject_failed()[:255], message_id=f"<{report_id}@{router.main.name}>",
    )
    return row, sender


def save_reports(built: list[tuple[QueuedMessage, str]]) -> list[int]:
    """Save report rows and their recipients, two statements however many (in the caller's transaction)."""
    if not built:
        return []
    rows = QueuedMessage.objects.bulk_create([row for row, _sender in built])
    QueueRecipient.objects.bulk_create([QueueRecipient(message=row, position=0, address=sender)
                                        for row, (_row, sender) in zip(rows, built, strict=True)])
    return [row.pk for row in rows]


def materialize(message_ids: list[int]) -> None:
    """Write the Queue files of server-made messages (reports) and queue them: a few statements and
    one grouped write however many there are."""
    rows = list(QueuedMessage.objects.filter(pk__anyof=message_ids, state=QueuedMessage.RECEIVING,
                                             content__isnull=False).order_by("id"))
    if not rows:
        return
    addresses: dict[int, list[str]] = defaultdict(list)
    for message_id, address in (QueueRecipient.objects.filter(message_id__anyof=[row.pk for row in rows])
                                .order_by("message_id", "position").values_list("message_id", "address")):
        addresses[message_id].append(address)
    queuefile.write_queue_files([
        (row.pk, row.sender, [queuefile.EnvelopeLine(QueueRecipient.WAITING, address) for address in addresses[row.pk]],
         bytes(row.content or b""))  # selected with content set
        for row in rows
    ])
    now = timezone.now()
    QueuedMessage.objects.filter(pk__anyof=[row.pk for row in rows], state=QueuedMessage.RECEIVING).update(
        state=QueuedMessage.QUEUED, content=None, received=now, next_attempt=now)
    for row in rows:
        what = "non-delivery report" if row.is_report else "message sent by a rule"
        serverlog.log("QUEUE", serverlog.MAJOR, f"message {row.pk}: {what} to {', '.join(addresses[row.pk])} queued")
