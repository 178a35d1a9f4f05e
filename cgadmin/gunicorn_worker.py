"""The WebAdmin's gunicorn worker: gthread, but a request's thread is taken only once its whole head
(request line and headers) has arrived. gthread gives a thread to a connection as soon as its first
byte comes, and the thread then waits for the rest: 40 clients sending a header line every 3 s held
every thread, and even /healthz went unanswered. Here the event loop of the worker's main thread
reads a new connection's head as it trickles in (a buffer each, no thread), and closes a
connection whose head is not complete within WEB_HEADER_TIMEOUT seconds (10) of its first visit
or holds more than HEAD_LIMIT bytes; complete heads go to the threads as gthread does."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from gunicorn.http2 import negotiation
from gunicorn.workers import gthread

HEADER_TIMEOUT = float(os.environ.get("WEB_HEADER_TIMEOUT", "10"))
HEAD_LIMIT = 64 * 1024  # gunicorn's own limits (limit_request_line, limit_request_fields) are below
READ_SIZE = 16 * 1024


class HeadFirstWorker(gthread.ThreadWorker):
    """gthread, with each new connection's request head read without a thread (see the module)."""

    def handle(self, conn: Any) -> Any:
        if conn.initialized or self.cfg.is_ssl or negotiation.prior_knowledge_allowed(self.cfg, conn.client):
            return super().handle(conn)
        verdict = _read_head(conn)
        if verdict is None:
            return gthread._DEFER  # back to the poller until more comes (no thread meanwhile)
        if not verdict:
            return False  # gone, too slow or too big: gthread closes it
        head = bytes(conn.cg_head)
        conn.init()
        conn.parser.unreader.unread(head)
        return super().handle(conn)


def _read_head(conn: Any) -> bool | None:
    """True when the head is complete, None when more must come, False to close the connection."""
    if not hasattr(conn, "cg_head"):
        conn.cg_head = bytearray()
        conn.cg_since = time.monotonic()
    while True:
        try:
            chunk = conn.sock.recv(READ_SIZE, socket.MSG_DONTWAIT)
        except (BlockingIOError, InterruptedError):
            break
        except OSError:
            return False
        if not chunk:
            return False
        conn.cg_head += chunk
        if b"\r\n\r\n" in conn.cg_head or b"\n\n" in conn.cg_head:
            return True
        if len(conn.cg_head) > HEAD_LIMIT:
            return True  # the parser answers it (431/400), as it would have
    if time.monotonic() - conn.cg_since > HEADER_TIMEOUT:
        return False
    return None
