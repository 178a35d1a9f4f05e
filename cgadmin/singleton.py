"""What must run once however many nodes run: guarded by the database, not by luck.

- The beat scheduler: every node may start one (compose's `beat` service, cgserver's embedded beat),
  but only the one holding a PostgreSQL session advisory lock schedules; the others wait for it. The
  lock lives on a connection of its own, so a beat killed with `kill -9` (or a node gone) releases
  it the moment PostgreSQL sees the connection close, and a waiting beat takes over.
- Singleton tasks (log rotation, the statistics sample): a run finding another one still running
  skips, on a transaction-free session lock that goes with its connection too.

On SQLite (the embedded default: one server, one beat) there is nothing to guard."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from django.db import connection, connections

BEAT_LOCK = (0x43474254, 1)  # "CGBT": held by the one beat that schedules
TASK_LOCK_NAMESPACE = 0x43475354  # "CGST": one key per singleton task (hashtext of its name)
BEAT_RETRY_SECONDS = 2.0
BEAT_CHECK_SECONDS = 5.0

log = logging.getLogger(__name__)
_beat_connection: Any = None  # the connection holding BEAT_LOCK, kept for the life of the process

F = TypeVar("F", bound=Callable[..., Any])


def _new_raw_connection() -> Any:
    """A psycopg connection of its own (autocommit), outside Django's per-thread handling."""
    wrapper = connections["default"]
    raw = wrapper.get_new_connection(wrapper.get_connection_params())
    raw.autocommit = True
    return raw


def _try_beat_lock(raw: Any) -> bool:
    return bool(raw.execute("SELECT pg_try_advisory_lock(%s, %s)", list(BEAT_LOCK)).fetchone()[0])


def hold_beat_lock(*, retry_seconds: float = BEAT_RETRY_SECONDS, say: Callable[[str], None] = log.warning) -> bool:
    """Wait until this process holds the beat lock (False on SQLite, where none is needed)."""
    global _beat_connection
    if connections["default"].vendor != "postgresql" or _beat_connection is not None:
        return False
    raw = _new_raw_connection()
    waiting_said = False
    while not _try_beat_lock(raw):
        if not waiting_said:
            say(f"beat: another beat holds the schedule (its database session: pid {beat_lock_holder(raw)}); "
                "waiting to take over")
            waiting_said = True
        time.sleep(retry_seconds)
    _beat_connection = raw
    say(f"beat: this process (pid {os.getpid()}) holds the schedule")
    threading.Thread(target=_watch_beat_connection, args=(raw,), name="beat-lock", daemon=True).start()
    return True


def _watch_beat_connection(raw: Any) -> None:
    """A lost lock connection means another beat may take over: stop scheduling (the service restarts)."""
    while _beat_connection is raw:
        time.sleep(BEAT_CHECK_SECONDS)
        try:
            raw.execute("SELECT 1")
        except Exception as error:  # any failure of this connection: the lock may be gone
            if _beat_connection is not raw:
                return  # let go on purpose (release_beat_lock)
            log.error("beat: the connection holding the schedule lock failed (%s); stopping", error)
            os.kill(os.getpid(), signal.SIGTERM)
            return


def release_beat_lock() -> None:
    """Give the schedule up (another beat takes over); the lock also goes when the process ends."""
    global _beat_connection
    raw, _beat_connection = _beat_connection, None
    if raw is not None:
        raw.close()


def beat_lock_holder(raw: Any = None) -> int | None:
    """The backend pid of the session holding the beat lock now (None: no beat schedules)."""
    query = ("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
             " AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 2"
             " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")
    if raw is not None:
        row = raw.execute(query, list(BEAT_LOCK)).fetchone()
    else:
        with connection.cursor() as cursor:
            cursor.execute(query, list(BEAT_LOCK))
            row = cursor.fetchone()
    return row[0] if row else None


@contextlib.contextmanager
def task_turn(name: str) -> Iterator[bool]:
    """Whether this process may run the singleton task `name` now (tried, never waited for)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, hashtext(%s))", [TASK_LOCK_NAMESPACE, name])
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, hashtext(%s))", [TASK_LOCK_NAMESPACE, name])


def singleton(name: str) -> Callable[[F], F]:
    """Decorate a task body: a run that finds another one running skips (returns None)."""

    def decorate(function: F) -> F:
        @functools.wraps(function)
        def run_once(*args: Any, **kwargs: Any) -> Any:
            with task_turn(name) as mine:
                return function(*args, **kwargs) if mine else None

        return run_once  # type: ignore[return-value]

    return decorate
