"""Records in the OS system log (the seed's "OS syslog"): at start, at stop, on a program error and
on a fatal signal. The server keeps its own Server Log for everything else.

Records go to the local syslog socket (/dev/log, facility mail: the seed's mail.log) as datagrams.
Where there is no syslog socket (containers, some CI machines) they are dropped silently: the OS
log must never stop the server."""

from __future__ import annotations

import contextlib
import faulthandler
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType

from django.conf import settings

IDENT = "cgadmin"
FACILITY_MAIL = 2
CRITICAL, ERROR, WARNING, NOTICE, INFO = 2, 3, 4, 5, 6
DEFAULT_SOCKET = "/dev/log"
_REPEAT_SECONDS = 60.0  # the same error is reported at most once a minute

_recent: dict[str, float] = {}
_recent_lock = threading.Lock()


def socket_path() -> str:
    return str(getattr(settings, "OS_SYSLOG_SOCKET", "") or DEFAULT_SOCKET)


def format_message(severity: int, text: str, *, pid: int | None = None) -> bytes:
    """`<PRI>cgadmin[pid]: text`, as the local syslog daemon expects it."""
    clean = " ".join(text.split())
    return f"<{FACILITY_MAIL * 8 + severity}>{IDENT}[{pid or os.getpid()}]: {clean}".encode()


def send(severity: int, text: str) -> bool:
    """One record to the OS log; False (and nothing else) when there is no syslog socket."""
    path = socket_path()
    if not os.path.exists(path):
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1.0)
            sock.connect(path)
            sock.send(format_message(severity, text))
    except OSError:
        return False
    return True


def server_started(base: str, version: str) -> bool:
    return send(NOTICE, f"server {version} started on {base}")


def server_stopped(base: str, reason: str = "shutdown") -> bool:
    return send(NOTICE, f"server on {base} stopped ({reason})")


def program_error(text: str) -> bool:
    """The server detected its own program error (reported once a minute at most)."""
    now = time.monotonic()
    with _recent_lock:
        if now - _recent.get(text, -1e9) < _REPEAT_SECONDS:
            return False
        _recent[text] = now
    return send(ERROR, f"program error: {text}")


def fatal_signal(component: str, signum: int) -> bool:
    """A component died of a program error signal (SIGSEGV, SIGBUS, SIGABRT, ...)."""
    return send(CRITICAL, f"{component} terminated by signal {signal_name(signum)} ({signum})")


def signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


FATAL_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGABRT") if hasattr(signal, name)
)


def is_fatal_signal(returncode: int | None) -> bool:
    """A child's return code that says a program error signal killed it."""
    return returncode is not None and returncode < 0 and -returncode in FATAL_SIGNALS


def install_error_hooks(component: str) -> None:
    """This process reports its own uncaught exceptions and fatal signals to the OS log.

    A Python handler cannot run safely on SIGSEGV, so faulthandler writes the traceback to stderr
    and the supervisor, seeing the child die of the signal, writes the OS log record."""
    faulthandler.enable(all_threads=True)
    previous: Callable = sys.excepthook

    def report(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        if not issubclass(kind, (KeyboardInterrupt, SystemExit)):
            with contextlib.suppress(Exception):
                program_error(f"{component}: uncaught {kind.__name__}: {value}")
        previous(kind, value, trace)

    sys.excepthook = report
