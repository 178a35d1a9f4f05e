"""Writing files whole: a temporary file in the same folder, fsync, rename over the old one, fsync
the folder. A reader never sees half a file and a crash never leaves one; unchanged content is not
rewritten (backup tools that compare times see only real changes). Below the base directory's
top-level folders no symbolic link is followed (basedir.nofollow)."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from basedir import nofollow


def fsync_dir(folder: Path) -> None:
    """Make a rename or an unlink in this folder durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def same_content(path: Path, data: bytes) -> bool:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)  # a link is never "the same"
    except OSError:
        return False
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or os.fstat(fd).st_size != len(data):
            return False
        return handle.read() == data


def write_file_atomic(
    path: Path, data: bytes, *, mode: int = 0o640, skip_unchanged: bool = True, sync_folder: bool = True
) -> bool:
    """Replace path's content with data, whole; False when the file already held exactly that.

    sync_folder=False leaves the folder's fsync to a caller that writes many files, then syncs once."""
    if skip_unchanged and same_content(path, data):
        return False
    with nofollow.folder(path.parent, create=True) as folder:
        for _attempt in range(100):
            tmp_name = f".{path.name}.{secrets.token_hex(6)}.tmp"
            try:
                fd = os.open(tmp_name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode, dir_fd=folder)
            except FileExistsError:
                continue
            break
        else:
            raise FileExistsError(f"no free temporary name beside {path}")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fchmod(handle.fileno(), mode)
                os.fsync(handle.fileno())
            os.replace(tmp_name, path.name, src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name, dir_fd=folder)
            raise
        if sync_folder:
            os.fsync(folder)
    return True


def write_text_atomic(path: Path, text: str, **options: object) -> bool:
    return write_file_atomic(path, text.encode("utf-8"), **options)  # type: ignore[arg-type]
