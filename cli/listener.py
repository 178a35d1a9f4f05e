"""The CLI listener: PWD/CLI over TCP (spec/cli.md), a cgserver component.

Each connection is an asyncio protocol on one event loop; the Django work of its lines (cli.session:
logins, commands, logging) runs in a small pool of worker threads, so a thousand idle or slow
clients cost an object each, the database sees at most `CLI_WORKERS` connections, and a client that
never reads its answers only stops its own session. A script sending command after command (what
provisioning tools do) is served by its worker directly: after writing an answer on the socket, a
worker with nothing else queued waits up to `CLI_LINGER` seconds for that session's next line, so a
tight loop of commands does not pay two thread hand-offs per command. Lines are bounded
(`CLI_MAX_LINE` bytes): a longer one is skipped up to its line end and answered with 500, never
buffered whole.

Connections that have not logged in yet are held short, so that they cannot crowd out the
administrators: they must log in within `CLI_LOGIN_TIMEOUT` seconds of connecting (a deadline,
which no byte they send moves), their lines are bounded by `CLI_LOGIN_MAX_LINE`, at most
`CLI_LOGIN_PER_ADDRESS` of them come from one address (one IPv6 /64) and at most `CLI_LOGIN_MAX`
in all, so the rest of `CLI_MAX_SESSIONS` is always there for logged-in sessions. Worker threads
take the jobs of logged-in sessions before those of sessions still logging in."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import itertools
import queue
import select
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from django.conf import settings
from django.db import close_old_connections, connections

from cli.dispatch import FAILED, SYNTAX, split_verb
from cli.session import Session

DEFAULT_WORKERS = 8
DEFAULT_IDLE_TIMEOUT = 300.0  # spec/cli.md: an idle session is closed after 5 minutes
DEFAULT_MAX_LINE = 4 * 1024 * 1024
DEFAULT_MAX_SESSIONS = 2000
DEFAULT_LINGER = 0.002  # a script's next command comes well within this; an interactive one goes back
DEFAULT_LOGIN_TIMEOUT = 30.0
DEFAULT_LOGIN_MAX_LINE = 4096
DEFAULT_LOGIN_PER_ADDRESS = 16
DEFAULT_LOGIN_MAX = 500
READ_CHUNK = 64 * 1024
BATCH_LINES = 64  # pipelined lines run in one worker job at most; other sessions get a turn between
HOST_NAME_SECONDS = 60.0  # the greeting's host name (the Main Domain's) is re-read this often
CONNECTION_CHECK_SECONDS = 30.0
CLOSE_GRACE_SECONDS = 5.0  # a closed session's unsent answers get this long before the connection is cut
STOP_SECONDS = 10.0
DISCARD_CHUNKS = 64  # at most this many reads of unread input when a session ends


def _setting(name: str, default: float) -> float:
    return getattr(settings, name, default)


def _decode(raw: bytes) -> str:
    """UTF-8, as every current client sends; old clients' 8-bit text read as Latin-1 rather than refused."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _encode(lines: list[str]) -> bytes:
    return "".join(f"{line}\r\n" for line in lines).encode("utf-8", "surrogateescape")


class LineSplitter:
    """Complete command lines out of a byte stream: LF or CRLF ends; a line over max_line is None."""

    def __init__(self, max_line: int) -> None:
        self.max_line = max_line
        self.buffer = bytearray()
        self.skipping = False  # inside a line longer than max_line: drop bytes up to its end

    def feed(self, data: bytes) -> list[str | None]:
        self.buffer += data
        lines: list[str | None] = []
        start = 0
        while (end := self.buffer.find(b"\n", start)) >= 0:
            raw = bytes(self.buffer[start:end - 1 if end > start and self.buffer[end - 1] == 13 else end])
            start = end + 1
            if self.skipping or len(raw) > self.max_line:
                self.skipping = False
                lines.append(None)
                continue
            lines.append(_decode(raw))
        del self.buffer[:start]
        if len(self.buffer) > self.max_line + 1:  # + 1: the CR of a line of max_line bytes
            self.skipping = True
            self.buffer.clear()
        return lines


@dataclass
class Outcome:
    """What a worker hands back to the event loop for one connection: answers still to write, and
    whether to wait first (a failed login) or close afterwards."""

    unsent: bytes = b""
    close: bool = False
    reason: str = ""
    delay: float = 0.0
    after: Outcome | None = None  # what to do once the delay is over


