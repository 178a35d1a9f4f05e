"""Non-delivery reports: a new message from MAILER-DAEMON to the sender, with the null sender
(so a report never causes another report), listing the failed recipients and why."""

from __future__ import annotations

from datetime import datetime
from email.header import Header
from email.utils import format_datetime

DEFAULT_SUBJECT_FAILED = "Undeliverable mail"
MAX_HEADER_BYTES = 32 * 1024


def subject_failed() -> str:
    """The SubjectFailed Server String (its default when the strings cannot be read)."""
    try:
        from server import strings

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
