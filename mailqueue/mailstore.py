"""Appending messages to mailboxes: Text (mboxrd, fcntl-locked) and MailDir (tmp/ -> new/).

Every append follows one protocol (see the mailqueue package docstring): with the mailbox locked,
settle what a crashed append left (`recover`), record each new append (`plan`) in the database
and commit, write (`write_data`), flush, make visible (`publish`: MailDir's rename into new/) and
flush again, then mark the recipients delivered. A delivery pass writes all its mailboxes first
and flushes the file system once for all of them (queuefile.sync_devices); `write` does the
whole sequence for one mailbox with its own fsyncs. `recover` tells from
the mailbox itself whether a recorded append is complete: a Text mailbox by the sha256 of the
bytes at the recorded offset (a torn tail is cut off), a MailDir by the message file's name."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import glob
import hashlib
import os
import socket
import stat
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from basedir import nofollow
from basedir.atomic import fsync_dir
from basedir.files import make_folder
from mailqueue import mboxrd

LOCK_TIMEOUT_SECONDS = 10.0
FILE_MODE = 0o640
MAILDIR_FOLDERS = ("tmp", "new", "cur")


class MailboxBusy(Exception):
    """Another program holds the mailbox's lock for too long: try again later."""


@dataclass(frozen=True)
class Append:
    recipient_id: int
    message_id: int  # the queue id
    message: bytes
    sender: str
    received: datetime


@dataclass(frozen=True)
class Planned:
    append: Append
    offset: int | None
    length: int | None
    token: str  # sha256 of the bytes (Text) or the message file's name (MailDir)
    data: bytes = b""


@dataclass(frozen=True)
class Recorded:
    """An append recorded in the database (a recipient in state A)."""

    recipient_id: int
    offset: int | None
    length: int | None
    token: str


