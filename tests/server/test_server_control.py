"""Starting and stopping a real server process: Startup.sh, --daemon, kill -9, stop, SHUTDOWN."""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.server.test_cgserver_process import PROJECT, RunningServer, free_port, port_is_closed, server_env

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PASSWORD = "operator-chosen"


def page(port: int, path: str, user: str = "postmaster", password: str = PASSWORD) -> str:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Basic {token}"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read().decode()


def wait_until(condition, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def manage(*arguments: str, env: dict[str, str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(item) for item in (task / "children").read_text().split()]
    return found


def test_startup_sh_options_are_in_force_and_shown_on_the_general_page(tmp_path):
    base = tmp_path / "CommuniGate"
    base.mkdir()
    (base / "Startup.sh").write_text('SUPPLPARAMS="--excludeLocalIP 127.0.0.1 --THREADSSCOPE system"\n')
    server = RunningServer(base, server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD), "--ipv6", "NO")
    try:
        server.wait_for(r"--threadsScope: Python threads have no scheduling scope: not applicable, ignored")
        server.wait_for("WebAdmin at")
        general = page(server.http_port, "/Master/Settings/General")
    finally:
        assert server.stop() == 0

    shown = '"--ipv6" "NO" "--excludeLocalIP" "127.0.0.1" "--THREADSSCOPE" "system"'.replace('"', "&quot;")
    assert shown in general  # the command line, then Startup.sh's SUPPLPARAMS
    assert "[127.0.0.1]" not in general  # excluded from the Server IP Address(es)
    assert "<dt>IPv6 Support</dt><dd>Disabled</dd>" in general


def test_daemon_runs_in_the_background_and_stop_ends_it(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD)
    http_port = free_port()
    started = manage("cgserver", "--Base", str(base), "--Daemon", "--HTTPPort", str(http_port),
                     "--CLIPort", str(free_port()), env=env)

    assert started.returncode == 0, started.stderr
    pid = int(started.stdout.split("running in the background as pid ")[1].split()[0])
    try:
        assert wait_until(lambda: (base / "ProcessID").exists() and not port_is_closed(http_port))
        assert (base / "ProcessID").read_text().strip() == str(pid)
        assert os.getsid(pid) == pid  # its own session, away from the terminal
        assert os.readlink(f"/proc/{pid}/fd/1") == "/dev/null"

        stopped = manage("cgserver", "stop", "--base", str(base), env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert f"server {pid} stopped" in stopped.stdout
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not (base / "ProcessID").exists()
    assert wait_until(lambda: port_is_closed(http_port))


def test_daemon_first_start_shows_the_generated_postmaster_password_before_it_detaches(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base)
    env.pop("CGADMIN_POSTMASTER_PASSWORD", None)
    http_port = free_port()
    started = manage("cgserver", "--Base", str(base), "--daemon", "--HTTPPort", str(http_port),
                     "--CLIPort", str(free_port()), env=env)

    assert started.returncode == 0, started.stderr
    pid = int(started.stdout.split("running in the background as pid ")[1].split()[0])
    try:
        password = started.stdout.split("postmaster password (shown once): ")[1].split()[0]
        assert f"WebAdmin at http://127.0.0.1:{http_port}/" in started.stdout  # it returns once the server runs
        assert "<dt>" in page(http_port, "/Master/Settings/General", password=password)
    finally:
        stopped = manage("cgserver", "stop", "--base", str(base), env=env)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert stopped.returncode == 0, stopped.stderr


def test_a_daemon_start_that_fails_says_why_and_fails(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD)
    server = RunningServer(base, env)
    try:
        server.wait_for("WebAdmin at")
        second = manage("cgserver", "--Base", str(base), "--daemon", "--HTTPPort", str(free_port()), env=env)
        assert second.returncode == 2
        assert f"another server (pid {server.process.pid}) is running" in second.stderr
        assert "running in the background" not in second.stdout
    finally:
        assert server.stop() == 0


def test_a_process_id_left_by_kill_9_does_not_block_the_next_start(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD)
    first = RunningServer(base, env)
    first.wait_for("WebAdmin at")
    children = children_of(first.process.pid)
    first.process.kill()
    first.process.wait()

    assert (base / "ProcessID").read_text().strip() == str(first.process.pid)  # stale
    assert wait_until(lambda: not any(Path(f"/proc/{child}").exists() for child in children))  # no orphans
    second = RunningServer(base, env)
    try:
        second.wait_for("WebAdmin at")
        assert (base / "ProcessID").read_text().strip() == str(second.process.pid)
    finally:
        assert second.stop() == 0


def test_lock_lock_file_no_still_refuses_a_second_server(tmp_path):
    base = tmp_path / "CommuniGate"
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD)
    server = RunningServer(base, env, "--lockLockFile", "NO")
    try:
        server.wait_for("WebAdmin at")
        second = manage("cgserver", "--Base", str(base), "--lockLockFile", "NO", "--HTTPPort", str(free_port()),
                        env=env)
        assert second.returncode != 0
        assert f"another server (pid {server.process.pid}) is running" in second.stderr

        stopped = manage("cgserver", "stop", "--Base", str(base), "--lockLockFile", "NO", env=env)
        assert stopped.returncode == 0, stopped.stderr
        assert server.process.wait(timeout=30) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()


def syslog_listener(path: Path):
    import socket

    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    return sock


def syslog_records(sock) -> list[str]:
    records = []
    while True:
        try:
            records.append(sock.recv(4096).decode())
        except TimeoutError:
            return records


def test_shutdown_stops_the_server_like_sigterm_and_tells_the_os_log(tmp_path, settings):
    from accounts.models import Account
    from logs.models import AuditEntry
    from server.services import server_shutdown

    base = tmp_path / "CommuniGate"
    log = syslog_listener(tmp_path / "log.sock")
    env = server_env(base, CGADMIN_POSTMASTER_PASSWORD=PASSWORD, OS_SYSLOG_SOCKET=str(tmp_path / "log.sock"))
    server = RunningServer(base, env)
    try:
        server.wait_for("WebAdmin at")
        settings.CGATE_BASE = base
        postmaster = Account.objects.get(name="postmaster", domain__is_main=True)

        server_shutdown(actor=postmaster)  # what the CLI's SHUTDOWN calls

        assert server.process.wait(timeout=60) == 0
    finally:
        if server.process.poll() is None:
            server.process.kill()
    assert not (base / "ProcessID").exists()
    assert port_is_closed(server.http_port)
    assert AuditEntry.objects.filter(event="server.shutdown", actor=postmaster).exists()
    records = syslog_records(log)
    assert any(f"server 0.1.0 started on {base}" in record for record in records), records
    assert any(f"server on {base} stopped (shutdown)" in record for record in records), records
