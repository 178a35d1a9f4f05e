"""The production shape without a container engine: every service of docker-compose.yml run as the
processes a container would run, with the compose environment (the image's ENV, the service's
`environment:` interpolated), the compose hosts `postgres` and `redis` mapped to a real PostgreSQL
(a throw-away database) and a Redis server of the test's own on 127.0.0.1, the `basedir` volume a
shared temporary folder and each container's /tmp a folder of its own. A node is one set of the
services; several nodes share the database, Redis and the base directory, as hosts of a cluster do.

Stopping is what `docker compose stop` does: SIGTERM to the service's main process, SIGKILL after
its stop_grace_period. Killing a node is SIGKILL to every process of it (a host gone)."""

from __future__ import annotations

import contextlib
import functools
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from tests.production.compose import PROJECT, Compose, Service, dockerfile_environment, load

VENV_BIN = Path(sys.executable).parent
BASE_MOUNT = "/var/CommuniGate"
POSTMASTER_PASSWORD = "shape-postmaster-Secret1"
STARTUP_SECONDS = 180.0
LONG_RUNNING = ("web", "cli", "queue", "worker", "beat", "snmp")
REDIS_PORTS = range(6390, 6400)  # the test's own Redis servers (the team's rule), else any free port


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class PrivateRedis:
    """A redis-server of this test's own: the shape's broker and cache never meet another test's."""

    def __init__(self, folder: Path) -> None:
        self.port = next((port for port in REDIS_PORTS if _port_free(port)), None) or free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 20
        while not _answers(self.port):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ThrowAwayDatabase:
    """A fresh PostgreSQL database on the server of DATABASE_URL, dropped at the end."""

    def __init__(self) -> None:
        url = urllib.parse.urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cgadmin"))
        self.user = url.username or "postgres"
        self.password = url.password or ""
        self.host = url.hostname or "127.0.0.1"
        self.port = url.port or 5432
        self.name = f"{url.path.strip('/') or 'cgadmin'}_shape_{secrets.token_hex(4)}"
        with self._admin() as admin:
            admin.execute(f'CREATE DATABASE "{self.name}"')

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname="postgres", autocommit=True)

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                               dbname=self.name, autocommit=True)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with self.connect() as connection:
            return connection.execute(sql, params).fetchall()

    def drop(self) -> None:
        with self._admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


@dataclass
class Running:
    service: Service
    process: subprocess.Popen
    log: Path


@dataclass(eq=False)  # a node is itself, whatever it runs
class Node:
    name: str
    http_port: int = field(default_factory=free_port)
    cli_port: int = field(default_factory=free_port)
    snmp_port: int = field(default_factory=lambda: free_port(socket.SOCK_DGRAM))
    running: dict[str, Running] = field(default_factory=dict)
    exit_codes: dict[str, int] = field(default_factory=dict)
    leftovers: list[str] = field(default_factory=list)


