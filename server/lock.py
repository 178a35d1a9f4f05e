"""The ProcessID file: the running server's pid, locked (fcntl) for as long as it runs.

A second server on the same base directory finds the lock held and refuses to start. A file left
behind by kill -9 holds no lock, so it never blocks the next start."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from cgadmin.errors import GeneralError


class ProcessLock:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            owner = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise GeneralError(
                f"another server (pid {owner}) is running on the base directory {self.path.parent}: "
                f"{self.path.name} is locked"
            )
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        os.fsync(fd)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None


def running_pid(path: Path) -> int | None:
    """The pid of the server holding the lock, or None when no server runs there."""
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        text = os.read(fd, 32).decode(errors="replace").strip()
        return int(text) if text.isdigit() else None
    else:
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