class WorkerPool:
    """`size` threads running connection jobs in turn; each keeps its own database connection.
    Urgent jobs (logged-in sessions') are taken before the others, so that clients still logging
    in (a password hash each) never make an administrator's command wait behind them."""

    def __init__(self, size: int) -> None:
        # One token a job, in a C queue the threads block on; the job itself waits in one of two
        # deques. A job is always appended before its token, so a thread holding a token always
        # finds a job (pops are atomic; one found gone meanwhile means another is there).
        self.tokens: queue.SimpleQueue = queue.SimpleQueue()
        self.urgent: deque = deque()
        self.normal: deque = deque()
        self.threads = [threading.Thread(target=self._work, name=f"cli-{number}", daemon=True)
                        for number in range(size)]
        for thread in self.threads:
            thread.start()

    def submit(self, job: Callable[[], object], done: Callable[[object], None], *, urgent: bool = False) -> None:
        """Run job in a worker; done(result or the exception it raised) is called in that worker."""
        (self.urgent if urgent else self.normal).append((job, done))
        self.tokens.put(None)

    def idle(self) -> bool:
        return self.tokens.empty()

    def stop(self, timeout: float) -> None:
        """Let every thread close its database connection and end."""
        for _ in self.threads:
            self.normal.append(None)
            self.tokens.put(None)
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _next(self) -> tuple[Callable[[], object], Callable[[object], None]] | None:
        self.tokens.get()
        while True:
            for jobs in (self.urgent, self.normal):
                with contextlib.suppress(IndexError):
                    return jobs.popleft()

    def _work(self) -> None:
        checked = 0.0
        while (item := self._next()) is not None:
            job, done = item
            # Django's request cycle closes broken or expired connections between requests; do the
            # same between jobs, at most every CONNECTION_CHECK_SECONDS (it costs a round trip).
            if time.monotonic() - checked > CONNECTION_CHECK_SECONDS:
                close_old_connections()
                checked = time.monotonic()
            try:
                result = job()
            except Exception as problem:
                close_old_connections()
                result = problem
            with contextlib.suppress(Exception):
                done(result)
        connections.close_all()


