"""Reaching what lies below the base directory's top-level folders without following a symbolic link.

A top-level folder (`Domains/`, `Accounts/`, `Settings/`, `Queue/`, ...) may be a symbolic link: an
administrator moved it to another disk, as the seed allows. Nothing below one may be: a link there
(planted by anyone who could write one folder) would make the exporter, a delivery or a restore
write where it points, as the server's user, root's files included. So every folder below a
top-level one is opened relative to its parent with O_NOFOLLOW (openat), and the file itself too:
a link met on the way is refused (SymlinkRefused, an OSError whose callers already log and retry),
never followed, even one swapped in between a check and a write.

Paths outside the base directory (an operator's export file, a test's folder) are opened as given."""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings

FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW


class SymlinkRefused(OSError):
    """A symbolic link below a top-level folder of the base directory: refused, never followed."""

    def __init__(self, path: Path | str) -> None:
        super().__init__(errno.ELOOP, "a symbolic link below the base directory's top-level folders: refused",
                         str(path))


def _below_top(path: Path) -> tuple[Path, tuple[str, ...]] | None:
    """(the top-level folder, the names below it) for a path below the base directory, else None."""
    base = Path(settings.CGATE_BASE)
    try:
        parts = Path(path).relative_to(base).parts
    except ValueError:
        return None
    if not parts:
        return None
    if any(part in (".", "..") for part in parts):
        raise OSError(errno.EINVAL, "a path below the base directory with . or .. in it", str(path))
    return base / parts[0], parts[1:]


def is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except FileNotFoundError:
        return False


def open_folder(folder: Path, *, create: bool = False, durable: bool = False) -> int:
    """A descriptor of folder (the caller closes it), each folder below the top-level one opened
    without following a link; create: missing folders are made (durable: each made one is fsynced
    into its parent at once)."""
    split = _below_top(folder)
    if split is None:
        if create:
            os.makedirs(folder, exist_ok=True)
        return os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    top, names = split
    if create and not top.exists():
        os.makedirs(top, exist_ok=True)
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)  # the top-level folder may be a link
    walked = top
    try:
        for name in names:
            walked = walked / name
            parent, fd = fd, -1  # _step closes the parent, whatever happens
            fd = _step(parent, name, walked, create=create, durable=durable)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    return fd


def _step(parent: int, name: str, walked: Path, *, create: bool, durable: bool) -> int:
    """The descriptor of parent's entry name (a folder, not a link); parent is closed."""
    try:
        try:
            child = os.open(name, FOLDER_FLAGS, dir_fd=parent)
        except FileNotFoundError:
            if not create:
                raise
            with contextlib.suppress(FileExistsError):
                os.mkdir(name, dir_fd=parent)
                if durable:
                    os.fsync(parent)
            child = os.open(name, FOLDER_FLAGS, dir_fd=parent)
    except OSError as error:
        if error.errno in (errno.ELOOP, errno.ENOTDIR) and is_link(name, parent):
            raise SymlinkRefused(walked) from None
        raise
    finally:
        os.close(parent)
    return child


@contextlib.contextmanager
def folder(path: Path, *, create: bool = False, durable: bool = False) -> Iterator[int]:
    """open_folder as a context: the descriptor is closed after."""
    fd = open_folder(path, create=create, durable=durable)
    try:
        yield fd
    finally:
        os.close(fd)


def open_file(path: Path, flags: int, mode: int = 0o640, *, create_folders: bool = False) -> int:
    """os.open(path, flags, mode) with no link followed below the top-level folder, the file's own
    name included (O_NOFOLLOW)."""
    path = Path(path)
    with folder(path.parent, create=create_folders) as parent:
        try:
            return os.open(path.name, flags | os.O_NOFOLLOW, mode, dir_fd=parent)
        except OSError as error:
            if error.errno == errno.ELOOP:
                raise SymlinkRefused(path) from None
            raise


def read_bytes(path: Path) -> bytes:
    """The whole file, no link followed on the way to it or as it (FileNotFoundError when missing)."""
    fd = open_file(path, os.O_RDONLY | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return handle.read()


def refuse_links(path: Path) -> None:
    """SymlinkRefused when a folder on the way to path (below the top-level one) is a link.
    The entry path names may itself be a link: renaming or removing one never follows it."""
    try:
        with folder(Path(path).parent):
            pass
    except (FileNotFoundError, NotADirectoryError):
        return  # nothing there to follow


def links_below(top: Path) -> Iterator[Path]:
    """Every symbolic link below a top-level folder (which may be one itself), none followed."""
    pending = [top]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in sorted(entries, key=lambda item: item.name):
            if entry.is_symlink():
                yield Path(entry.path)
            elif entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
