"""Crash Recovery (the General page's setting): what cgserver does when a component fails.

Every component writes the tracebacks of all its threads to its fault file when a fatal signal
hits it (faulthandler) or an exception nobody caught ends it. With Crash Recovery on, cgserver
logs the failure (Server Log and OS log) and restarts the component; off, it stops the server and
leaves a crash report in the base directory: the failure, the component's tracebacks, and the
tracebacks of every thread of cgserver itself."""

from __future__ import annotations

import contextlib
import faulthandler
import os
import sys
import traceback
from datetime import datetime
from pathlib import Path
from types import TracebackType

from django.conf import settings

from cgadmin.private import PRIVATE_FILE, private_folder

ENV_FAULT_FILE = "CGADMIN_FAULT_FILE"
FAULT_FOLDER = "faults"
REPORT_PREFIX = "CrashReport-"
MAX_FAULT_BYTES = 1024 * 1024

_fault_handle = None


def fault_file(component: str) -> Path:
    """Where a component's process writes its tracebacks (emptied when it is started)."""
    folder = private_folder(Path(settings.CGADMIN_STATE_DIR) / FAULT_FOLDER)
    path = folder / f"{component}.txt"
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE))
    return path


def install_fault_handlers() -> None:
    """In a component's process: fatal signals and uncaught exceptions leave every thread's traceback."""
    global _fault_handle
    path = os.environ.get(ENV_FAULT_FILE)
    if not path or _fault_handle is not None:
        return
    try:
        _fault_handle = open(path, "a")  # noqa: SIM115 - open for the whole life of the process
    except OSError:
        return
    faulthandler.enable(file=_fault_handle, all_threads=True)
    previous = sys.excepthook

    def write_uncaught(kind: type[BaseException], value: BaseException, trace: TracebackType | None) -> None:
        if not issubclass(kind, (KeyboardInterrupt, SystemExit)):
            with contextlib.suppress(Exception):
                _fault_handle.write(f"Uncaught exception in pid {os.getpid()}:\n")
                _fault_handle.write("".join(traceback.format_exception(kind, value, trace)))
                _fault_handle.flush()
                faulthandler.dump_traceback(file=_fault_handle, all_threads=True)
        previous(kind, value, trace)

    sys.excepthook = write_uncaught


def status_text(returncode: int) -> str:
    from logs.oslog import signal_name

    return f"signal {signal_name(-returncode)}" if returncode < 0 else f"exit status {returncode}"


def recovery_enabled() -> bool:
    """The General page's Crash Recovery in force (on when the database cannot say)."""
    from django.db import DatabaseError, close_old_connections

    from server.selectors import server_settings_flag

    try:
        close_old_connections()
        return server_settings_flag("CrashRecovery")
    except DatabaseError:
        return True


def component_failed(component: str, returncode: int) -> str:
    """Record a component's failure in the Server Log and the OS log; its fault file's text."""
    from logs import oslog, serverlog

    text = ""
    with contextlib.suppress(OSError):
        path = Path(settings.CGADMIN_STATE_DIR) / FAULT_FOLDER / f"{component}.txt"
        text = path.read_bytes()[-MAX_FAULT_BYTES:].decode(errors="replace")
    serverlog.log("SYSTEM", serverlog.CRASHES, f"component {component} failed ({status_text(returncode)})")
    if oslog.is_fatal_signal(returncode):
        oslog.fatal_signal(component, -returncode)
    else:
        oslog.program_error(f"component {component} failed ({status_text(returncode)})")
    return text


def write_report(component: str, returncode: int, fault_text: str) -> Path:
    """The crash report in the base directory: the failure, the component's tracebacks, ours."""
    now = datetime.now()
    path = Path(settings.CGATE_BASE) / f"{REPORT_PREFIX}{now:%Y%m%d-%H%M%S}.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)  # tracebacks show the data in hand: the server's user only
    with os.fdopen(fd, "w") as report:
        report.write(f"cgadmin {settings.CGADMIN_VERSION} (CommuniGate Pro {settings.CGATE_VERSION}) crash report\n")
        report.write(f"time: {now:%Y-%m-%d %H:%M:%S}\nbase directory: {settings.CGATE_BASE}\n")
        report.write(f"component: {component}\nfailure: {status_text(returncode)}\n")
        report.write("Crash Recovery is off: the server stopped.\n\n")
        report.write(f"== tracebacks of every thread of the {component} process ==\n")
        report.write(fault_text or "(the component left no traceback: it was killed or exited on its own)\n")
        report.write(f"\n== tracebacks of every thread of cgserver (pid {os.getpid()}) ==\n")
        report.flush()
        faulthandler.dump_traceback(file=report, all_threads=True)
    return path
