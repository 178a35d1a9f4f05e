"""Text mailboxes (`.mbox`) in the mboxrd format, and the project's own reader for them.

Each message is stored as a `From <sender> <date>` separator line, the message with every line
that matches `>*From ` given one more `>`, and a blank line. Python's `mailbox.mbox` reads such a
file (it leaves the quoting in place); `read_messages` here undoes it exactly, so a message comes
back byte for byte: 8-bit text, CRLF or LF line ends and long lines included. The one thing mbox
cannot keep is a message that does not end with a line break: it gets one."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

_QUOTE = re.compile(rb"^(>*From )", re.MULTILINE)
_UNQUOTE = re.compile(rb"^>(>*From )", re.MULTILINE)
NULL_SENDER = "MAILER-DAEMON"


def quote(message: bytes) -> bytes:
    """Give every line matching `>*From ` one more `>` (mboxrd)."""
    return _QUOTE.sub(rb">\1", message)


def unquote(message: bytes) -> bytes:
    """Take one `>` off every line matching `>+From ` (the exact inverse of quote)."""
    return _UNQUOTE.sub(rb"\1", message)


def from_line(sender: str, when: datetime) -> bytes:
    """`From sender@domain Thu Jan  1 00:00:00 2026` (asctime, UTC)."""
    who = "".join(sender.split()) or NULL_SENDER
    stamp = time.asctime(time.gmtime(when.timestamp()))
    return f"From {who} {stamp}\n".encode("utf-8", "surrogateescape")


def entry(message: bytes, sender: str, when: datetime) -> bytes:
    """The bytes one message adds to a Text mailbox."""
    body = quote(message)
    if not body.endswith(b"\n"):
        body += b"\n"
    return from_line(sender, when) + body + b"\n"


@dataclass(frozen=True)
class StoredMessage:
    from_line: bytes  # without its line end
    message: bytes


def parse(data: bytes) -> Iterator[StoredMessage]:
    """The messages of a Text mailbox's bytes, unquoted."""
    position = 0
    size = len(data)
    if data and not data.startswith(b"From "):
        raise ValueError("not an mbox file: it does not start with a From line")
    while position < size:
        line_end = data.find(b"\n", position)
        if line_end < 0:
            line_end = size
        header = data[position:line_end]
        start = line_end + 1
        next_from = data.find(b"\nFrom ", start - 1)
        if next_from < 0:
            stop, position = size, size
        else:
            stop, position = next_from + 1, next_from + 1
        body = data[start:stop]
        if body.endswith(b"\n\n"):
            body = body[:-1]  # the blank separator line
        yield StoredMessage(header, unquote(body))


def read_messages(path: Path | str) -> list[StoredMessage]:
    """Every message of a Text mailbox file, byte for byte as delivered."""
    return list(parse(Path(path).read_bytes()))
