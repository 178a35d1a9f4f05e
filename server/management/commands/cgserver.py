"""`manage.py cgserver [options]` starts the server; `manage.py cgserver stop` stops it.

The options are CommuniGate's (case-insensitive, e.g. --Base DIR); see server/options.py. The base
directory's Startup.sh adds the options of its SUPPLPARAMS="..." line."""

from __future__ import annotations

import os
import select
import signal
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from basedir.layout import PROCESS_ID, ensure_layout
from basedir.private import repair_secrets
from cgadmin.errors import CGError, InvalidInput
from cgadmin.private import SERVER_UMASK
from server import privilege, runenv
from server.lock import ProcessLock, running_pid
from server.options import ServerOptions, parse_options, startup_parameters
from server.process import Supervisor, http_port, listen_address, prepare_state_dirs, wait_for_port

STOP_WAIT_SECONDS = 60
CRASH_EXIT_STATUS = 3
DETACHED = "cgserver: running in the background as pid"


def _relay_until_detached(child: int, out_reader: int, err_reader: int) -> int:
    """In the --daemon command: copy the server's output here until it closes it; 0 when the server
    said it runs in the background, else the status it exited with."""
    targets = {out_reader: sys.stdout.buffer, err_reader: sys.stderr.buffer}
    seen = b""
    while targets:
        ready, _, _ = select.select(list(targets), [], [])
        for fd in ready:
            data = os.read(fd, 65536)
            if not data:
                os.close(fd)
                del targets[fd]
                continue
            if fd == out_reader:
                seen = (seen + data)[-4096:]
            targets[fd].write(data)
            targets[fd].flush()
    if DETACHED.encode() in seen:
        return 0
    _, status = os.waitpid(child, 0)
    return os.waitstatus_to_exitcode(status) or 1


