"""A fresh install as the README starts it: the embedded default (SQLite, the folder broker, the
file cache) in a new base directory, by a real `manage.py cgserver` process run as root here."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.test_cgserver_process import PROJECT, RunningServer

pytestmark = pytest.mark.slow


def embedded_env(base: Path) -> dict[str, str]:
    """The environment of an operator who set nothing: every default embedded."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DATABASE_URL", "REDIS_URL", "CELERY_", "SECRET_KEY", "CGADMIN_", "PYTEST"))}
    env.update({"DJANGO_SETTINGS_MODULE": "cgadmin.settings", "CGATE_BASE": str(base), "WEB_WORKERS": "1",
                "CELERY_WORKER_CONCURRENCY": "1"})
    return env


def manage(base: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *arguments], cwd=PROJECT, env=embedded_env(base),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def fresh_install(tmp_path_factory):
    """A base directory after a first start, with the server still running (its SQLite -wal and -shm
    files exist only then), and a failed login so the file cache holds the throttle's counters."""
    base = tmp_path_factory.mktemp("fresh") / "CommuniGate"
    server = RunningServer(base, embedded_env(base))
    try:
        server.wait_for("WebAdmin at")
        assert server.get("/Master/Settings/General", "postmaster", "wrong") == 401
        yield base
    finally:
        assert server.stop() == 0, "".join(server.output)


def test_a_fresh_install_passes_basedir_check(fresh_install):
    result = manage(fresh_install, "basedir", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "the base directory matches the database" in result.stdout


def modes(folder: Path) -> dict[str, int]:
    """Every entry below folder (itself as "."), with its permission bits."""
    found = {".": stat.S_IMODE(folder.lstat().st_mode)}
    for path in folder.rglob("*"):
        found[path.relative_to(folder).as_posix()] = stat.S_IMODE(path.lstat().st_mode)
    return found


def test_the_secrets_of_a_fresh_install_are_the_server_users_only(fresh_install):
    state = modes(fresh_install / "cgadmin")

    for secret in ("cgadmin.sqlite3", "cgadmin.sqlite3-wal", "cgadmin.sqlite3-shm", "secret.key", "broker/queue",
                   "broker/processed", "broker/control", "cache", "faults/web.txt", "faults/worker.txt"):
        assert secret in state, f"{secret} not found: the test would prove nothing ({sorted(state)})"
    assert any(name.startswith("cache/") for name in state)
    opened = {name: oct(mode) for name, mode in state.items() if mode & 0o077}
    assert opened == {}


def test_a_start_repairs_secrets_open_to_others_and_check_reports_them(tmp_path):
    base = tmp_path / "CommuniGate"
    first = RunningServer(base, embedded_env(base))
    first.wait_for("WebAdmin at")
    assert first.stop() == 0
    state = base / "cgadmin"
    report = base / "CrashReport-20260101-000000.txt"
    report.write_text("tracebacks")
    for path, mode in [(state, 0o755), (state / "cgadmin.sqlite3", 0o644), (state / "secret.key", 0o644),
                       (state / "broker" / "queue", 0o777), (report, 0o644)]:
        path.chmod(mode)
    postmaster = base / "Accounts" / "postmaster.macnt" / "account.settings"
    postmaster.chmod(0o644)

    check = manage(base, "basedir", "check")
    assert check.returncode == 1
    reported = set(check.stdout.splitlines())
    assert {f"readable by others: {name}" for name in (
        "cgadmin", "cgadmin/cgadmin.sqlite3", "cgadmin/secret.key", "cgadmin/broker/queue",
        report.name, "Accounts/postmaster.macnt/account.settings")} <= reported

    postmaster.chmod(0o640)  # the exporter's mode: the group may read, others not
    again = RunningServer(base, embedded_env(base))
    try:
        again.wait_for("WebAdmin at")
        assert any("cgadmin.sqlite3 was open to other users: made private" in line for line in again.output)
        assert {name: oct(mode) for name, mode in modes(state).items() if mode & 0o077} == {}
        assert stat.S_IMODE(report.stat().st_mode) == 0o600
    finally:
        assert again.stop() == 0
    assert manage(base, "basedir", "check").returncode == 0


def test_migrate_before_the_first_start_makes_a_private_database(tmp_path):
    """`make run` migrates before it starts the server."""
    base = tmp_path / "CommuniGate"
    result = manage(base, "migrate", "--noinput")

    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((base / "cgadmin").stat().st_mode) == 0o700
    assert stat.S_IMODE((base / "cgadmin" / "cgadmin.sqlite3").stat().st_mode) == 0o600
