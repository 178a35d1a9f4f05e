"""The PIPE module's Submitted/ folder: `.sub` files become queued messages (spec/basedir.md).

Order of steps, each durable before the next, so that a crash anywhere neither loses nor doubles a
message: the message row is committed (state R) under the `.sub` file's identity; the Queue file is
written whole; the row becomes Q; only then is the `.sub` file removed. A file seen again after a
crash finds its row by that identity and is only removed (or its Queue file finished)."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from basedir.atomic import fsync_dir, same_content, write_file_atomic
from logs import serverlog, stats
from mailqueue import queuefile
from mailqueue.bulk import bulk_insert
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.submission import BadSubmission, Submission, parse_submission

SUB = ".sub"
QUEUED = ".queued"  # a picked-up file about to be removed: .<name>.sub.queued
PICKUP_BATCH = 200
BAD = ".bad"
TAG = "PIPE"


@dataclass
class PickupResult:
    queued: list[int] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.queued or self.bad)


@dataclass(frozen=True)
class Picked:
    name: str
    key: str
    submission: Submission

    @property
    def shown(self) -> str:
        return printable_name(self.name)


def printable_name(name: str) -> str:
    """A file name as logs and the database can hold it: bytes that are not UTF-8 (which the OS
    hands over as lone surrogates) written as \\xNN, so `caf\\xe9.sub` for Latin-1 bytes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def source_key(name: str, stat: os.stat_result, data: bytes) -> str:
    """Who this file is: its name, inode, size, modification time and content."""
    digest = hashlib.sha256()
    digest.update(os.fsencode(name) + f"\0{stat.st_ino}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    digest.update(data)
    return digest.hexdigest()


def submitted_names(limit: int) -> list[str]:
    """The complete (`.sub`) files waiting in Submitted/, oldest name first."""
    try:
        with os.scandir(queuefile.submitted_dir()) as entries:
            # a link is listed (and set aside, never read): only a file of the folder's own is a message
            names = [entry.name for entry in entries
                     if entry.name.endswith(SUB) and (entry.is_file(follow_symlinks=False) or entry.is_symlink())]
    except FileNotFoundError:
        return []
    names.sort()
    return names[:limit]


def pickup_batch() -> int:
    """Files one pickup round takes (MAILQUEUE_PICKUP_BATCH): a small round keeps pickup quick."""
    return int(getattr(settings, "MAILQUEUE_PICKUP_BATCH", PICKUP_BATCH))


PICKUP_LOCK = (0x43475150, 1)  # "CGQP": the advisory lock of whoever is picking up now


@contextlib.contextmanager
def pickup_turn() -> Iterator[bool]:
    """Whether this process may pick up now: on PostgreSQL one runner at a time (a session-level
    advisory lock, tried, never waited for; a killed runner's lock goes with its connection), so
    two runners never read, parse and queue the same files only for one of them to lose the race.
    The one without the turn delivers meanwhile. Elsewhere (SQLite: one runner) always."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(PICKUP_LOCK))
        held = bool(cursor.fetchone()[0])
    try:
        yield held
    finally:
        if held:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(PICKUP_LOCK))


def pickup(*, limit: int = 500) -> PickupResult:
    """Queue the `.sub` files of Submitted/ (at most limit of them); set bad ones aside. Another
    runner picking up right now means nothing to do here (see pickup_turn)."""
    with pickup_turn() as mine:
        return _pickup(limit) if mine else PickupResult()


def _pickup(limit: int) -> PickupResult:
    result = PickupResult()
    folder = queuefile.submitted_dir()
    picked: list[Picked] = []
    for name in submitted_names(limit):
        path = folder / name
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK), "rb") as handle:
                stat = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            continue  # another runner took it
        except OSError as error:
            if error.errno != errno.ELOOP:
                raise
            set_aside(path, b"", "a symbolic link: refused, never followed")
            result.bad.append(name)
            continue
        try:
            submission = parse_submission(data)
        except BadSubmission as error:
            set_aside(path, data, error.reason)
            result.bad.append(name)
            continue
        picked.append(Picked(name, source_key(name, stat, data), submission))
    if picked:
        result.queued = queue_picked(picked)
    return result


def queue_picked(picked: list[Picked]) -> list[int]:
    """Rows, then Queue files, then the Q state, then the .sub files go."""
    for _attempt in range(3):
        try:
            rows = _claim_rows(picked)
            break
        except IntegrityError as error:  # another runner queued some of these files at the same moment
            failure = error
            continue  # look again
    else:
        serverlog.log(TAG, serverlog.PROBLEMS, f"cannot queue {len(picked)} file(s) now: {failure}")
        return []
    by_key = {item.key: item for item in picked}
    to_write = [(by_key[key], row) for key, row in rows.items() if row.state == QueuedMessage.RECEIVING]
    queuefile.write_queue_files([
        (row.pk, item.submission.sender,
         [queuefile.EnvelopeLine("W", address) for address in item.submission.recipients],
         item.submission.message)
        for item, row in to_write
    ])
    now = timezone.now()
    if to_write:
        QueuedMessage.objects.filter(pk__anyof=[row.pk for _item, row in to_write],
                                     state=QueuedMessage.RECEIVING).update(
            state=QueuedMessage.QUEUED, received=now, next_attempt=now
        )
    remove_submitted([item.name for item in picked])
    serverlog.log_many([
        (TAG, serverlog.MAJOR, f"{item.shown}: queued as message {row.pk} from "
                               f"<{item.submission.sender}> to "
                               f"{len(item.submission.recipients)} recipient(s), "
                               f"{len(item.submission.message)} bytes")
        for item, row in to_write
    ])
    if to_write:
        stats.count("mail.submitted", len(to_write))
    return [row.pk for _item, row in to_write]


def remove_submitted(names: list[str]) -> None:
    """The picked-up files go: each is renamed to a hidden name at once (no pickup sees it again),
    then removed (in the background in a queue runner). A rename lost in a crash only brings the
    .sub back, and its identity finds its message; a hidden file left behind goes with the sweep."""
    folder = queuefile.submitted_dir()
    hidden: list[Path] = []
    for name in names:
        target = folder / f".{name}{QUEUED}"
        with contextlib.suppress(FileNotFoundError):
            os.rename(folder / name, target)
            hidden.append(target)
    queuefile.remove_files(hidden)


def is_queued_leftover(name: str) -> bool:
    """A picked-up Submitted/ file renamed for removal (see remove_submitted)."""
    return name.startswith(".") and name.endswith(QUEUED)


@transaction.atomic
def _claim_rows(picked: list[Picked]) -> dict[str, QueuedMessage]:
    keys = [item.key for item in picked]
    found = QueuedMessage.objects.filter(source_key__anyof=keys).only("id", "state", "source_key")
    rows = {row.source_key: row for row in found if row.source_key is not None}  # all of them: the filter names them
    new = [
        (item, QueuedMessage(
            source_key=item.key, source_name=item.shown[:255], state=QueuedMessage.RECEIVING,
            sender=item.submission.sender, message_id=item.submission.message_id,
            subject=item.submission.subject, size=len(item.submission.message),
        ))
        for item in picked if item.key not in rows
    ]
    if new:
        bulk_insert([row for _item, row in new], ["source_key", "source_name", "state", "sender", "message_id",
                                                  "subject", "size", "received", "next_attempt", "is_report"])
        QueueRecipient.objects.bulk_create([
            QueueRecipient(message=row, position=position, address=address)
            for item, row in new
            for position, address in enumerate(item.submission.recipients)
        ])
        rows.update({item.key: row for item, row in new})
    return rows


def set_aside(path: Path, data: bytes, reason: str) -> None:
    """An unparseable file: a copy into BadFiles/, the file renamed .bad, a log record saying why."""
    stem = path.name[: -len(SUB)]
    copy = _free_name(queuefile.bad_files_dir(), stem, data)
    if copy is not None:
        write_file_atomic(copy, data)
    renamed = _free_name(path.parent, stem, None)
    assert renamed is not None
    with contextlib.suppress(FileNotFoundError):
        os.rename(path, renamed)
        fsync_dir(path.parent)
    where = f"BadFiles/{(copy or _existing_copy(queuefile.bad_files_dir(), stem, data)).name}"
    serverlog.log(TAG, serverlog.MAJOR, f"{printable_name(path.name)}: cannot be parsed: {reason}; renamed "
                                        f"{printable_name(renamed.name)}, copied to {printable_name(where)}")
    stats.count("mail.badfiles")


def _candidates(folder: Path, stem: str):
    yield folder / f"{stem}{BAD}"
    for number in range(1, 10_000):
        yield folder / f"{stem}-{number}{BAD}"


def _free_name(folder: Path, stem: str, data: bytes | None) -> Path | None:
    """The first unused `<stem>[-n].bad` in folder; None when one already holds exactly data."""
    for candidate in _candidates(folder, stem):
        if not candidate.exists():
            return candidate
        if data is not None and same_content(candidate, data):
            return None
    raise RuntimeError(f"too many bad files named {stem}")


def _existing_copy(folder: Path, stem: str, data: bytes) -> Path:
    for candidate in _candidates(folder, stem):
        if same_content(candidate, data):
            return candidate
    return folder / f"{stem}{BAD}"