class Listener:
    """Accepts CLI connections on one address and serves each as a Connection."""

    def __init__(self, host: str, port: int, *, workers: int | None = None, idle_timeout: float | None = None,
                 max_line: int | None = None, max_sessions: int | None = None, linger: float | None = None,
                 login_timeout: float | None = None, login_max_line: int | None = None,
                 login_per_address: int | None = None, login_max: int | None = None) -> None:
        self.host = host
        self.port = port
        self.workers = int(workers or _setting("CLI_WORKERS", DEFAULT_WORKERS))
        self.idle_timeout = float(idle_timeout or _setting("CLI_IDLE_TIMEOUT", DEFAULT_IDLE_TIMEOUT))
        self.max_line = int(max_line or _setting("CLI_MAX_LINE", DEFAULT_MAX_LINE))
        self.max_sessions = int(max_sessions or _setting("CLI_MAX_SESSIONS", DEFAULT_MAX_SESSIONS))
        self.linger = float(_setting("CLI_LINGER", DEFAULT_LINGER) if linger is None else linger)
        self.login_timeout = float(login_timeout or _setting("CLI_LOGIN_TIMEOUT", DEFAULT_LOGIN_TIMEOUT))
        self.login_max_line = min(self.max_line,
                                  int(login_max_line or _setting("CLI_LOGIN_MAX_LINE", DEFAULT_LOGIN_MAX_LINE)))
        self.login_per_address = int(login_per_address or _setting("CLI_LOGIN_PER_ADDRESS", DEFAULT_LOGIN_PER_ADDRESS))
        self.login_max = int(login_max or _setting("CLI_LOGIN_MAX", DEFAULT_LOGIN_MAX))
        self.logging_in: dict[str, int] = {}  # connections not logged in yet, by address_key
        self.logging_in_total = 0
        self.pool: WorkerPool | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.sessions = 0
        self.closing = False
        self.connections: set[Connection] = set()
        self._ids = itertools.count(1)
        self._server: asyncio.base_events.Server | None = None
        self._host_name = ("", 0.0)

    def greeting_host(self) -> str:
        """The Main Domain's name, re-read every HOST_NAME_SECONDS (worker thread)."""
        from domains.selectors import main_domain_or_none
        from server.osinfo import host_name

        name, at = self._host_name
        if not name or time.monotonic() - at > HOST_NAME_SECONDS:
            main = main_domain_or_none()
            name = main.name if main is not None else host_name()
            self._host_name = (name, time.monotonic())
        return name

    def next_session_id(self) -> int:
        return next(self._ids)

    def take_login_slot(self, key: str) -> str:
        """Count one more connection logging in from this address; the refusal's text when full."""
        if self.logging_in.get(key, 0) >= self.login_per_address:
            return "too many connections from your address are logging in, try again later"
        if self.logging_in_total >= self.login_max:
            return "too many connections are logging in, try again later"
        self.logging_in[key] = self.logging_in.get(key, 0) + 1
        self.logging_in_total += 1
        return ""

    def give_login_slot(self, key: str) -> None:
        """That connection logged in or went away."""
        left = self.logging_in.pop(key, 1) - 1
        if left:
            self.logging_in[key] = left
        self.logging_in_total -= 1

    def submit(self, job: Callable[[], object], done: Callable[[object], None], *, urgent: bool = False) -> None:
        """Run job in a worker thread, then done(result) on the event loop."""
        assert self.pool is not None
        loop = self.event_loop

        def hand_back(result: object) -> None:
            loop.call_soon_threadsafe(done, result)

        self.pool.submit(job, hand_back, urgent=urgent)

    @property
    def event_loop(self) -> asyncio.AbstractEventLoop:
        """The loop serving the connections (there from start() on)."""
        assert self.loop is not None
        return self.loop

    def may_linger(self) -> bool:
        """A worker may wait for its session's next line: nothing else is waiting for a worker."""
        return self.linger > 0 and self.pool is not None and self.pool.idle()

    # --- serving ----------------------------------------------------------------------------

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.pool = WorkerPool(self.workers)
        self._server = await self.loop.create_server(lambda: Connection(self), self.host, self.port,
                                                     reuse_address=True, backlog=1024)
        sockets = self._server.sockets
        if sockets:
            self.port = sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        assert self._server is not None
        async with self._server:
            await self._server.serve_forever()

    async def close(self) -> None:
        """Stop listening, end every session (PWDShutdown), and let the worker threads go."""
        self.closing = True
        if self._server is not None:
            self._server.close()
        for connection in list(self.connections):
            connection.shut_down()
        deadline = time.monotonic() + STOP_SECONDS
        while self.connections and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        aborted = list(self.connections)
        for connection in aborted:
            connection.abort("the server is stopping")
        # Their last log lines are queued by connection_lost, or by _finished once a worker is back
        # from a job it had: both must reach the pool before its threads are told to stop.
        deadline = time.monotonic() + STOP_SECONDS
        await asyncio.sleep(0)
        while any(connection.working for connection in aborted) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        if self.pool is not None:
            # a test database cannot be dropped while a worker's connection to it is open
            await asyncio.get_running_loop().run_in_executor(None, self.pool.stop, STOP_SECONDS)