class Shape:
    """The compose file's services on this machine, on one database, one Redis and one base directory."""

    def __init__(self, folder: Path, *, web_workers: int = 1, extra: dict[str, str] | None = None) -> None:
        self.folder = folder
        self.base = folder / "CommuniGate"
        self.base.mkdir()
        (folder / "logs").mkdir()
        self.redis = PrivateRedis(folder)
        self.database = ThrowAwayDatabase()
        self.password_key = secrets.token_hex(16)
        self.web_workers = web_workers
        self.extra = dict(extra or {})
        self.nodes: list[Node] = []

    # --- what a container of a service would get -------------------------------------------------

    def variables(self, node: Node) -> dict[str, str]:
        """The variables compose interpolates the file with (an operator's .env)."""
        return {
            "SECRET_KEY": "shape-test-secret-key-" + self.password_key,
            "POSTGRES_PASSWORD": self.database.password or "trust",
            "POSTGRES_USER": self.database.user,
            "POSTGRES_DB": self.database.name,
            "CGADMIN_PASSWORD_KEY": self.password_key,
            "CGADMIN_POSTMASTER_PASSWORD": POSTMASTER_PASSWORD,
            "BEHIND_TLS_PROXY": "true",  # the test is the TLS proxy: it says X-Forwarded-Proto: https
            "CGADMIN_HTTP_PORT": str(node.http_port),
            "CGADMIN_CLI_PORT": str(node.cli_port),
            "CGADMIN_SNMP_PORT": str(node.snmp_port),
            "WEB_WORKERS": str(self.web_workers),
            **self.extra,
        }

    def compose(self, node: Node) -> Compose:
        return load(self.variables(node))

    def _map(self, text: str, node: Node, service: str) -> str:
        """Compose hosts to 127.0.0.1, the basedir volume to the shared folder, /tmp to the container's."""
        text = re.sub(r"(?<=@)postgres:5432\b", f"{self.database.host}:{self.database.port}", text)
        text = re.sub(r"(?<=//)redis:6379\b", f"127.0.0.1:{self.redis.port}", text)
        text = re.sub(r"^/tmp/", f"{self.container_tmp(node, service)}/", text)
        return text.replace(BASE_MOUNT, str(self.base))

    def container_tmp(self, node: Node, service: str) -> Path:
        path = self.folder / "tmp" / f"{node.name}-{service}"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def environment(self, node: Node, service: Service) -> dict[str, str]:
        env = {"PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}", "LANG": "C.UTF-8",
               "HOME": str(self.container_tmp(node, service.name)), "HOSTNAME": socket.gethostname()}
        env.update(dockerfile_environment())
        env.update({key: self._map(value, node, service.name) for key, value in service.environment.items()})
        return env

    def argv(self, node: Node, service: Service, argv: list[str]) -> list[str]:
        words = [self._map(word, node, service.name) for word in argv]
        if words[0] == "python":
            words[0] = sys.executable
        elif (VENV_BIN / words[0]).exists():
            words[0] = str(VENV_BIN / words[0])
        return words

    # --- running services ------------------------------------------------------------------------

    def add_node(self) -> Node:
        node = Node(f"node{len(self.nodes) + 1}")
        self.nodes.append(node)
        return node

    def run(self, node: Node, service_name: str, argv: list[str] | None = None, timeout: float = 300,
            ) -> subprocess.CompletedProcess:
        """A one-off command in a service's container (`docker compose run SERVICE ...`)."""
        service = self.compose(node).services[service_name]
        return subprocess.run(self.argv(node, service, argv or service.command), cwd=PROJECT,
                              env=self.environment(node, service), capture_output=True, text=True,
                              timeout=timeout)

    def init(self) -> str:
        node = self.nodes[0] if self.nodes else self.add_node()
        done = self.run(node, "init")
        assert done.returncode == 0, f"init failed:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def start(self, node: Node, services: tuple[str, ...] = LONG_RUNNING) -> None:
        compose = self.compose(node)
        for name in services:
            service = compose.services[name]
            log = self.folder / "logs" / f"{node.name}-{name}.log"
            with log.open("ab") as handle:
                process = subprocess.Popen(self.argv(node, service, service.command), cwd=PROJECT,
                                           env=self.environment(node, service), stdout=handle,
                                           stderr=subprocess.STDOUT, start_new_session=True,
                                           preexec_fn=_die_with_the_test)
            node.running[name] = Running(service, process, log)

    def healthy(self, node: Node, name: str) -> bool:
        """The service's own health check passes (run as compose runs it, in its container)."""
        running = node.running[name]
        if running.process.poll() is not None:
            raise AssertionError(f"{node.name} {name} exited with {running.process.returncode}:\n"
                                 f"{self.log_tail(node, name)}")
        service = running.service
        check = subprocess.run(self.argv(node, service, service.healthcheck), cwd=PROJECT,
                               env=self.environment(node, service), capture_output=True, timeout=60)
        return check.returncode == 0

    def wait_healthy(self, node: Node, timeout: float = STARTUP_SECONDS) -> None:
        """Every service of the node passes its health check (checked side by side)."""
        pending = set(node.running)
        deadline = time.monotonic() + timeout
        while pending:
            names = sorted(pending)
            with ThreadPoolExecutor(len(names)) as pool:
                results = dict(zip(names, pool.map(functools.partial(self.healthy, node), names), strict=True))
            pending = {name for name in names if not results[name]}
            if pending and time.monotonic() > deadline:
                tails = "\n".join(f"--- {name}\n{self.log_tail(node, name)}" for name in pending)
                raise AssertionError(f"{node.name}: not healthy after {timeout:.0f} s: {sorted(pending)}\n{tails}")
            if pending:
                time.sleep(1)

    def stop(self, node: Node) -> None:
        """`docker compose stop`: SIGTERM to each main process, SIGKILL after its grace period; what
        it exited with is kept, and any process of its group still there afterwards is a leftover."""
        for running in node.running.values():
            with contextlib.suppress(ProcessLookupError):
                running.process.send_signal(signal.SIGTERM)
        for name, running in node.running.items():
            try:
                node.exit_codes[name] = running.process.wait(running.service.stop_grace)
            except subprocess.TimeoutExpired:
                node.exit_codes[name] = -9
                _kill_group(running.process)
                running.process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(running.process.pid, 0)
                node.leftovers.append(name)
                _kill_group(running.process)
        node.running.clear()

    def kill(self, node: Node) -> None:
        """The node's host is gone: SIGKILL to every process of it."""
        for running in node.running.values():
            _kill_group(running.process)
        for running in node.running.values():
            running.process.wait()
        node.running.clear()

    def close(self) -> None:
        for node in self.nodes:
            self.kill(node)
        self.redis.stop()
        self.database.drop()
        shutil.rmtree(self.folder / "tmp", ignore_errors=True)

    def log_tail(self, node: Node, name: str, lines: int = 30) -> str:
        path = self.folder / "logs" / f"{node.name}-{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _die_with_the_test() -> None:
    """A service's process gets SIGKILL when the test process dies (killed pytest: no orphans)."""
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


