"""Fixtures of the backup and restore tests: a base directory of the test's own, filled."""

from __future__ import annotations

from pathlib import Path

import pytest

from basedir.layout import ensure_layout


@pytest.fixture
def base(settings, tmp_path) -> Path:
    """A fresh base directory for this test; archives go beside it, never inside."""
    settings.CGATE_BASE = tmp_path / "base"
    ensure_layout(settings.CGATE_BASE)
    return settings.CGATE_BASE


@pytest.fixture
def running_server(base):
    """Another process holding the ProcessID lock, as a running server does (fcntl locks are per process)."""
    import subprocess
    import sys

    code = (
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(base / 'ProcessID')!r}, os.O_RDWR | os.O_CREAT, 0o644)\n"
        "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
        "os.write(fd, str(os.getpid()).encode() + b'\\n')\n"
        "print('locked', flush=True)\n"
        "sys.stdin.read()\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    yield holder.pid
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)