class Connection(asyncio.Protocol):
    """One CLI connection. Its methods run on the event loop, except those marked (worker thread).
    While a worker job runs (`working`) or a failed login waits (`waiting`), reading from the
    transport is paused and the loop writes nothing to it; a job that may answer directly gets a
    duplicate of the socket, made and closed by the loop around the job."""

    def __init__(self, listener: Listener) -> None:
        self.listener = listener
        self.transport: asyncio.Transport | None = None
        self.session: Session | None = None
        self.peer = ""
        self.local_address = ""
        self.splitter = LineSplitter(listener.login_max_line)  # raised to max_line at the login
        self.pending: deque[str | int] = deque()  # lines received and not yet run, in order; an int
        # stands for a line over the limit (the int) that was skipped
        self.working = False
        self.waiting: asyncio.TimerHandle | None = None
        self._delayed = Outcome()  # what a failed login's answer does once its delay is over
        self.closing = False  # the session is ending: nothing more of it runs
        self.stopping = False  # the server is shutting down: PWDShutdown once the worker is back
        self.writing_paused = False
        self.reason = "the client closed the connection"
        self.last_active = time.monotonic()
        self._idle_timer: asyncio.TimerHandle | None = None
        self._login_timer: asyncio.TimerHandle | None = None
        self._login_slot: str | None = None  # the address key while counted as logging in
        self._socket: socket.socket | None = None
        self._counted = False
        self._lost = False
        self._ended = False

    @property
    def busy(self) -> bool:
        return self.working or self.waiting is not None

    @property
    def logged_in(self) -> bool:
        return self.session is not None and self.session.account is not None

    # --- asyncio's callbacks ----------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # create_server's: a stream transport
        peer, local = transport.get_extra_info("peername"), transport.get_extra_info("sockname")
        self.peer = peer[0] if isinstance(peer, tuple) else ""
        self.local_address = local[0] if isinstance(local, tuple) else ""
        self.listener.connections.add(self)
        self.listener.sessions += 1
        self._counted = True
        if self.listener.closing:
            self._close("the server is stopping")
            return
        if self.listener.sessions > self.listener.max_sessions:
            self.transport.write(f"{FAILED} too many CLI sessions, try again later\r\n".encode())
            self._close("too many sessions")
            return
        key = address_key(self.peer)
        refusal = self.listener.take_login_slot(key)
        if refusal:
            self.transport.write(f"{FAILED} {refusal}\r\n".encode())
            self._close(refusal)
            return
        self._login_slot = key
        self._login_timer = self.listener.event_loop.call_later(self.listener.login_timeout, self._check_login)
        self._arm_idle_timer(self.listener.idle_timeout)
        session_id = self.listener.next_session_id()
        self._dispatch(lambda: self._open_session(session_id), direct=False)

    def data_received(self, data: bytes) -> None:
        if self.closing:
            return
        self.last_active = time.monotonic()
        lines = self._split(data)
        if lines:
            self.pending.extend(lines)
            self._carry_on()

    def eof_received(self) -> bool:
        return False  # close our side too

    def pause_writing(self) -> None:
        self.writing_paused = True  # a client not reading its answers: run none of its commands meanwhile
        if self.transport is not None and not self.busy:
            self.transport.pause_reading()

    def resume_writing(self) -> None:
        self.writing_paused = False
        self._carry_on()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = True
        self.closing = True
        if self._counted:
            self.listener.sessions -= 1
            self._counted = False
        self.listener.connections.discard(self)
        self._leave_login_wait()
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        if self.waiting is not None:
            self.waiting.cancel()
            self.waiting = None
        if exc is not None and self.reason == "the client closed the connection":
            self.reason = "the connection was reset"
        if self.working:
            self._wake_worker()  # it gives the connection back, and _finished ends the session
        else:
            self._discard_unread()
            self._end_session()

    # --- handing work to the workers --------------------------------------------------------

    def _carry_on(self) -> None:
        """Run the pending lines, unless something stops it; with none, read on."""
        if self.closing or self.busy or self.transport is None or self.transport.is_closing():
            return
        if self.writing_paused:
            self.transport.pause_reading()
        elif self.pending:
            self._dispatch(self._work, direct=True)
        else:
            self.transport.resume_reading()

    def _dispatch(self, job: Callable[[], Outcome], *, direct: bool) -> None:
        assert self.transport is not None
        self.working = True
        self.transport.pause_reading()
        if direct and not self.transport.get_write_buffer_size():
            self._socket = self._duplicate_socket()
        self.listener.submit(job, self._finished, urgent=self.logged_in)

    def _duplicate_socket(self) -> socket.socket | None:
        """The transport's socket again, for a worker to answer on directly; None when there is none."""
        assert self.transport is not None
        try:
            duplicate = self.transport.get_extra_info("socket").dup()
            duplicate.setblocking(False)
        except (OSError, AttributeError):
            return None
        return duplicate

    def _finished(self, outcome: object) -> None:
        """A worker is done with this connection: write what it left, then go on as it says."""
        self.working = False
        self._drop_socket()
        if self._lost:
            self._end_session()
            return
        assert self.transport is not None
        if self.transport.is_closing():
            return
        if not isinstance(outcome, Outcome):  # the job raised: one session's failure never touches the rest
            self._close(f"internal error: {type(outcome).__name__}")
            return
        if outcome.unsent:
            self.transport.write(outcome.unsent)
        if outcome.close:
            self._close(outcome.reason)
        elif outcome.delay and not self.stopping:  # reading stays paused: nothing runs before its time
            self._delayed = outcome.after or Outcome()
            self.waiting = self.listener.event_loop.call_later(outcome.delay, self._delay_over)
        elif self.stopping:
            if outcome.after is not None and outcome.after.unsent:
                self.transport.write(outcome.after.unsent)  # the failed login's answer, without its wait
            self.shut_down()
        else:
            self._carry_on()

    def _delay_over(self) -> None:
        self.waiting = None
        self._finished(self._delayed)

    # --- worker-thread jobs ------------------------------------------------------------------

    def _open_session(self, session_id: int) -> Outcome:
        """(worker thread) Start the session and greet the client."""
        self.session = Session(peer=self.peer, session_id=session_id, host=self.listener.greeting_host(),
                               local_address=self.local_address)
        return Outcome(_encode([self.session.greeting()]))

    def _work(self) -> Outcome:
        """(worker thread) Run the pending lines in order; while the client sends its next command at
        once and no other session waits, answer it on the socket here and run that one too."""
        sock = self._socket
        while True:
            outcome = self._answer()
            if outcome.close or outcome.delay or self.pending or sock is None:
                return outcome  # lines left over: other sessions get a turn first
            unsent = _send_now(sock, outcome.unsent)
            if unsent is None:
                return Outcome(close=True, reason="the connection was reset")
            if unsent or not self._may_linger():
                return Outcome(unsent)
            data = self._next_data(sock)
            if data is None:
                return Outcome()
            if not data:
                return Outcome(close=True, reason="the client closed the connection")
            self.pending.extend(self._split(data))
            if not self.pending:
                return Outcome()

    def _answer(self) -> Outcome:
        """(worker thread) Answers to up to BATCH_LINES pending lines, stopping at one that must wait
        or closes the session."""
        assert self.session is not None
        answers: list[str] = []
        for _ in range(min(BATCH_LINES, len(self.pending))):
            if self.closing:  # the connection went away meanwhile: run nothing more of it
                break
            line = self.pending.popleft()
            if isinstance(line, int):
                answers.append(f"{SYNTAX} the command line is longer than {line} bytes")
                continue
            reply = self.session.handle(line)
            if self._login_slot is not None and self.session.account is not None:
                self._logged_in_now()
            if reply.delay:
                after = Outcome(_encode(reply.lines), close=reply.close, reason=_close_reason(line))
                return Outcome(_encode(answers), delay=reply.delay, after=after)
            answers += reply.lines
            if reply.close:
                self.pending.clear()  # nothing after QUIT runs
                return Outcome(_encode(answers), close=True, reason=_close_reason(line))
        return Outcome(_encode(answers))

    def _logged_in_now(self) -> None:
        """(worker thread) The lines that follow may be long; the slot among the connections logging
        in is given back before the answer goes out (the loop runs this callback before it sees
        anything the client does after reading it)."""
        self.splitter.max_line = self.listener.max_line
        self.listener.event_loop.call_soon_threadsafe(self._leave_login_wait)

    def _split(self, data: bytes) -> list[str | int]:
        """The complete lines in data, an over-long one as the limit it broke (loop, or the worker
        holding the connection: never both at once)."""
        limit = self.splitter.max_line
        return [limit if line is None else line for line in self.splitter.feed(data)]

    def _may_linger(self) -> bool:
        return not (self.closing or self.stopping or self.listener.closing) and self.listener.may_linger()

    def _next_data(self, sock: socket.socket) -> bytes | None:
        """(worker thread) The client's next bytes if they come within the linger time; b"" at its end."""
        poller = select.poll()
        poller.register(sock.fileno(), select.POLLIN)
        if not poller.poll(self.listener.linger * 1000):
            return None
        try:
            data = sock.recv(READ_CHUNK)
        except BlockingIOError:
            return None
        except OSError:
            return b""
        self.last_active = time.monotonic()
        return data

    # --- ending ---------------------------------------------------------------------------------

    def shut_down(self) -> None:
        """The server is stopping: PWDShutdown, then close (once the worker is back, if one works)."""
        self.stopping = True
        if self.waiting is not None:  # a failed login's delay is not worth waiting for now
            self.waiting.cancel()
            self.waiting = None
            if self._delayed.unsent and self.transport is not None and not self.transport.is_closing():
                self.transport.write(self._delayed.unsent)
        if not self.working and not self.closing:
            self._goodbye("PWDShutdown", "the server is stopping")

    def abort(self, reason: str) -> None:
        """Cut the connection now (nothing more is written to it)."""
        if self.reason == "the client closed the connection":
            self.reason = reason
        self._wake_worker()
        if self.transport is not None:
            self.transport.abort()

    def _goodbye(self, keyword: str, reason: str) -> None:
        """A last line before the server closes the session itself (the loop; not while working)."""
        session = self.session
        if session is None or self.transport is None or self.transport.is_closing():
            self._close(reason)
            return
        self.closing = True
        self.pending.clear()
        self._dispatch(lambda: Outcome(_encode([session.farewell(keyword)]), close=True, reason=reason),
                       direct=False)

    def _close(self, reason: str) -> None:
        assert self.transport is not None
        self.closing = True
        self.pending.clear()
        self.reason = reason or self.reason
        self.transport.close()
        self._watch_unsent(self.transport.get_write_buffer_size())

    def _watch_unsent(self, unsent: int) -> None:
        """Cut the connection of a client that stops reading what is left, not of a slow reader."""
        if unsent and not self._lost:
            self.listener.event_loop.call_later(CLOSE_GRACE_SECONDS, self._check_unsent, unsent)

    def _check_unsent(self, before: int) -> None:
        if self._lost or self.transport is None:
            return
        now = self.transport.get_write_buffer_size()
        if now and now >= before:
            self.abort("the client stopped reading")
        else:
            self._watch_unsent(now)

    def _end_session(self) -> None:
        """Log the end of the session once, after its last job (the loop)."""
        session, reason = self.session, self.reason
        if self._ended or session is None:
            return
        self._ended = True
        self.listener.submit(lambda: session.ended(reason), lambda _result: None)

    def _discard_unread(self) -> None:
        """Read away what the client sent and nothing will run (the socket is closed right after
        this): closing a socket with unread data resets the connection, and the client would lose
        the answers and the goodbye still on their way to it."""
        duplicate = self._duplicate_socket()
        if duplicate is None:
            return
        with duplicate, contextlib.suppress(OSError):
            for _ in range(DISCARD_CHUNKS):
                if not duplicate.recv(READ_CHUNK):
                    break

    def _wake_worker(self) -> None:
        """A worker waiting on the duplicate socket returns at once (the descriptor stays valid)."""
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.shutdown(socket.SHUT_RDWR)

    def _drop_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()
            self._socket = None

    def _check_login(self) -> None:
        """The login deadline: a connection not logged in by now is closed, whatever it sent."""
        self._login_timer = None
        if self._lost or self.closing or self.logged_in:
            return
        if self.working:  # a PASS may be logging it in right now: look again when the worker is back
            self._login_timer = self.listener.event_loop.call_later(0.1, self._check_login)
            return
        if self.waiting is not None:  # a failed login's delay does not buy more time
            self.waiting.cancel()
            self.waiting = None
            if self._delayed.unsent and self.transport is not None and not self.transport.is_closing():
                self.transport.write(self._delayed.unsent)
        self._goodbye("PWDIdleClosed", f"no login within {self.listener.login_timeout:g} s")

    def _leave_login_wait(self) -> None:
        """Logged in, or gone: no longer counted against the limits of connections logging in."""
        if self._login_slot is not None:
            self.listener.give_login_slot(self._login_slot)
            self._login_slot = None
            self.splitter.max_line = self.listener.max_line
        if self._login_timer is not None:
            self._login_timer.cancel()
            self._login_timer = None

    def _arm_idle_timer(self, seconds: float) -> None:
        self._idle_timer = self.listener.event_loop.call_later(seconds, self._check_idle)

    def _check_idle(self) -> None:
        if self._lost or self.closing:
            return
        left = self.last_active + self.listener.idle_timeout - time.monotonic()
        if self.busy or left > 0:
            self._arm_idle_timer(max(left, 1.0 if self.busy else 0.05))
            return
        self._goodbye("PWDIdleClosed", "idle timeout")


def _send_now(sock: socket.socket, data: bytes) -> bytes | None:
    """(worker thread) Send what the socket takes now; the rest (for the loop to write), None if gone."""
    try:
        sent = sock.send(data)
    except BlockingIOError:
        return data
    except OSError:
        return None
    return data[sent:]


def address_key(peer: str) -> str:
    """Whom the per-address limit counts together: an IPv4 address, or an IPv6 /64 (one host's
    usual share, which it can fill with addresses at will)."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return peer
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _close_reason(line: str) -> str:
    return "QUIT" if split_verb(line)[0].lower() == "quit" else "closed by the server"


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
        self._thread.join(STOP_SECONDS * 3)

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

    register_component(Component("cli", listener_command, cli_port))