class Command(BaseCommand):
    help = "Run the cgadmin server (WebAdmin, CLI, workers), or `cgserver stop` to stop it."

    def run_from_argv(self, argv: list[str]) -> None:
        # CommuniGate's options are case-insensitive and unknown to argparse: read them ourselves.
        arguments = argv[2:]
        try:
            if arguments[:1] == ["stop"]:
                sys.exit(self.stop(parse_options(arguments[1:])))
            sys.exit(self.start(self._options(arguments)))
        except CGError as error:
            self.stderr.write(f"cgserver: {error.message}")
            sys.exit(2)

    def handle(self, *args: str, **options: object) -> None:
        raise CommandError("run it as `manage.py cgserver [options]`")

    def _base(self, options: ServerOptions) -> Path:
        return options.base or Path(settings.CGATE_BASE)

    def _options(self, arguments: list[str]) -> ServerOptions:
        """The command line, then Startup.sh's SUPPLPARAMS (whose exported variables apply too)."""
        options = parse_options(arguments)
        supplied, exported = startup_parameters(self._base(options))
        os.environ.update(exported)
        return parse_options(supplied, options)

    def _use_base(self, options: ServerOptions) -> None:
        """Settings read the base and application directories at import: start over with them."""
        argv = [str(Path(sys.argv[0]).absolute()), *sys.argv[1:]]
        wanted = {"CGATE_BASE": (self._base(options), settings.CGATE_BASE)}
        if options.application is not None:
            if not (options.application / "manage.py").is_file():
                raise InvalidInput(f"--CGateApplication {options.application}: no manage.py there")
            wanted["CGATE_APPLICATION"] = (options.application, settings.CGATE_APPLICATION)
        if any(Path(new).resolve() != Path(old).resolve() for new, old in wanted.values()):
            for name, (new, _) in wanted.items():
                os.environ[name] = str(new)
            os.execv(sys.executable, [sys.executable, *argv])

    def stop(self, options: ServerOptions) -> int:
        self._use_base(options)
        pid_file = Path(settings.CGATE_BASE) / PROCESS_ID
        pid = running_pid(pid_file, locked=options.lock_lock_file)
        if pid is None:
            self.stderr.write(f"cgserver: no server is running on {settings.CGATE_BASE}")
            return 1
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        while running_pid(pid_file, locked=options.lock_lock_file) == pid and time.monotonic() < deadline:
            time.sleep(0.2)
        if running_pid(pid_file, locked=options.lock_lock_file) == pid:
            self.stderr.write(f"cgserver: server {pid} did not stop within {STOP_WAIT_SECONDS} s")
            return 1
        self.stdout.write(f"cgserver: server {pid} stopped")
        return 0

    def start(self, options: ServerOptions) -> int:
        self._use_base(options)
        base = Path(settings.CGATE_BASE)
        if options.drop_root and os.getuid() == 0:
            privilege.unprivileged_identity(options.server_user)  # no user of its own: refused before anything
        if options.daemon:
            self._daemonize()
        for note in options.not_applicable:
            self.stderr.write(f"cgserver: option {note}: not applicable, ignored")
        if options.delay_on_start:
            time.sleep(options.delay_on_start)
        os.umask(SERVER_UMASK)  # what the server and its children create is their user's only, unless made wider
        runenv.export(options)
        runenv.apply_to_this_process()
        ensure_layout(base)
        prepare_state_dirs()
        repaired = repair_secrets()
        for path in repaired:
            self.stderr.write(f"cgserver: {path} was open to other users: made private")
        lock = ProcessLock(base / PROCESS_ID, locked=options.lock_lock_file)
        lock.acquire()
        try:
            return self._serve(options, base, repaired)
        finally:
            lock.release()

    def _daemonize(self) -> None:
        """--daemon: the server leaves the terminal (its own session, stdin on /dev/null). The command
        shows what the start prints (the first start's postmaster password among it) and returns
        once the server runs, or with the start's failure; then the server's stdout and stderr go
        to /dev/null (_detach)."""
        self.stdout.flush()
        self.stderr.flush()
        out_reader, out_writer = os.pipe()
        err_reader, err_writer = os.pipe()
        pid = os.fork()
        if pid:
            os.close(out_writer)
            os.close(err_writer)
            os._exit(_relay_until_detached(pid, out_reader, err_reader))
        os.close(out_reader)
        os.close(err_reader)
        os.setsid()
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 0)
        os.dup2(out_writer, 1)
        os.dup2(err_writer, 2)
        for fd in (null, out_writer, err_writer):
            os.close(fd)

    def _detach(self, options: ServerOptions) -> None:
        """--daemon, once the server runs: the last line the command shows, then stdout and stderr
        on /dev/null (the command returns when it sees them closed)."""
        if not options.daemon:
            return
        self.stdout.write(f"{DETACHED} {os.getpid()}")
        self.stdout.flush()
        self.stderr.flush()
        sys.stdout.flush()
        sys.stderr.flush()
        null = os.open(os.devnull, os.O_RDWR)
        os.dup2(null, 1)
        os.dup2(null, 2)
        os.close(null)

    def _serve(self, options: ServerOptions, base: Path, repaired: list[Path]) -> int:
        from logs import oslog, serverlog
        from server.services import server_record_privilege, server_record_start
        from server.startup import files_at_start, first_start_lines, prepare

        for line in first_start_lines(prepare(base)):
            self.stdout.write(line)
        for line in files_at_start(adopt=options.adopt_files):
            self.stdout.write(f"cgserver: {line}")
        server_record_start(parameters=options.given, pid=os.getpid(), details=runenv.runtime_details(options))
        serverlog.log("SYSTEM", serverlog.MAJOR,
                      f"server started: cgadmin {settings.CGADMIN_VERSION}, base {base}, pid {os.getpid()}")
        for note in options.not_applicable:
            serverlog.log("SYSTEM", serverlog.MAJOR, f"option {note}: not applicable, ignored")
        for path in repaired:
            serverlog.log("SYSTEM", serverlog.MAJOR, f"{path} was open to other users: made private")
        if options.random_data_device is not None and not runenv.seeded_from_device():
            serverlog.log("SYSTEM", serverlog.PROBLEMS,
                          f"cannot read {options.random_data_device}: the PRNG is seeded from the timer")
        supervisor = Supervisor(options, say=lambda text: self.stderr.write(f"cgserver: {text}"))
        signal.signal(signal.SIGTERM, supervisor.request_stop)
        signal.signal(signal.SIGINT, supervisor.request_stop)
        signal.signal(signal.SIGUSR1, supervisor.request_privilege_change)
        supervisor.open_listeners()
        if options.drop_root:
            supervisor.drop_root(permanently=True)
        server_record_privilege(state=supervisor.root, user=supervisor.run_as.name if supervisor.run_as else "")
        supervisor.start_all()
        oslog.server_started(str(base), settings.CGADMIN_VERSION)
        reason = "shutdown"
        try:
            address, port = listen_address(options), http_port(options)
            if wait_for_port(address, port):
                self.stdout.write(f"cgadmin {settings.CGADMIN_VERSION} running on {base}")
                self.stdout.write(f"WebAdmin at http://{'127.0.0.1' if address == '0.0.0.0' else address}:{port}/")
                self.stdout.flush()
            self._detach(options)
            supervisor.watch()
            if supervisor.crashed:
                reason = f"component {supervisor.crashed} failed, Crash Recovery off"
        except BaseException:
            reason = "error"
            raise
        finally:
            supervisor.stop_all()
            oslog.server_stopped(str(base), reason)
            serverlog.log("SYSTEM", serverlog.MAJOR, f"server stopped ({reason})")
            self.stdout.write(f"cgserver: stopped ({reason})")
        return CRASH_EXIT_STATUS if supervisor.crashed else 0

