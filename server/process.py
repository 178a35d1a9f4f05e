"""`manage.py cgserver`: the server process. It takes the ProcessID lock, then runs the WebAdmin
(gunicorn), a Celery worker with beat, and every registered listener as child processes, and
stops them all cleanly on SIGTERM or SIGINT.

Each child runs in its own process group, so stopping a component stops its own children too
(gunicorn's workers, Celery's pool) and nothing is left behind."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from logs import notifications
from server.options import ServerOptions, effective_port

STOP_GRACE_SECONDS = 15
RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)


@dataclass(frozen=True)
class Component:
    """A child process of the server: its name and the command that runs it."""

    name: str
    command: Callable[[ServerOptions], list[str]]
    port: Callable[[ServerOptions], int | None] = lambda options: None


COMPONENTS: list[Component] = []


def register_component(component: Component) -> None:
    """Apps add their listeners here (from AppConfig.ready); a name registers once."""
    if all(existing.name != component.name for existing in COMPONENTS):
        COMPONENTS.append(component)


def listen_address(options: ServerOptions) -> str:
    if options.listen_address:
        return options.listen_address
    return "0.0.0.0" if settings.PRODUCTION else "127.0.0.1"


def http_port(options: ServerOptions) -> int:
    return effective_port(options.http_port, options.use_system_ports)


def cli_port(options: ServerOptions) -> int:
    return effective_port(options.cli_port, options.use_system_ports)


def application_dir() -> Path:
    """Where the server's code is (--CGateApplication; the project folder by default)."""
    return Path(settings.CGATE_APPLICATION)


def _manage_py() -> str:
    return str(application_dir() / "manage.py")


def gunicorn_command(options: ServerOptions) -> list[str]:
    return [
        sys.executable, "-m", "gunicorn", "cgadmin.wsgi:application",
        "--config", str(application_dir() / "cgadmin" / "gunicorn.conf.py"),
        "--bind", f"{listen_address(options)}:{http_port(options)}",
    ]


def prepare_state_dirs() -> None:
    """cgadmin's own folders: the embedded broker's queue folders must exist before a worker starts."""
    Path(settings.CGADMIN_STATE_DIR).mkdir(parents=True, exist_ok=True)
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in transport:
            Path(transport[key]).mkdir(parents=True, exist_ok=True)


def worker_command(options: ServerOptions) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "cgadmin", "--quiet", "worker", "--beat",
        "--schedule", str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
        "--loglevel", "WARNING", "--concurrency", str(settings.CELERY_WORKER_CONCURRENCY),
        "--without-gossip", "--without-mingle", "--hostname", f"cgadmin-{os.getpid()}@%h",
    ]


register_component(Component("web", gunicorn_command, http_port))
register_component(Component("worker", worker_command))


def _die_with_parent() -> None:
    """In the child before exec: a SIGTERM when the server dies, even of kill -9 (Linux prctl)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


@dataclass
class Child:
    component: Component
    process: subprocess.Popen | None = None
    restarts: int = 0
    started_at: float = 0.0


@dataclass
class Supervisor:
    options: ServerOptions
    say: Callable[[str], None]
    children: list[Child] = field(default_factory=list)
    stopping: bool = False

    def start_all(self) -> None:
        for component in COMPONENTS:
            child = Child(component)
            self._spawn(child)
            self.children.append(child)

    def _spawn(self, child: Child) -> None:
        check_listener(child.component, self.options, self.say)
        child.process = subprocess.Popen(
            child.component.command(self.options), start_new_session=True, env=os.environ.copy(),
            cwd=application_dir(), preexec_fn=_die_with_parent,
        )
        child.started_at = time.monotonic()

    def request_stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self.stopping = True

    def watch(self) -> None:
        """Until asked to stop: restart a component that died (Crash Recovery)."""
        while not self.stopping:
            for child in self.children:
                process = child.process
                if process is not None and process.poll() is not None and not self.stopping:
                    self._recover(child, process.returncode)
            time.sleep(0.3)

    def _recover(self, child: Child, returncode: int) -> None:
        delay = RESTART_BACKOFF_SECONDS[min(child.restarts, len(RESTART_BACKOFF_SECONDS) - 1)]
        if time.monotonic() - child.started_at > 60:
            child.restarts = 0  # it ran fine for a while: start the backoff over
        self.say(f"component {child.component.name} exited with status {returncode}; restarting in {delay}s")
        _notify(notifications.raise_notification, f"component:{child.component.name}", child.component.name.upper(),
                f"component {child.component.name} exited with status {returncode}; restarting it",
                ttl=notifications.CHECK_TTL)
        deadline = time.monotonic() + delay
        while time.monotonic() < deadline and not self.stopping:
            time.sleep(0.1)
        if not self.stopping:
            child.restarts += 1
            self._spawn(child)

    def stop_all(self) -> None:
        """SIGTERM every component's process group, wait, then SIGKILL what is left."""
        self.stopping = True
        for child in self.children:
            _signal_group(child.process, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children:
            process = child.process
            if process is None:
                continue
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
            _signal_group(process, signal.SIGKILL)  # stragglers of the group (pool workers)


def _notify(function: Callable[..., None], *args: object, **kwargs: object) -> None:
    """Tell the WebAdmin (through the shared cache); the supervisor never fails because of it."""
    with contextlib.suppress(Exception):
        function(*args, **kwargs)


def bind_problem(host: str, port: int) -> OSError | None:
    """Why a listener could not bind host:port now (None when it could)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host or "0.0.0.0", port))
        except OSError as error:
            return error
    return None


def check_listener(component: Component, options: ServerOptions, say: Callable[[str], None]) -> bool:
    """Before a listener starts: raise an Urgent Notification when its port is taken; True if free."""
    port = component.port(options)
    if not port:
        return True
    host = listen_address(options)
    key = notifications.listener_key(component.name)
    problem = bind_problem(host, port)
    if problem is None:
        _notify(notifications.clear_notification, key)
        return True
    reason = "network address/port is already in use" if problem.errno == errno.EADDRINUSE else str(problem)
    text = f"A problem with {component.name}, TCP listener on [{host}]:{port}: failed to start. Error Code={reason}"
    say(text)
    _notify(notifications.raise_notification, key, component.name.upper(), text)
    return False


def _signal_group(process: subprocess.Popen | None, signum: int) -> None:
    if process is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


def wait_for_port(host: str, port: int, timeout: float = 30.0) -> bool:
    """Whether something accepts connections on host:port within the timeout."""
    deadline = time.monotonic() + timeout
    target = "127.0.0.1" if host in ("0.0.0.0", "") else host
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False
