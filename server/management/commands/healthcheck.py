"""`manage.py healthcheck COMPONENT`: is this component of the production shape working? Exit status
0 when it is, 1 (with the reason) when not. docker-compose.yml's health checks run it."""

from __future__ import annotations

import http.client
import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

COMPONENTS = ("web", "cli", "snmp", "queue", "worker", "beat")
TIMEOUT_SECONDS = 5.0


class Command(BaseCommand):
    help = "Check one component of the production shape: " + ", ".join(COMPONENTS) + "."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("component", choices=COMPONENTS)
        parser.add_argument("--port", type=int, default=None, help="the port it listens on (web, cli, snmp)")
        parser.add_argument("--heartbeat", type=Path, default=None, help="the queue runner's --heartbeat file")
        parser.add_argument("--max-age", type=float, default=60.0, help="seconds the heartbeat may be old")

    def handle(self, *args: object, component: str, port: int | None, heartbeat: Path | None,
               max_age: float, **options: object) -> None:
        try:
            problem = _check(component, port, heartbeat, max_age)
        except OSError as error:
            problem = str(error)
        if problem:
            raise CommandError(f"{component}: {problem}", returncode=1)
        self.stdout.write(f"{component}: OK")


def _check(component: str, port: int | None, heartbeat: Path | None, max_age: float) -> str | None:
    """This component's check, once the option it needs is there: what is wrong, or None."""
    if component in ("web", "cli", "snmp"):
        if port is None:
            raise CommandError(f"healthcheck {component} needs --port")
        return {"web": check_web, "cli": check_cli, "snmp": check_snmp}[component](port)
    if component == "queue":
        if heartbeat is None:
            raise CommandError("healthcheck queue needs --heartbeat")
        return check_heartbeat(heartbeat, max_age)
    return {"worker": check_worker, "beat": check_beat}[component]()


def _host_header() -> str:
    """A host name the WebAdmin accepts (ALLOWED_HOSTS), for a probe sent to 127.0.0.1."""
    for host in settings.ALLOWED_HOSTS:
        name = host.lstrip(".")
        if name and name != "*":
            return name
    return "localhost"


def check_web(port: int) -> str | None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT_SECONDS)
    try:
        connection.request("GET", "/healthz", headers={"Host": _host_header()})
        status = connection.getresponse().status
    finally:
        connection.close()
    return None if status == 200 else f"/healthz answered {status}"


def check_cli(port: int) -> str | None:
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT_SECONDS) as sock:
        greeting = sock.makefile("rb").readline().decode("utf-8", "replace").strip()
        sock.sendall(b"QUIT\r\n")
    return None if greeting.startswith("200 ") else f"the listener greeted with {greeting!r}"


def check_snmp(port: int) -> str | None:
    from server import snmp
    from server.selectors import snmp_system_group

    community = snmp_system_group(time.time()).community
    if not community:
        return None  # the General page turned the agent off: it answers nobody, as it should
    answer = snmp.client_request(("127.0.0.1", port), community, [(1, 3, 6, 1, 2, 1, 1, 5, 0)],
                                 timeout=TIMEOUT_SECONDS)
    return None if answer.error_status == 0 else f"sysName answered error {answer.error_status}"


def check_heartbeat(path: Path, max_age: float) -> str | None:
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return f"no heartbeat file {path}"
    return None if age <= max_age else f"the heartbeat is {age:.0f} s old"


def check_worker() -> str | None:
    from cgadmin.celery import app

    node = f"celery@{socket.gethostname()}"
    answers = app.control.ping(destination=[node], timeout=TIMEOUT_SECONDS)
    return None if answers else f"{node} did not answer a ping"


def check_beat() -> str | None:
    from cgadmin.singleton import beat_lock_holder

    return None if beat_lock_holder() is not None else "no beat holds the schedule lock"
