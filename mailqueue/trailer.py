"""AddMailTrailer: the domain's TrailerText added to the messages its accounts send (issue 22 item 2).

As CommuniGate does it: a plain-text message gets the text after its body; a multipart message gets
it as one more text part before its closing boundary; any other message (HTML alone, a body in
base64 or quoted-printable) becomes multipart/mixed, its own content the first part and the trailer
the second (also a plain-text message not declared UTF-8 when the trailer is not plain ASCII, so its
characters are read right). The queued message is kept as it came; the copy appended to a mailbox carries the
trailer, so the Queue file, the monitors and any report show what the sender submitted."""

from __future__ import annotations

import re
import uuid

from cgadmin.dataformat import Value
from mailqueue.limits import sending_account
from mailqueue.models import QueuedMessage
from mailqueue.routing import Router
from mailqueue.submission import BadSubmission, HeaderField, header_fields

_BOUNDARY = re.compile(r"""boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))""", re.IGNORECASE)
CONTENT_FIELDS = (b"content-type", b"content-transfer-encoding")


def _yes(value: Value) -> bool:
    return isinstance(value, str) and value.upper() == "YES"


def trailer_for(router: Router, message: QueuedMessage) -> str:
    """The text to add to a message: its local sender's domain TrailerText when the account's
    AddMailTrailer is YES; "" otherwise (no query: the pass has the sender's settings already)."""
    account = sending_account(router, message)
    if account is None or not _yes(router.account_values(account).get("AddMailTrailer")):
        return ""
    return str(router.domain_values(account.domain).get("TrailerText") or "")


def delivered_body(router: Router, message: QueuedMessage, body: bytes) -> bytes:
    """The message as it is appended to mailboxes: with its sender's trailer, if any."""
    text = trailer_for(router, message)
    return add_trailer(body, text) if text.strip() else body


def add_trailer(data: bytes, text: str) -> bytes:
    """The message with the trailer text added (see the module's note for where)."""
    try:
        fields, body_start = header_fields(data)
    except BadSubmission:
        return data
    newline = b"\r\n" if b"\r\n" in data[:body_start or len(data)] else b"\n"
    trailer = newline.join(line.encode("utf-8") for line in text.replace("\r\n", "\n").split("\n"))
    content_type = _field(fields, b"content-type").lower()
    encoding = _field(fields, b"content-transfer-encoding").lower()
    if content_type.startswith("multipart/"):
        boundary = _BOUNDARY.search(_field(fields, b"content-type"))
        closing = b"--" + (boundary.group(1) or boundary.group(2)).encode() + b"--" if boundary else b""
        at = data.rfind(closing) if closing else -1
        if at >= 0:
            return data[:at] + closing[:-2] + newline + _text_part(trailer, newline) + newline + data[at:]
    elif _plain(content_type) and encoding in ("", "7bit", "8bit", "binary") and (
            trailer.isascii() or re.search(r"charset\s*=\s*\"?utf-?8", content_type)):
        body = data[body_start:]
        separator = b"" if not body or body.endswith(newline) else newline
        return data + separator + newline + trailer + newline
    return _wrap(data, fields, body_start, trailer, newline)


def _plain(content_type: str) -> bool:
    return content_type in ("", "text/plain") or content_type.startswith("text/plain;")


def _field(fields: list[HeaderField], name: bytes) -> str:
    return next((field.value for field in fields if field.name == name), "")


def _text_part(trailer: bytes, newline: bytes) -> bytes:
    return (b"Content-Type: text/plain; charset=utf-8" + newline + b"Content-Transfer-Encoding: 8bit" + newline
            + newline + trailer + newline)


def _wrap(data: bytes, fields: list[HeaderField], body_start: int, trailer: bytes, newline: bytes) -> bytes:
    """multipart/mixed: the message's own content as the first part, the trailer as the second."""
    boundary = f"=_trailer_{uuid.uuid4().hex}".encode()
    own = [field for field in fields if field.name in CONTENT_FIELDS]
    kept, position = [], 0
    for field in own:
        kept.append(data[position:field.start])
        position = field.end
    header_end = fields[-1].end if fields else 0
    kept.append(data[position:header_end])
    part_header = b"".join(data[field.start:field.end] for field in own) or (
        b"Content-Type: text/plain" + newline)
    mime = b"" if any(field.name == b"mime-version" for field in fields) else b"MIME-Version: 1.0" + newline
    return (b"".join(kept) + mime + b'Content-Type: multipart/mixed; boundary="' + boundary + b'"' + newline
            + newline + b"--" + boundary + newline + part_header + newline + data[body_start:]
            + (b"" if data.endswith(newline) else newline)
            + b"--" + boundary + newline + _text_part(trailer, newline) + b"--" + boundary + b"--" + newline)
