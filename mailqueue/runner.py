"""The queue runner: a small process (a cgserver component) that watches Submitted/ and keeps
the queue moving. It polls the folder every POLL_SECONDS (a rename is picked up well within the
2 s the PIPE module promises), queues what it finds, and asks a Celery worker to deliver; every
SWEEP_SECONDS it also finishes what crashes left half done and kicks the workers again, since a
task lost with a killed worker would otherwise wait for the broker's visibility timeout.

With `deliver_inline` it delivers itself instead (no Celery needed: tests, benchmarks, tiny sites)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections
from django.db.utils import DatabaseError
from django.utils import timezone

from cgadmin.celery import send_task
from logs import serverlog

POLL_SECONDS = 0.1
SWEEP_SECONDS = 5.0
KICK_SECONDS = 0.25
HEARTBEAT_SECONDS = 5.0


def queue_runner_command(options: object) -> list[str]:
    return [sys.executable, str(Path(settings.PROJECT_DIR) / "manage.py"), "queuerunner"]


def register() -> None:
    """Run the queue runner as a cgserver component."""
    from server.process import Component, register_component

    register_component(Component("queue", queue_runner_command))


def due_work_exists() -> bool:
    from django.db.models import Q

    from mailqueue.models import QueuedMessage

    now = timezone.now()
    return (
        QueuedMessage.objects.filter(state=QueuedMessage.QUEUED, next_attempt__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .exists()
    )


class Runner:
    """One queue runner: pickup, kicks, sweeps."""

    def __init__(self, *, deliver_inline: bool = False, poll_seconds: float = POLL_SECONDS,
                 heartbeat: Path | None = None) -> None:
        self.deliver_inline = deliver_inline
        self.poll_seconds = poll_seconds
        self.heartbeat = heartbeat  # a file touched while the loop turns (the container's health check)
        self.last_heartbeat = 0.0
        self.last_kick = 0.0
        self.last_sweep = 0.0

    def kick(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self.last_kick < KICK_SECONDS:
            return
        self.last_kick = now
        if self.deliver_inline:
            return
        send_task("mailqueue.tasks.deliver_due")  # ask a worker to deliver now

    def step(self) -> bool:
        """One round: pick up, deliver (inline) or kick, sweep when due. True if it found work."""
        from mailqueue.delivery import batch_size, claim, process
        from mailqueue.pipe import pickup, pickup_batch
        from mailqueue.sweep import sweep

        busy = False
        picked = pickup(limit=pickup_batch())
        if picked.queued:
            busy = True
            self.kick()
        if self.deliver_inline:
            batch = claim(batch_size())
            if batch:
                process(batch)
                busy = True
        now = time.monotonic()
        if now - self.last_sweep >= SWEEP_SECONDS:
            self.last_sweep = now
            close_old_connections()
            sweep()
            if not self.deliver_inline and due_work_exists():
                self.kick(force=True)
        return busy or bool(picked)

    def run(self, should_stop: Callable[[], bool]) -> None:
        from mailqueue import queuefile

        serverlog.log("PIPE", serverlog.MAJOR, "queue runner started: watching Submitted/")
        with queuefile.background_removal():  # waits for the removals handed over when it stops
            self._loop(should_stop)
        serverlog.log("PIPE", serverlog.MAJOR, "queue runner stopped")

    def beat_heart(self) -> None:
        now = time.monotonic()
        if self.heartbeat is None or now - self.last_heartbeat < HEARTBEAT_SECONDS:
            return
        self.last_heartbeat = now
        self.heartbeat.touch()

    def _loop(self, should_stop: Callable[[], bool]) -> None:
        while not should_stop():
            self.beat_heart()
            try:
                busy = self.step()
            except DatabaseError as error:
                serverlog.log("QUEUE", serverlog.PROBLEMS, f"queue runner: database error: {error}")
                close_old_connections()
                time.sleep(1.0)
                continue
            if not busy:
                time.sleep(self.poll_seconds)