# --- clients, as users drive the shape ----------------------------------------------------------


class WebAdmin:
    """A browser behind the TLS proxy: cookies kept whatever their Secure flag, X-Forwarded-Proto set."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        origin = f"https://127.0.0.1:{self.port}"
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "Referer": origin + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = origin
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
            return response.status, text, dict(response.getheaders())
        finally:
            connection.close()

    def login(self, name: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        assert status == 200, page[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, page, headers = self.request("POST", "/login/", {
            "csrfmiddlewaretoken": token, "name": name, "password": password, "next": "/Master/Settings/General"})
        assert status == 302, f"login answered {status}: {page[:500]}"
        assert headers.get("Location", "").endswith("/Master/Settings/General"), headers


MESSAGE_ID = re.compile(rb"^Message-ID: <([^>]+)>", re.MULTILINE | re.IGNORECASE)


def submit(base: Path, name: str, recipient: str, message_id: str, body: bytes = b"Hello.\n") -> None:
    """Drop a message as the PIPE module takes it: written as .tmp, renamed .sub when complete."""
    folder = base / "Submitted"
    data = (f"From: sender@outside.example\nTo: {recipient}\nSubject: shape test\nMessage-ID: <{message_id}>\n\n"
            .encode() + body)
    temporary = folder / f"{name}.tmp"
    temporary.write_bytes(data)
    temporary.rename(folder / f"{name}.sub")


def delivered(base: Path, domain: str) -> dict[str, list[str]]:
    """The Message-IDs in each account's INBOX of the domain (as many times as they are there)."""
    from mailqueue import mboxrd

    found: dict[str, list[str]] = {}
    for inbox in (base / "Domains" / domain).rglob("INBOX.mbox"):
        account = inbox.parent.name.removesuffix(".macnt")
        found[account] = [match.decode() for stored in mboxrd.read_messages(inbox)
                          for match in MESSAGE_ID.findall(stored.message)]
    return found
