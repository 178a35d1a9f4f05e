"""The ProcessID file: the running server's pid, locked (fcntl) for as long as it runs.

A second server on the same base directory finds the lock held and refuses to start. A file left
behind by kill -9 holds no lock, so it never blocks the next start. With --lockLockFile NO (file
systems without locks) the pid in the file is checked instead: a live cgserver process there
blocks, anything else is stale."""

from __future__ import annotations

import errno
import fcntl
import os
from pathlib import Path

from cgadmin.errors import GeneralError


def _read_pid(fd: int) -> int | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 32).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def is_server_process(pid: int) -> bool:
    """Whether pid is a live cgserver (not a stranger that got the pid of a killed server)."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"cgserver" in command and b"stop" not in command


class ProcessLock:
    def __init__(self, path: Path, *, locked: bool = True) -> None:
        self.path = path
        self.locked = locked
        self._fd: int | None = None

    def acquire(self) -> None:
        try:
            # O_NOFOLLOW: a link planted as ProcessID would have root truncate and write where it points
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            raise GeneralError(f"{self.path} is a symbolic link: not opened (remove it, then start again)") from None
        owner = _read_pid(fd)
        if self.locked:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                busy = True
            else:
                busy = False
        else:
            busy = owner is not None and owner != os.getpid() and is_server_process(owner)
        if busy:
            os.close(fd)
            raise GeneralError(
                f"another server (pid {owner or 'unknown'}) is running on the base directory {self.path.parent}: "
                f"{self.path.name} is {'locked' if self.locked else 'in use'}"
            )
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
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


def running_pid(path: Path, *, locked: bool = True) -> int | None:
    """The pid of the server holding the lock, or None when no server runs there."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_NOFOLLOW)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            return None  # a link is no server's lock
        raise
    try:
        if not locked:
            pid = _read_pid(fd)
            return pid if pid is not None and is_server_process(pid) else None
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return _read_pid(fd)
        fcntl.lockf(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
