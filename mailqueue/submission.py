"""Reading a submitted file (the PIPE module's rules, spec/basedir.md "Submitted/").

Recipients come from the Envelope-To: fields when there is one, else from To:, Cc: and Bcc:. The
sender is Return-Path:, else the first From: address. Bcc: and Envelope-To: fields are removed
from the message (CommuniGate's PIPE module removes both); every other byte is kept as it came."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.utils import getaddresses

FIELD = re.compile(rb"^([\x21-\x39\x3b-\x7e]+)[ \t]*:")
REMOVED_FIELDS = frozenset({b"bcc", b"envelope-to"})
ADDRESS = re.compile(r"^[^\s@<>()\[\],;:\"]+(@[A-Za-z0-9\u0080-\U0010ffff.-]+)?$")
MAX_RECIPIENTS = 10_000


class BadSubmission(Exception):
    """A submitted file that cannot be queued; the message says why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class HeaderField:
    name: bytes  # lower case
    start: int  # offset of the field's first byte
    end: int  # offset after its last line end (continuation lines included)
    value: str  # unfolded, decoded


@dataclass(frozen=True)
class Submission:
    sender: str
    recipients: list[str]
    message: bytes
    message_id: str
    subject: str


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def header_fields(data: bytes) -> tuple[list[HeaderField], int]:
    """The header fields and the offset where the body starts (after the blank line, if any)."""
    fields: list[HeaderField] = []
    position, size = 0, len(data)
    current: tuple[bytes, int, list[bytes]] | None = None

    def close(end: int) -> None:
        if current is not None:
            name, start, parts = current
            value = re.sub(r"\r?\n", "", _decode(b"".join(parts)))
            fields.append(HeaderField(name, start, end, value.strip()))

    while position < size:
        line_end = data.find(b"\n", position)
        line_end = size if line_end < 0 else line_end + 1
        line = data[position:line_end]
        if line in (b"\n", b"\r\n"):
            close(position)
            return fields, line_end
        if line[:1] in (b" ", b"\t") and current is not None:
            current[2].append(line)
        else:
            match = FIELD.match(line)
            if match is None:
                if current is None:
                    raise BadSubmission("the file does not start with a message header field")
                close(position)  # a line that is no header field: the body starts without a blank line
                return fields, position
            close(position)
            current = (match.group(1).lower(), position, [line[match.end():]])
        position = line_end
    close(position)
    return fields, size


def _addresses(values: list[str], what: str) -> list[str]:
    found: list[str] = []
    for _name, address in getaddresses(values):
        address = address.strip()
        if not address:
            continue
        if not ADDRESS.match(address):
            raise BadSubmission(f"bad {what} address {address!r}")
        found.append(address)
    return found


def _unique(addresses: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for address in addresses:
        if address.lower() not in seen:
            seen.add(address.lower())
            result.append(address)
    return result


def _text(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:  # a malformed encoded word: show it as it is
        return value


def parse_submission(data: bytes) -> Submission:
    """The envelope and the message to queue, or BadSubmission saying what is wrong."""
    if not data.strip():
        raise BadSubmission("the file is empty")
    fields, _body = header_fields(data)
    by_name: dict[bytes, list[str]] = {}
    for field in fields:
        by_name.setdefault(field.name, []).append(field.value)
    if b"envelope-to" in by_name:
        recipients = _addresses(by_name[b"envelope-to"], "Envelope-To")
    else:
        recipients = _addresses(
            by_name.get(b"to", []) + by_name.get(b"cc", []) + by_name.get(b"bcc", []), "recipient"
        )
    recipients = _unique(recipients)
    if not recipients:
        raise BadSubmission("no recipient addresses (Envelope-To, To, Cc or Bcc)")
    if len(recipients) > MAX_RECIPIENTS:
        raise BadSubmission(f"more than {MAX_RECIPIENTS} recipients")
    sender = _sender(by_name)
    message = remove_fields(data, fields)
    return Submission(
        sender=sender,
        recipients=recipients,
        message=message,
        message_id=(by_name.get(b"message-id") or [""])[0][:998],
        subject=_text((by_name.get(b"subject") or [""])[0])[:255],
    )


def _sender(by_name: dict[bytes, list[str]]) -> str:
    if b"return-path" in by_name:
        value = by_name[b"return-path"][0].strip()
        if value in ("<>", ""):
            return ""
        found = _addresses([value], "Return-Path")
        if found:
            return found[0]
    found = _addresses(by_name.get(b"from", []), "From")
    if not found:
        raise BadSubmission("no sender address (Return-Path or From)")
    return found[0]


def remove_fields(data: bytes, fields: list[HeaderField]) -> bytes:
    """The message without its Bcc: and Envelope-To: fields, every other byte unchanged."""
    removed = [field for field in fields if field.name in REMOVED_FIELDS]
    if not removed:
        return data
    parts, position = [], 0
    for field in removed:
        parts.append(data[position:field.start])
        position = field.end
    parts.append(data[position:])
    return b"".join(parts)
