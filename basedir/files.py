"""The exporter's file operations: many files written whole at the price of two disk flushes, and
folders moved or removed so that a crash at any moment leaves either the old or the new state.

A batch writes every changed file to a temporary file beside it (`.<name>.<random>.tmp`), flushes
the file system once (syncfs: the data of every temporary file is on disk), renames each over its
target, and flushes again (the renames are on disk). That is basedir.atomic's protocol — temp,
fsync, rename, fsync the folder — done for a thousand files with two flushes instead of two
thousand. A reader sees the old file or the new one, never half of one; a crash leaves at most
temporary files, which the next export of that folder removes (`remove_leftovers`)."""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import stat
import time
from pathlib import Path

from basedir import nofollow
from basedir.atomic import fsync_dir

FILE_MODE = 0o640
TEMP_SUFFIX = ".tmp"
REMOVED_MARK = ".removed-"  # a folder being removed is first renamed `.<name>.removed-<ns>`

_libc = ctypes.CDLL(None, use_errno=True)
_syncfs = getattr(_libc, "syncfs", None)


def sync_filesystem(folder: Path | str) -> None:
    """Flush every pending write of the file system that holds folder (syncfs; sync() elsewhere)."""
    if _syncfs is None:
        os.sync()
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if _syncfs(fd) != 0:
            errno = ctypes.get_errno()
            raise OSError(errno, os.strerror(errno), str(folder))
    finally:
        os.close(fd)


