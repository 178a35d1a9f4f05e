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

from cgadmin.errors import GeneralError
from cgadmin.private import private_folder
from logs import notifications, serverlog
from server import crash, privilege
from server.options import ServerOptions, effective_port

STOP_GRACE_SECONDS = 15
RESTART_BACKOFF_SECONDS = (1, 2, 5, 10, 30)


@dataclass(frozen=True)
class Component:
    """A child process of the server: its name and the command that runs it."""

    name: str
    command: Callable[[ServerOptions], list[str]]
    port: Callable[[ServerOptions], int | None] = lambda options: None
    # A socket cgserver opens (as root, before any privilege drop) and keeps; the command finds its
    # descriptor with listen_fd(name). None: the component opens what it needs itself.
    listen: Callable[[ServerOptions], Listen] | None = None


@dataclass(frozen=True)
class Listen:
    address: str
    port: int
    kind: int = socket.SOCK_STREAM
    required: bool = False  # the server cannot run without it; others are skipped, and logged, when busy


LISTEN_SOCKETS: dict[str, socket.socket] = {}


def listen_fd(name: str) -> int | None:
    """The descriptor of the socket cgserver opened for a component (inherited by its process)."""
    sock = LISTEN_SOCKETS.get(name)
    return sock.fileno() if sock is not None else None


def open_listen_socket(spec: Listen) -> socket.socket:
    """Bind (and for TCP listen on) a component's socket; it is passed to every process of it."""
    family = socket.AF_INET6 if ":" in spec.address else socket.AF_INET
    sock = socket.socket(family, spec.kind)
    try:
        if spec.kind == socket.SOCK_STREAM:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((spec.address, spec.port))
        if spec.kind == socket.SOCK_STREAM:
            sock.listen(1024)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


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


def snmp_port(options: ServerOptions) -> int:
    return effective_port(options.snmp_port, options.use_system_ports)


def gunicorn_command(options: ServerOptions) -> list[str]:
    fd = listen_fd("web")
    return [
        sys.executable, "-m", "gunicorn", "cgadmin.wsgi:application",
        "--config", str(application_dir() / "cgadmin" / "gunicorn.conf.py"),
        "--bind", f"fd://{fd}" if fd is not None else f"{listen_address(options)}:{http_port(options)}",
    ]


def snmp_command(options: ServerOptions) -> list[str]:
    fd = listen_fd("snmp")
    return [sys.executable, _manage_py(), "snmpagent", "--address", listen_address(options),
            "--port", str(snmp_port(options)), *(["--fd", str(fd)] if fd is not None else [])]


def prepare_state_dirs() -> None:
    """cgadmin's own folders: the embedded broker's queue folders must exist before a worker starts."""
    private_folder(Path(settings.CGADMIN_STATE_DIR))
    transport = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {})
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if key in transport:
            private_folder(Path(transport[key]))


def worker_command(options: ServerOptions) -> list[str]:
    return [
        sys.executable, "-m", "celery", "-A", "cgadmin", "--quiet", "worker", "--beat",
        "--schedule", str(settings.CELERY_BEAT_SCHEDULE_FILENAME),
        "--loglevel", "WARNING", "--concurrency", str(settings.CELERY_WORKER_CONCURRENCY),
        "--without-gossip", "--without-mingle", "--hostname", f"cgadmin-{os.getpid()}@%h",
    ]


register_component(Component("web", gunicorn_command, http_port,
                             listen=lambda options: Listen(listen_address(options), http_port(options), required=True)))
register_component(Component("worker", worker_command))
register_component(Component("snmp", snmp_command, snmp_port, listen=lambda options: Listen(
    listen_address(options), snmp_port(options), socket.SOCK_DGRAM)))


