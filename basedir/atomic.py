"""Writing files whole: a temporary file in the same folder, fsync, rename over the old one, fsync
the folder. A reader never sees half a file and a crash never leaves one; unchanged content is not
rewritten (backup tools that compare times see only real changes)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Make a rename or an unlink in this folder durable."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def same_content(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def write_file_atomic(
    path: Path, data: bytes, *, mode: int = 0o640, skip_unchanged: bool = True, sync_folder: bool = True
) -> bool:
    """Replace path's content with data, whole; False when the file already held exactly that.

    sync_folder=False leaves the folder's fsync to a caller that writes many files, then syncs once."""
    if skip_unchanged and same_content(path, data):
        return False
    folder = path.parent
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    if sync_folder:
        fsync_dir(folder)
    return True


def write_text_atomic(path: Path, text: str, **options: object) -> bool:
    return write_file_atomic(path, text.encode("utf-8"), **options)  # type: ignore[arg-type]
