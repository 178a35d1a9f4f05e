"""`manage.py cgserver [options]` starts the server; `manage.py cgserver stop` stops it.

The options are CommuniGate's (case-insensitive, e.g. --Base DIR); see server/options.py."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from basedir.layout import PROCESS_ID, ensure_layout
from cgadmin.errors import CGError
from server.lock import ProcessLock, running_pid
from server.options import ServerOptions, parse_options
from server.process import Supervisor, http_port, listen_address, prepare_state_dirs, wait_for_port


class Command(BaseCommand):
    help = "Run the cgadmin server (WebAdmin, CLI, workers), or `cgserver stop` to stop it."

    def run_from_argv(self, argv: list[str]) -> None:
        # CommuniGate's options are case-insensitive and unknown to argparse: read them ourselves.
        arguments = argv[2:]
        try:
            if arguments[:1] == ["stop"]:
                sys.exit(self.stop(parse_options(arguments[1:])))
            sys.exit(self.start(parse_options(arguments)))
        except CGError as error:
            self.stderr.write(f"cgserver: {error.message}")
            sys.exit(2)

    def handle(self, *args: str, **options: object) -> None:
        raise CommandError("run it as `manage.py cgserver [options]`")

    def _base(self, options: ServerOptions) -> Path:
        return options.base or Path(settings.CGATE_BASE)

    def _use_base(self, options: ServerOptions, argv: list[str]) -> None:
        """Settings read the base directory at import: start over with it in the environment."""
        base = self._base(options)
        if base.resolve() != Path(settings.CGATE_BASE).resolve():
            os.environ["CGATE_BASE"] = str(base)
            os.execv(sys.executable, [sys.executable, *argv])

    def stop(self, options: ServerOptions) -> int:
        self._use_base(options, [str(Path(sys.argv[0]).absolute()), *sys.argv[1:]])
        pid_file = Path(settings.CGATE_BASE) / PROCESS_ID
        pid = running_pid(pid_file)
        if pid is None:
            self.stderr.write(f"cgserver: no server is running on {settings.CGATE_BASE}")
            return 1
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while running_pid(pid_file) is not None and time.monotonic() < deadline:
            time.sleep(0.2)
        if running_pid(pid_file) is not None:
            self.stderr.write(f"cgserver: server {pid} did not stop within 60 s")
            return 1
        self.stdout.write(f"cgserver: server {pid} stopped")
        return 0

    def start(self, options: ServerOptions) -> int:
        self._use_base(options, [str(Path(sys.argv[0]).absolute()), *sys.argv[1:]])
        base = Path(settings.CGATE_BASE)
        ensure_layout(base)
        prepare_state_dirs()
        lock = ProcessLock(base / PROCESS_ID)
        lock.acquire()
        try:
            return self._serve(options, base)
        finally:
            lock.release()

    def _serve(self, options: ServerOptions, base: Path) -> int:
        from server.osinfo import host_name
        from server.services import server_initialize, server_record_start

        call_command("migrate", interactive=False, verbosity=0)
        first = server_initialize(host_name=host_name(),
                                  postmaster_password=os.environ.get("CGADMIN_POSTMASTER_PASSWORD") or None)
        if first is not None:
            self.stdout.write(f"First start: Main Domain {first.postmaster.domain.name}, account postmaster")
            if first.password_generated:
                self.stdout.write(f"postmaster password (shown once): {first.password}")
            else:
                self.stdout.write("postmaster password: taken from CGADMIN_POSTMASTER_PASSWORD")
        server_record_start(parameters=options.given, pid=os.getpid())
        supervisor = Supervisor(options, say=lambda text: self.stderr.write(f"cgserver: {text}"))
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        supervisor.start_all()
        try:
            address, port = listen_address(options), http_port(options)
            if wait_for_port(address, port):
                self.stdout.write(f"cgadmin {settings.CGADMIN_VERSION} running on {base}")
                self.stdout.write(f"WebAdmin at http://{'127.0.0.1' if address == '0.0.0.0' else address}:{port}/")
                self.stdout.flush()
            supervisor.watch()
        finally:
            supervisor.stop_all()
            self.stdout.write("cgserver: stopped")
        return 0