def is_temporary(name: str) -> bool:
    """A temporary file of an atomic write (ours or basedir.atomic's): `.<name>.<random>.tmp`."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


def is_removed_leftover(name: str) -> bool:
    return name.startswith(".") and REMOVED_MARK in name


def make_folder(folder: Path) -> bool:
    """mkdir -p, never through a link below a top-level folder (basedir.nofollow); each folder
    created is made durable in its parent. True when one was created."""
    existed = folder.is_dir() and not folder.is_symlink()
    os.close(nofollow.open_folder(folder, create=True, durable=True))
    return not existed


_pid = os.getpid()


def _after_fork() -> None:
    global _pid
    _pid = os.getpid()


os.register_at_fork(after_in_child=_after_fork)  # a prefork worker's temporary names carry its own pid


def _same_content(target: str, data: bytes) -> bool:
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a link is never "the same"
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        if os.fstat(fd).st_size != len(data) or not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return handle.read() == data


class FileBatch:
    """Files to write whole, together: add() them, then commit() once."""

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}  # target -> its temporary file (staged twice: the last wins)
        self._folders: set[str] = set()
        self.written = 0

    def new_folder(self, folder: Path | str) -> bool:
        """Create folder (and its parents) if it is missing; True when this call created it, so its
        files need no comparison with old ones. Made durable by commit's flush, like the files.
        No link below a top-level folder is followed (basedir.nofollow)."""
        target = os.fspath(folder)
        head, name = os.path.split(target)
        with nofollow.folder(Path(head), create=True) as parent:
            try:
                os.mkdir(name, dir_fd=parent)
            except FileExistsError:
                if nofollow.is_link(name, parent):
                    raise nofollow.SymlinkRefused(target) from None
                return False
        self._folders.add(target)
        return True

    def add(self, path: Path | str, data: bytes, *, in_new_folder: bool = False) -> bool:
        """Stage path's new content; False (nothing staged) when the file already holds exactly that.
        in_new_folder: its folder was just made by new_folder() (no old file to compare with).

        The temporary name is `.<name>.<pid>.tmp`: one writer per object at a time (the exporter's
        locks), and one process never writes two versions of a file in one batch. Its folders are
        reached without following a link (basedir.nofollow), and the rename at commit too."""
        target = os.fspath(path)
        if not in_new_folder and _same_content(target, data):
            return False
        head, name = os.path.split(target)
        temp_name = f".{name}.{_pid}{TEMP_SUFFIX}"
        with nofollow.folder(Path(head), create=True) as parent:
            fd = os.open(temp_name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE, dir_fd=parent)
            try:
                _write_all(fd, data)
                os.fchmod(fd, FILE_MODE)  # whatever the umask (the server's takes the group's bits away)
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(temp_name, dir_fd=parent)
                raise
            finally:
                os.close(fd)
        self._folders.add(head)
        self._pending[target] = f"{head}/{temp_name}"
        return True

    def commit(self) -> int:
        """Flush the data, rename every file over its target, flush the renames; the files written."""
        if not self._pending:
            return 0
        try:
            for filesystem_folder in _one_folder_per_device(self._folders):
                sync_filesystem(filesystem_folder)
            _rename_all(self._pending)
        except BaseException:
            self.abandon()
            raise
        for filesystem_folder in _one_folder_per_device(self._folders):
            sync_filesystem(filesystem_folder)
        count = len(self._pending)
        self.written += count
        self._pending.clear()
        self._folders.clear()
        return count

    def abandon(self) -> None:
        """Remove the temporary files not yet renamed."""
        for temp in self._pending.values():
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp)
        self._pending.clear()
        self._folders.clear()

    def __len__(self) -> int:
        return len(self._pending)


def _rename_all(pending: dict[str, str]) -> None:
    """Rename each temporary file over its target, folder by folder, each folder reached anew
    without following a link (one may have been swapped in since the file was staged)."""
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for target, temp in pending.items():
        head, name = os.path.split(target)
        by_folder.setdefault(head, []).append((os.path.basename(temp), name))
    for head, renames in by_folder.items():
        with nofollow.folder(Path(head)) as parent:
            for temp_name, name in renames:
                os.replace(temp_name, name, src_dir_fd=parent, dst_dir_fd=parent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _one_folder_per_device(folders: set[str]) -> list[str]:
    seen: dict[int, str] = {}
    for folder in folders:
        with contextlib.suppress(FileNotFoundError):
            seen.setdefault(os.stat(folder).st_dev, folder)
    return list(seen.values())


def remove_leftovers(folder: Path, *, older_than: float = 0.0) -> int:
    """Delete temporary files a crashed write left in folder (not ones younger than older_than s)."""
    removed = 0
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    now = time.time()
    for name in names:
        if not is_temporary(name):
            continue
        path = folder / name
        try:
            if older_than and now - path.lstat().st_mtime < older_than:
                continue
            path.unlink()
            removed += 1
        except FileNotFoundError:
            continue
    if removed:
        fsync_dir(folder)
    return removed


def remove_path(path: Path) -> bool:
    """Remove a file or a whole folder: a folder is first renamed aside (one atomic step), so a
    crash leaves it either in place or out of the layout, never half there. Never follows a link."""
    nofollow.refuse_links(path)
    if not path.exists() and not path.is_symlink():
        return False
    if path.is_dir() and not path.is_symlink():
        aside = path.with_name(f".{path.name}{REMOVED_MARK}{time.time_ns()}")
        os.rename(path, aside)
        fsync_dir(path.parent)
        shutil.rmtree(aside, ignore_errors=True)
        return True
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fsync_dir(path.parent)
    return True


def remove_removed_leftovers(folder: Path) -> int:
    """Finish removals a crash interrupted (`.<name>.removed-<ns>` folders)."""
    count = 0
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for name in names:
        if is_removed_leftover(name):
            shutil.rmtree(folder / name, ignore_errors=True)
            count += 1
    return count


def move_path(source: Path, target: Path) -> list[str]:
    """Move a file or folder to target (one rename). When target already exists (something was
    created there meanwhile, e.g. a message delivered under the new name), the two are merged:
    what target lacks moves in, and a clash keeps target's entry and moves source's beside it as
    `<name>.moved-<ns>`. Returns what clashed, for the log."""
    nofollow.refuse_links(source)
    if not source.exists() and not source.is_symlink():
        return []
    make_folder(target.parent)
    if not target.exists() and not target.is_symlink():
        os.rename(source, target)
        fsync_dir(source.parent)
        if target.parent != source.parent:
            fsync_dir(target.parent)
        return []
    clashes: list[str] = []
    if source.is_dir() and target.is_dir():
        for child in sorted(os.listdir(source)):
            if is_temporary(child):
                continue
            clashes += move_path(source / child, target / child)
        remove_path(source)
        return clashes
    beside = target.with_name(f"{target.name}.moved-{time.time_ns()}")
    os.rename(source, beside)
    fsync_dir(source.parent)
    fsync_dir(beside.parent)
    return [str(target)]


def remove_empty_folders(folder: Path, stop: Path) -> None:
    """Remove folder and its parents up to (not including) stop while they are empty."""
    current = folder
    while current != stop and stop in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        fsync_dir(current.parent)
        current = current.parent