def _die_with_parent() -> None:
    """In the child before exec: a SIGTERM when the server dies, even of kill -9 (Linux prctl)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _child_setup(identity: privilege.Identity | None) -> Callable[[], None]:
    def setup() -> None:
        privilege.become(identity)  # first: a change of user clears the parent-death signal
        _die_with_parent()

    return setup


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
    crashed: str | None = None  # the component whose failure stopped the server (Crash Recovery off)
    crash_report: Path | None = None
    root: str = field(default_factory=privilege.initial_state)
    run_as: privilege.Identity | None = None  # children's user; None: the server's own
    privilege_request: bool = False
    skipped: list[str] = field(default_factory=list)  # components whose socket could not be opened

    def open_listeners(self) -> None:
        """Open every component's socket now, while the server may still be root."""
        for component in COMPONENTS:
            if component.listen is not None and component.name not in LISTEN_SOCKETS:
                spec = component.listen(self.options)
                try:
                    LISTEN_SOCKETS[component.name] = open_listen_socket(spec)
                except OSError as error:
                    kind = "UDP" if spec.kind == socket.SOCK_DGRAM else "TCP"
                    problem = (f"{component.name}: cannot listen on {kind} [{spec.address}]:{spec.port}: "
                               f"{error.strerror or error}")
                    if spec.required:
                        raise GeneralError(problem) from None
                    self.skipped.append(component.name)
                    self.say(f"{problem}; {component.name} is not started")
                    serverlog.log("SYSTEM", serverlog.CRASHES, problem)
                    _notify(notifications.raise_notification, notifications.listener_key(component.name),
                            component.name.upper(), f"A problem with {problem}: failed to start")

    def close_listeners(self) -> None:
        for name in list(LISTEN_SOCKETS):
            LISTEN_SOCKETS.pop(name).close()

    def start_all(self) -> None:
        for component in COMPONENTS:
            if component.name in self.skipped:
                continue
            child = Child(component)
            self._spawn(child)
            self.children.append(child)

    def _spawn(self, child: Child) -> None:
        # A socket cgserver holds is open already; a component that binds its own port and finds it
        # taken is reported once and left out, instead of failing and being restarted for ever.
        if child.component.name not in LISTEN_SOCKETS and not check_listener(child.component, self.options, self.say):
            child.process = None
            self.skipped.append(child.component.name)
            self.say(f"{child.component.name} is not started: its port is taken (until the next start)")
            return
        fault_file = crash.fault_file(child.component.name)
        # --daemon: the server's own stdout is the start command's until the server runs
        output = subprocess.DEVNULL if self.options.daemon else None
        child.process = subprocess.Popen(
            child.component.command(self.options), start_new_session=True,
            env={**os.environ, "CGADMIN_COMPONENT": child.component.name, crash.ENV_FAULT_FILE: str(fault_file)},
            cwd=application_dir(), preexec_fn=_child_setup(self.run_as),
            pass_fds=tuple(sock.fileno() for sock in LISTEN_SOCKETS.values()), stdout=output, stderr=output,
        )
        child.started_at = time.monotonic()

    def request_stop(self, signum: int = signal.SIGTERM, frame: object = None) -> None:
        self.stopping = True

    def request_privilege_change(self, signum: int = signal.SIGUSR1, frame: object = None) -> None:
        self.privilege_request = True

    def watch(self) -> None:
        """Until asked to stop: handle a component that died (Crash Recovery), and Drop/Restore Root."""
        while not self.stopping:
            if self.privilege_request:
                self.privilege_request = False
                self._change_privilege()
            for child in self.children:
                process = child.process
                if process is not None and process.poll() is not None and not self.stopping:
                    self._failed(child, process.returncode)
            time.sleep(0.3)

    def _failed(self, child: Child, returncode: int) -> None:
        """Crash Recovery on: log it and restart the component. Off: stop, leaving a crash report."""
        name = child.component.name
        report = crash.component_failed(name, returncode)
        if crash.recovery_enabled():
            self._recover(child, returncode)
            return
        self.crashed = name
        self.crash_report = crash.write_report(name, returncode, report)
        self.say(f"component {name} failed ({crash.status_text(returncode)}) and Crash Recovery is off: "
                 f"stopping; crash report in {self.crash_report}")
        self.stopping = True

    def drop_root(self, *, permanently: bool) -> None:
        """Give the base directory to the unprivileged user and become it (children follow on restart)."""
        if self.root not in (privilege.ROOT, privilege.DROPPED):
            return  # not started as root, or dropped for good: nothing to drop
        identity = privilege.unprivileged_identity()  # none of the server's own: refused, nothing changed
        if self.root == privilege.DROPPED:
            privilege.restore()  # giving the base directory away needs root
        problem = privilege.obstacle(identity, Path(settings.CGATE_BASE))
        if problem is not None:
            if self.root == privilege.DROPPED:
                privilege.drop_reversibly(identity)
            raise GeneralError(f"cannot drop the root privilege: {problem}")
        privilege.give_tree(Path(settings.CGATE_BASE), identity)
        self.run_as = identity
        if permanently:
            privilege.drop_permanently(identity)
            self.root = privilege.DROPPED_PERMANENTLY
        else:
            privilege.drop_reversibly(identity)
            self.root = privilege.DROPPED
        self.say(f"root privilege dropped{' permanently' if permanently else ''}: running as {identity.name}")

    def restore_root(self) -> None:
        privilege.restore()
        self.run_as = None
        self.root = privilege.ROOT
        self.say("root privilege restored")

    def _change_privilege(self) -> None:
        """The General page asked to drop or restore the root privilege (Runtime's RootPrivilegeRequest)."""
        from server.selectors import root_privilege_request
        from server.services import server_record_privilege

        wanted = root_privilege_request()
        try:
            if wanted == "drop" and self.root == privilege.ROOT:
                self._restart_children_after(lambda: self.drop_root(permanently=False))
            elif wanted == "restore" and self.root == privilege.DROPPED:
                self._restart_children_after(self.restore_root)
        except (OSError, GeneralError) as error:
            self.say(f"root privilege change failed: {error}")
        server_record_privilege(state=self.root, user=self.run_as.name if self.run_as else "root")

    def _restart_children_after(self, change: Callable[[], None]) -> None:
        """Stop every component (as the user they run as), change the privilege, start them again.

        The listening sockets stay open in cgserver, so clients wait in the backlog meanwhile."""
        self._stop_children()
        change()
        for child in self.children:
            self._spawn(child)

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
        self._stop_children()
        self.close_listeners()

    def _stop_children(self) -> None:
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
    serverlog.log("SYSTEM", serverlog.CRASHES, text)
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