def _lock(fd: int, operation: str) -> None:
    """Take an exclusive lock, waiting up to LOCK_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + LOCK_TIMEOUT_SECONDS
    delay = 0.002
    while True:
        try:
            if operation == "fcntl":
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            else:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
        if time.monotonic() > deadline:
            raise MailboxBusy("the mailbox is locked by another program")
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


class TextMailbox:
    """A `.mbox` file, appended under an fcntl lock on the file itself."""

    format = "mbox"

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd

    @classmethod
    def open(cls, path: Path) -> TextMailbox:
        # FileNotFoundError: the caller re-resolves or creates; a link on the way: SymlinkRefused
        fd = nofollow.open_file(path, os.O_RDWR | os.O_APPEND | os.O_NONBLOCK)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(f"{path} is not a regular file")
        try:
            _lock(fd, "fcntl")
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    @staticmethod
    def create(path: Path) -> None:
        make_folder(path.parent)
        try:
            fd = nofollow.open_file(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        except FileExistsError:
            return
        os.close(fd)
        fsync_dir(path.parent)

    def close(self) -> None:
        os.close(self.fd)  # releases the lock

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def recover(self, recorded: list[Recorded]) -> tuple[list[int], list[int]]:
        """(complete, not complete) recorded appends; a torn tail is cut off."""
        complete, incomplete = [], []
        size = self.size()
        for row in sorted(recorded, key=lambda item: item.offset or 0):
            offset, length = row.offset or 0, row.length or 0
            if size >= offset + length and self._digest(offset, length) == row.token:
                complete.append(row.recipient_id)
                continue
            if offset < size < offset + length:
                os.ftruncate(self.fd, offset)  # the torn end of a crashed append; nothing follows it
                os.fsync(self.fd)
                size = offset
            incomplete.append(row.recipient_id)
        return complete, incomplete

    def _digest(self, offset: int, length: int) -> str:
        digest = hashlib.sha256()
        remaining, position = length, offset
        while remaining > 0:
            chunk = os.pread(self.fd, min(remaining, 1 << 20), position)
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
            position += len(chunk)
        return digest.hexdigest()

    def plan(self, appends: list[Append]) -> list[Planned]:
        offset = self.size()
        planned = []
        for append in appends:
            data = mboxrd.entry(append.message, append.sender, append.received)
            planned.append(Planned(append, offset, len(data), hashlib.sha256(data).hexdigest(), data))
            offset += len(data)
        return planned

    def write_data(self, planned: list[Planned], *, sync: bool = False) -> None:
        """Append the entries (synced only when asked)."""
        view = memoryview(b"".join(item.data for item in planned))
        while view:
            view = view[os.write(self.fd, view):]
        if sync:
            self.sync()

    def sync(self) -> None:
        os.fdatasync(self.fd)

    def publish(self, planned: list[Planned]) -> bool:
        """Nothing to do once the bytes are on disk (False: no second flush needed)."""
        return False

    def sync_published(self) -> None:
        return None

    def write(self, planned: list[Planned]) -> None:
        """write_data and sync, for one mailbox on its own."""
        self.write_data(planned, sync=True)


def _maildir_host() -> str:
    return socket.gethostname().replace("/", r"\057").replace(":", r"\072")


class MailDirMailbox:
    """A `.mdir` folder: each message written to tmp/, fsynced, renamed into new/."""

    format = "mdir"

    def __init__(self, path: Path, fd: int) -> None:
        self.path, self.fd = path, fd

    @classmethod
    def open(cls, path: Path) -> MailDirMailbox:
        fd = nofollow.open_folder(path)  # FileNotFoundError: the caller re-resolves or creates
        try:
            for name in MAILDIR_FOLDERS:
                if nofollow.is_link(name, fd):
                    raise nofollow.SymlinkRefused(path / name)
                if not (path / name).is_dir():
                    make_folder(path / name)
            _lock(fd, "flock")  # only our own writers serialize: MailDir readers need no lock
        except BaseException:
            os.close(fd)
            raise
        return cls(path, fd)

    @staticmethod
    def create(path: Path) -> None:
        for name in MAILDIR_FOLDERS:
            make_folder(path / name)

    def close(self) -> None:
        os.close(self.fd)

    def _delivered(self, name: str) -> bool:
        if (self.path / "new" / name).exists() or (self.path / "cur" / name).exists():
            return True
        return bool(glob.glob(glob.escape(str(self.path / "cur" / name)) + ":*"))

    def recover(self, recorded: list[Recorded]) -> tuple[list[int], list[int]]:
        complete, incomplete = [], []
        for row in recorded:
            if row.token and self._delivered(row.token):
                complete.append(row.recipient_id)
            else:
                if row.token:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(self.path / "tmp" / row.token)
                incomplete.append(row.recipient_id)
        return complete, incomplete

    def plan(self, appends: list[Append]) -> list[Planned]:
        host = _maildir_host()
        return [
            Planned(append, None, len(append.message),
                    f"{int(append.received.timestamp())}.Q{append.message_id}R{append.recipient_id}.{host}")
            for append in appends
        ]

    def write_data(self, planned: list[Planned], *, sync: bool = False) -> None:
        """Each message into tmp/ (synced one by one only when asked)."""
        from mailqueue.queuefile import write_files

        write_files(self.tmp_files(planned), sync=sync)

    def tmp_files(self, planned: list[Planned]) -> list[tuple[Path, bytes]]:
        """The files write_data creates in tmp/, with their bytes."""
        folder = self.path / "tmp"
        return [(folder / item.token, item.append.message) for item in planned]

    def sync(self) -> None:
        """The tmp/ files on disk (one flush of the file system for all of them)."""
        from mailqueue.queuefile import sync_devices

        sync_devices([self.path])

    def publish(self, planned: list[Planned]) -> bool:
        """The synced tmp/ files renamed into new/ (True: the renames need a flush)."""
        for item in planned:
            os.rename(self.path / "tmp" / item.token, self.path / "new" / item.token)
        return bool(planned)

    def sync_published(self) -> None:
        fsync_dir(self.path / "new")

    def write(self, planned: list[Planned]) -> None:
        """Into tmp/, synced, renamed into new/, new/ synced: for one mailbox on its own."""
        self.write_data(planned, sync=True)
        if self.publish(planned):
            self.sync_published()


STORES: dict[str, type[TextMailbox] | type[MailDirMailbox]] = {
    "mbox": TextMailbox, "mdir": MailDirMailbox, "mslc": MailDirMailbox}
OpenMailbox = TextMailbox | MailDirMailbox


def store_for(mailbox_format: str) -> type[TextMailbox] | type[MailDirMailbox]:
    return STORES.get(mailbox_format, TextMailbox)


def storage_used(path: Path) -> int:
    """Bytes a mailbox holds on disk: the file's size, or its message files' sizes."""
    from basedir.paths import mailbox_bytes

    return mailbox_bytes(path)
