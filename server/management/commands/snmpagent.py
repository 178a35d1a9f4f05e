"""`manage.py snmpagent --port N [--address A]`: the SNMP agent component (cgserver starts it)."""

from __future__ import annotations

import signal
import socket
import time

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Answer SNMP GET/GETNEXT/GETBULK for the system group (sysName, sysContact, sysLocation, ...)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--address", default="127.0.0.1")
        parser.add_argument("--fd", type=int, default=None, help="a UDP socket cgserver opened (and bound) for us")

    def handle(self, *args: object, port: int, address: str, fd: int | None, **options: object) -> None:
        from logs import serverlog
        from server import snmp

        if fd is not None:
            sock = socket.socket(fileno=fd)
        else:
            sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_DGRAM)
            try:
                sock.bind((address, port))
            except OSError as error:
                serverlog.log("SNMP", serverlog.CRASHES, f"cannot listen on UDP [{address}]:{port}: {error}")
                raise SystemExit(f"snmpagent: cannot listen on UDP [{address}]:{port}: {error}") from None
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        serverlog.log("SNMP", serverlog.MAJOR, f"SNMP agent listening on UDP [{address}]:{port}")
        reader = _CachedSystemGroup(time.time())
        with sock:
            snmp.serve(sock, reader.read, stop=lambda: stopping,
                       on_error=lambda text: serverlog.log("SNMP", serverlog.PROBLEMS, text))


class _CachedSystemGroup:
    """The system group's values, read from the database at most every CACHE_SECONDS."""

    CACHE_SECONDS = 2.0

    def __init__(self, started: float) -> None:
        self.started = started
        self._value = None
        self._read_at = 0.0

    def read(self):
        from django.db import close_old_connections

        from server.selectors import snmp_system_group

        if self._value is None or time.monotonic() - self._read_at > self.CACHE_SECONDS:
            close_old_connections()
            self._value = snmp_system_group(self.started)
            self._read_at = time.monotonic()
        return self._value
