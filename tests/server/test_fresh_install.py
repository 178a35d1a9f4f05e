"""A fresh install as the README starts it: the embedded default (SQLite, the folder broker, the
file cache) in a new base directory, by a real `manage.py cgserver` process run as root here."""

from __future__ import annotations

import os
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
    """A base directory after a first start (the server stopped again, as a backup would find it)."""
    base = tmp_path_factory.mktemp("fresh") / "CommuniGate"
    server = RunningServer(base, embedded_env(base))
    try:
        server.wait_for("WebAdmin at")
    finally:
        assert server.stop() == 0, "".join(server.output)
    return base


def test_a_fresh_install_passes_basedir_check(fresh_install):
    result = manage(fresh_install, "basedir", "check")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "the base directory matches the database" in result.stdout
