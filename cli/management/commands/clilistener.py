"""`manage.py clilistener --bind address:port`: the PWD/CLI listener (a cgserver component)."""

from __future__ import annotations

import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError

from cli.listener import Listener
from logs import serverlog

LOG_TAG = "CLI"


class Command(BaseCommand):
    help = "Serve the network CLI (spec/cli.md) on one address until SIGTERM or SIGINT."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default="127.0.0.1:8106", help="address:port to listen on")

    def handle(self, *args: str, **options: object) -> None:
        host, _, port = str(options["bind"]).rpartition(":")
        if not port.isdigit():
            raise CommandError(f"--bind needs address:port, not {options['bind']!r}")
        asyncio.run(self._serve(host.strip("[]") or "127.0.0.1", int(port)))

    async def _serve(self, host: str, port: int) -> None:
        listener = Listener(host, port)
        try:
            await listener.start()
        except OSError as error:
            serverlog.log(LOG_TAG, serverlog.CRASHES, f"cannot listen on {host}:{port}: {error}")
            raise CommandError(f"clilistener: cannot listen on {host}:{port}: {error}")
        serverlog.log(LOG_TAG, serverlog.MAJOR, f"listening on {host}:{listener.port}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        serving = asyncio.create_task(listener.serve_forever())
        await stop.wait()
        serving.cancel()
        await listener.close()
        serverlog.log(LOG_TAG, serverlog.MAJOR, f"stopped listening on {host}:{listener.port}")
