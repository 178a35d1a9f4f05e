"""The CLI listener: PWD/CLI over TCP (spec/cli.md), a cgserver component.

One asyncio task per connection reads and writes; the Django work of each line (cli.session:
logins, commands, logging) runs in a small thread pool, so a thousand idle or slow clients cost
a coroutine each, the database sees at most `CLI_WORKERS` connections, and a client that never
reads its answers only blocks its own task. Lines are bounded (`CLI_MAX_LINE` bytes): a longer one
is skipped up to its line end and answered with 500, never buffered whole."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.db import close_old_connections, connections

from cli.dispatch import FAILED, SYNTAX
from cli.session import Reply, Session

DEFAULT_WORKERS = 8
DEFAULT_IDLE_TIMEOUT = 300.0  # spec/cli.md: an idle session is closed after 5 minutes
DEFAULT_MAX_LINE = 4 * 1024 * 1024
DEFAULT_MAX_SESSIONS = 2000
READ_CHUNK = 64 * 1024
BATCH_LINES = 64  # pipelined lines run in one worker job at most; other sessions get a turn between
HOST_NAME_SECONDS = 60.0  # the greeting's host name (the Main Domain's) is re-read this often
CONNECTION_CHECK_SECONDS = 30.0

T = TypeVar("T")


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def _decode(raw: bytes) -> str:
    """UTF-8, as every current client sends; old clients' 8-bit text read as Latin-1 rather than refused."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class Listener:
    """Accepts CLI connections on one address and serves each in its own task."""

    def __init__(self, host: str, port: int, *, workers: int | None = None, idle_timeout: float | None = None,
                 max_line: int | None = None, max_sessions: int | None = None) -> None:
        self.host = host
        self.port = port
        self.workers = int(workers or _setting("CLI_WORKERS", DEFAULT_WORKERS))
        self.idle_timeout = float(idle_timeout or _setting("CLI_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT))
        self.max_line = int(max_line or _setting("CLI_MAX_LINE", DEFAULT_MAX_LINE))
        self.max_sessions = int(max_sessions or _setting("CLI_MAX_SESSIONS", DEFAULT_MAX_SESSIONS))
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="cli")
        self.sessions = 0
        self._ids = itertools.count(1)
        self._server: asyncio.base_events.Server | None = None
        self._host_name = ("", 0.0)
        self._checked: dict[int, float] = {}
        self._tasks: set[asyncio.Task] = set()

    # --- running Django work off the event loop -------------------------------------------------

    def _job(self, function: Callable[[], T]) -> T:
        # Django's request cycle closes broken or expired connections between requests; do the same
        # between jobs, at most every CONNECTION_CHECK_SECONDS per thread (it costs a round trip).
        ident = threading.get_ident()
        now = time.monotonic()
        if now - self._checked.get(ident, 0.0) > CONNECTION_CHECK_SECONDS:
            close_old_connections()
            self._checked[ident] = now
        try:
            return function()
        except Exception:
            close_old_connections()
            raise

    async def run(self, function: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool, self._job, function)

    def _greeting_host(self) -> str:
        from domains.selectors import main_domain_or_none
        from server.osinfo import host_name

        name, at = self._host_name
        if not name or time.monotonic() - at > HOST_NAME_SECONDS:
            main = main_domain_or_none()
            name = main.name if main is not None else host_name()
            self._host_name = (name, time.monotonic())
        return name

    # --- serving ----------------------------------------------------------------------------

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve_client, self.host, self.port, reuse_address=True,
                                                  backlog=1024)
        sockets = self._server.sockets or []
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening, end every session, and let the worker threads go."""
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=10)
        await asyncio.get_running_loop().run_in_executor(None, self._close_connections)

    def _close_connections(self) -> None:
        """Close each worker thread's database connection (a test database cannot be dropped while
        one is open): one job per thread, held at a barrier so that no thread takes two."""
        barrier = threading.Barrier(self.workers)

        def close() -> None:
            connections.close_all()
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(5)

        futures = [self.pool.submit(close) for _ in range(self.workers)]
        wait(futures, timeout=10)
        self.pool.shutdown(wait=True, cancel_futures=True)

    async def _serve_client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer_info = writer.get_extra_info("peername")
        peer = peer_info[0] if isinstance(peer_info, tuple) else ""
        self.sessions += 1
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        session: Session | None = None
        reason = "the client closed the connection"
        try:
            if self.sessions > self.max_sessions:
                writer.write(f"{FAILED} too many CLI sessions, try again later\r\n".encode())
                await writer.drain()
                return
            session_id = next(self._ids)
            session = await self.run(lambda: Session(peer=peer, session_id=session_id,
                                                     host=self._greeting_host()))
            greeting = await self.run(session.greeting)
            await self._send(writer, [greeting])
            reason = await self._conversation(session, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            reason = "the connection was reset"
        except TimeoutError:
            reason = "idle timeout"
            await self._say_goodbye(writer, session, "PWDIdleClosed")
        except Exception as problem:  # one session's failure must never touch the listener
            reason = f"internal error: {type(problem).__name__}"
        except asyncio.CancelledError:
            reason = "the server is stopping"
            await self._say_goodbye(writer, session, "PWDShutdown")
        finally:
            self.sessions -= 1
            self._tasks.discard(task)  # type: ignore[arg-type]
            if session is not None:
                with contextlib.suppress(Exception):
                    await self.run(lambda: session.ended(reason))
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 5)

    async def _say_goodbye(self, writer: asyncio.StreamWriter, session: Session | None, keyword: str) -> None:
        """A last line before the server closes a session itself; never waits on a stalled client."""
        if session is None:
            return
        with contextlib.suppress(Exception):
            line = await asyncio.wait_for(self.run(lambda: session.farewell(keyword)), 5)
            writer.write(f"{line}\r\n".encode())

    async def _conversation(self, session: Session, reader: asyncio.StreamReader,
                            writer: asyncio.StreamWriter) -> str:
        buffer = bytearray()
        skipping = False  # inside a line longer than max_line: drop bytes up to its end
        while True:
            chunk = await asyncio.wait_for(reader.read(READ_CHUNK), self.idle_timeout)
            if not chunk:
                return "the client closed the connection"
            buffer += chunk
            start = 0
            lines: list[str | None] = []  # None: a line too long to read, answered 500 in its place
            while True:
                end = buffer.find(b"\n", start)
                if end < 0:
                    break
                raw = bytes(buffer[start:end])
                start = end + 1
                if skipping or len(raw) > self.max_line:
                    skipping = False
                    lines.append(None)
                    continue
                lines.append(_decode(raw[:-1] if raw.endswith(b"\r") else raw))
            del buffer[:start]
            if len(buffer) > self.max_line:
                skipping = True
                buffer.clear()
            if lines and await self._answer_lines(session, writer, lines):
                return "QUIT" if not session.closed else "closed by the server"

    async def _answer_lines(self, session: Session, writer: asyncio.StreamWriter, lines: list[str | None]) -> bool:
        """Answer the complete lines of one read, in order; True when the session is to close.

        A client that pipelines its commands sends many lines in one read: they go to a worker
        thread together (up to BATCH_LINES at once), and their answers back in one write, instead
        of a thread hand-off and a write for each. A reply that must wait (a failed login) or close
        the session ends its batch, so nothing after it is run before its time."""
        at = 0
        while at < len(lines):
            if lines[at] is None:
                await self._send(writer, [f"{SYNTAX} the command line is longer than {self.max_line} bytes"])
                at += 1
                continue
            batch: list[str] = []
            while at + len(batch) < len(lines) and len(batch) < BATCH_LINES and lines[at + len(batch)] is not None:
                batch.append(lines[at + len(batch)])  # type: ignore[arg-type]
            replies = await self.run(lambda batch=batch: _handle_until_pause(session, batch))
            at += len(replies)
            ready: list[str] = []
            for reply in replies:
                if reply.delay:
                    await self._send(writer, ready)
                    ready = []
                    await asyncio.sleep(reply.delay)
                ready += reply.lines
                if reply.close:
                    await self._send(writer, ready)
                    return True
            await self._send(writer, ready)
        return False

    async def _send(self, writer: asyncio.StreamWriter, lines: list[str]) -> None:
        # One write per answer (or per batch of answers): clients such as CGPCLI read the code
        # with a single recv(4), which a write split inside an answer could cut short.
        if not lines:
            return
        writer.write("".join(f"{line}\r\n" for line in lines).encode("utf-8", "surrogateescape"))
        await asyncio.wait_for(writer.drain(), self.idle_timeout)


def _handle_until_pause(session: Session, lines: list[str]) -> list[Reply]:
    """Run lines in order until one's reply must wait or closes the session (worker thread)."""
    replies = []
    for line in lines:
        reply = session.handle(line)
        replies.append(reply)
        if reply.delay or reply.close:
            break
    return replies


