"""Files that hold secrets: created readable by their owner only, made once, repaired when wider.

The embedded default keeps its database, broker, cache, keys and fault files in one state folder
(`<base>/cgadmin`): the folder and everything in it are 0700/0600, whatever the umask. A key is
made once: a temporary file written whole, then linked to its name (a link never replaces an
existing file), under a lock, so processes starting together all end with the one key.

No Django here: cgadmin.settings uses it before Django is set up."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
SERVER_UMASK = 0o077  # what the server's processes create is their user's only, unless made otherwise
OTHERS = 0o077  # group and others bits: none of them on a secret


def private_folder(folder: Path) -> Path:
    """folder (and missing parents of it) created 0700; an existing folder is left as it is."""
    missing: list[Path] = []
    current = folder
    while not current.exists() and not current.is_symlink():
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=PRIVATE_FOLDER)
            os.chmod(path, PRIVATE_FOLDER)  # mkdir's mode is filtered by the umask
    return folder


def private_file(path: Path) -> Path:
    """An empty 0600 file at path unless one exists (SQLite then opens it, and its -wal and -shm
    files take its mode)."""
    private_folder(path.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, PRIVATE_FILE))
    return path


def read_or_create_secret(path: Path, generate: Callable[[], bytes]) -> bytes:
    """The secret kept in path; the first caller makes it with generate(), and every process racing
    it reads that same secret. The file is 0600 and appears whole or not at all."""
    secret = _read_secret(path)
    if secret is not None:
        return secret
    private_folder(path.parent)
    lock_fd = os.open(path.with_name(f".{path.name}.lock"), os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
    try:
        fcntl.flock(lock_fd, fcntl.LOCK_EX)
        secret = _read_secret(path)
        if secret is None:
            secret = _create_secret(path, generate())
        return secret
    finally:
        os.close(lock_fd)  # releases the lock


def _read_secret(path: Path) -> bytes | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        secret = handle.read().strip()
    if not secret:
        raise OSError(f"{path} is empty: restore the key from a backup (a new one cannot read what the old one wrote)")
    return secret


def _create_secret(path: Path, secret: bytes) -> bytes:
    """Write the secret to a temporary file of its own, then link it to path: never half a file, and
    never over a key another process made first (then that one is returned)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secret + b"\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temp, path)
        except FileExistsError:
            existing = _read_secret(path)
            if existing is None:
                raise
            return existing
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
    folder_fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(folder_fd)
    finally:
        os.close(folder_fd)
    return secret


def _tree(folder: Path) -> Iterator[tuple[Path, os.stat_result]]:
    """folder and everything below it, links themselves (never what they point to)."""
    try:
        yield folder, os.lstat(folder)
    except FileNotFoundError:
        return
    for parent, folders, files in os.walk(folder):  # os.walk does not descend into linked folders
        for name in folders + files:
            path = Path(parent) / name
            with contextlib.suppress(FileNotFoundError):
                yield path, os.lstat(path)


def exposed(folder: Path) -> list[Path]:
    """Entries of a private folder (itself included) that its group or others may use."""
    return [path for path, info in _tree(folder)
            if not stat.S_ISLNK(info.st_mode) and info.st_mode & OTHERS]


def make_private(path: Path) -> bool:
    """Take the group's and others' bits off one file or folder (not a link); True when it changed."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode) or not info.st_mode & OTHERS:
        return False
    os.chmod(path, stat.S_IMODE(info.st_mode) & ~OTHERS)
    return True


def repair_tree(folder: Path) -> list[Path]:
    """Make a private folder and everything in it its owner's only; the entries that were wider."""
    return [path for path in exposed(folder) if make_private(path)]
