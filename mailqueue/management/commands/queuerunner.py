"""`manage.py queuerunner`: watch Submitted/ and keep the queue moving (a cgserver component)."""

from __future__ import annotations

import signal
from pathlib import Path

from django.core.management.base import BaseCommand

from cgadmin import context
from mailqueue.runner import POLL_SECONDS, Runner


class Command(BaseCommand):
    help = "Pick up Submitted/ files and deliver queued messages (with --deliver, without Celery)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--deliver", action="store_true", help="deliver in this process instead of Celery")
        parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between looks at Submitted/")
        parser.add_argument("--heartbeat", type=Path, default=None,
                            help="a file touched every few seconds while the runner works (for health checks)")

    def handle(self, *args: str, **options: object) -> None:
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        signal.signal(signal.SIGINT, lambda *_: stopping.append(True))
        runner = Runner(deliver_inline=bool(options["deliver"]), poll_seconds=float(options["poll"]),  # type: ignore[arg-type]
                        heartbeat=options["heartbeat"])  # type: ignore[arg-type]
        with context.calling_from(context.SYSTEM):
            self.stdout.write("queue runner started")  # for whoever waits for it to be up
            self.stdout.flush()
            runner.run(lambda: bool(stopping))