class ListenerThread:
    """A listener on its own event loop in a background thread: for tests and benchmarks, in the
    same process as the test database (`with ListenerThread() as listener: ... listener.port`)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: float) -> None:
        self.listener = Listener(host, port, **options)  # type: ignore[arg-type]
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name="cli-listener", daemon=True)
        self._ready = threading.Event()
        self._stopped: asyncio.Event | None = None

    @property
    def port(self) -> int:
        return self.listener.port

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._serve())

    async def _serve(self) -> None:
        self._stopped = asyncio.Event()
        await self.listener.start()
        self._ready.set()
        await self._stopped.wait()
        await self.listener.close()

    def start(self) -> ListenerThread:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the CLI listener did not start")
        return self

    def stop(self) -> None:
        if self._stopped is not None:
            self.loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(10)

    def __enter__(self) -> ListenerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def listener_command(options: object) -> list[str]:
    """The cgserver component's command line: `manage.py clilistener --bind address:port`."""
    from server.process import cli_port, listen_address

    return [sys.executable, str(Path(settings.PROJECT_DIR) / "manage.py"), "clilistener",
            "--bind", f"{listen_address(options)}:{cli_port(options)}"]  # type: ignore[arg-type]


def register() -> None:
    """Run the CLI listener as a cgserver component."""
    from server.process import Component, cli_port, register_component

    register_component(Component("cli", listener_command, cli_port))  # type: ignore[arg-type]
