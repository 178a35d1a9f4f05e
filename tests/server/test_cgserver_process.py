"""`manage.py cgserver` as an operator runs it: a real server process on the test database."""

from __future__ import annotations

import base64
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROJECT = Path(settings.PROJECT_DIR)


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(base: Path, **extra: str) -> dict[str, str]:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cgadmin.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CGATE_BASE": str(base),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "REDIS_URL": settings.REDIS_URL,
        "SECRET_KEY": "test-only",
        "WEB_WORKERS": "1",
        "CELERY_WORKER_CONCURRENCY": "1",
    }
    env.update(extra)
    return env


class RunningServer:
    def __init__(self, base: Path, env: dict[str, str], *options: str, cli_port: int | None = None) -> None:
        self.http_port = free_port()
        self.snmp_port = free_port(socket.SOCK_DGRAM)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "cgserver", "--base", str(base), "--HTTPPORT", str(self.http_port),
             "--CLIPort", str(cli_port or free_port()), "--SNMPPort", str(self.snmp_port), *options],
            cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.output: list[str] = []

    def wait_for(self, pattern: str, timeout: float = 60) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line and self.process.poll() is not None:
                break
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"{pattern!r} not seen; output:\n{''.join(self.output)}")

    def get(self, path: str, user: str, password: str) -> int:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.http_port}{path}",
                                         headers={"Authorization": f"Basic {token}"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def port_is_closed(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return False
    except OSError:
        return True


def test_first_start_login_lock_and_clean_stop(tmp_path):
    base = tmp_path / "CommuniGate"
    server = RunningServer(base, server_env(base))
    try:
        password = server.wait_for(r"postmaster password \(shown once\): (\S+)").group(1)
        server.wait_for(r"WebAdmin at http://127\.0\.0\.1:\d+/")

        for folder in ("Settings", "Accounts", "Domains", "Queue", "BadFiles", "Submitted", "SystemLogs", "Directory"):
            assert (base / folder).is_dir(), folder
        assert (base / "ProcessID").read_text().strip() == str(server.process.pid)
        log_text = "".join(path.read_text() for path in (base / "SystemLogs").glob("*.log"))
        assert re.search(rf"\bSYSTEM\b.*server started: cgadmin .*pid {server.process.pid}", log_text)
        assert server.get("/Master/Settings/General", "postmaster", password) == 200
        assert server.get("/Master/Settings/General", "postmaster", "wrong") == 401

        second = subprocess.run(
            [sys.executable, "manage.py", "cgserver", "--Base", str(base), "--HTTPPort", str(free_port())],
            cwd=PROJECT, env=server_env(base), capture_output=True, text=True, timeout=60,
        )
        assert second.returncode != 0
        assert f"another server (pid {server.process.pid}) is running" in second.stderr
    finally:
        returncode = server.stop()

    assert returncode == 0
    assert not (base / "ProcessID").exists()
    assert port_is_closed(server.http_port)

    again = RunningServer(base, server_env(base))
    try:
        again.wait_for(r"WebAdmin at")
        assert not any("password" in line for line in again.output)  # shown once, on the first start only
        assert again.get("/Master/Settings/General", "postmaster", password) == 200
    finally:
        assert again.stop() == 0


def test_a_listener_whose_port_is_taken_is_reported_once_and_left_out(tmp_path):
    base = tmp_path / "CommuniGate"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        server = RunningServer(base, server_env(base), cli_port=taken.getsockname()[1])
        try:
            server.wait_for(r"WebAdmin at")
            # Past the first two restart delays (1 s, 2 s): a component restarted in a loop would say so.
            time.sleep(4)
        finally:
            assert server.stop() == 0
        server.output.extend(server.process.stdout.readlines())

    reports = [line for line in server.output if "A problem with cli" in line]
    assert len(reports) == 1, server.output
    assert sum("cli is not started" in line for line in server.output) == 1, server.output
    assert not any("component cli exited" in line for line in server.output), server.output
    log_text = "".join(path.read_text() for path in (base / "SystemLogs").glob("*.log"))
    assert log_text.count("A problem with cli, TCP listener") == 1


def test_postmaster_password_from_the_environment_and_stop_command(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD="chosen-by-operator")
    server = RunningServer(base, env)
    try:
        server.wait_for("taken from CGADMIN_POSTMASTER_PASSWORD")
        server.wait_for("WebAdmin at")
        assert server.get("/Master/Settings/General", "postmaster", "chosen-by-operator") == 200

        stop = subprocess.run([sys.executable, "manage.py", "cgserver", "stop", "--Base", str(base)],
                              cwd=PROJECT, env=env, capture_output=True, text=True, timeout=90)
        assert stop.returncode == 0, stop.stderr
        assert server.process.wait(timeout=30) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert not (base / "ProcessID").exists()


def test_an_unknown_option_stops_the_start_with_a_clear_message(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "cgserver", "--Base", str(tmp_path), "--Bogus", "1"],
        cwd=PROJECT, env=server_env(tmp_path), capture_output=True, text=True, timeout=60,
    )

    assert result.returncode == 2
    assert "unknown command-line option '--Bogus'" in result.stderr
