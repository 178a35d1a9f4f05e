"""Queue/<id>.msg: envelope lines, a blank line, then the message as received (spec/basedir.md).

```
P I <sender@example.test>
R W <jane@client1.test>
R D <bob@client1.test>
R F <nobody@client1.test> unknown user account
```
`R W` waiting, `R D` delivered, `R F <rcpt> reason` failed; `P I <>` is the null sender."""

from __future__ import annotations

import contextlib
import os
import queue
import threading
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from basedir import nofollow, paths
from basedir.atomic import fsync_dir, write_file_atomic
from basedir.files import sync_filesystem

SUFFIX = ".msg"
FILE_MODE = 0o640
TEMP_SUFFIX = ".tmp"
# Fewer files than this are synced one by one: a flush of the whole file system costs several
# fsyncs when other programs have written much (a lone message's pickup stays quick), and far less
# than a batch's fsyncs.
GROUP_SYNC_FILES = 8


def queue_dir() -> Path:
    return paths.base() / "Queue"


def submitted_dir() -> Path:
    return paths.base() / "Submitted"


def bad_files_dir() -> Path:
    return paths.base() / "BadFiles"


def queue_file(message_id: int) -> Path:
    return queue_dir() / f"{message_id}{SUFFIX}"


def message_id_of(name: str) -> int | None:
    """The queue id a Queue/ file name stands for (None for anything else)."""
    stem, dot, suffix = name.partition(".")
    if f"{dot}{suffix}" != SUFFIX or not (stem.isascii() and stem.isdigit()):  # "²".isdigit() too
        return None
    return int(stem)


@dataclass(frozen=True)
class EnvelopeLine:
    state: str  # W, A (shown as W), D or F
    address: str
    reason: str = ""


def one_line(text: str) -> str:
    return " ".join(text.split())


def render_envelope(sender: str, recipients: Iterable[EnvelopeLine]) -> bytes:
    lines = [f"P I <{sender}>"]
    for line in recipients:
        state = "W" if line.state == "A" else line.state
        text = f"R {state} <{line.address}>"
        if state == "F" and line.reason:
            text += f" {one_line(line.reason)}"
        lines.append(text)
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def write_queue_file(message_id: int, sender: str, recipients: Iterable[EnvelopeLine], message: bytes) -> Path:
    """Write the message's Queue file whole (basedir.atomic)."""
    path = queue_file(message_id)
    write_file_atomic(path, render_envelope(sender, recipients) + message)
    return path


def write_all(path: Path, data: bytes, *, sync: bool = False) -> None:
    """Create (or truncate) path and write data; synced only when asked (else the caller syncs)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, FILE_MODE)  # a link: ELOOP
    try:
        os.fchmod(fd, FILE_MODE)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        if sync:
            os.fdatasync(fd)
    finally:
        os.close(fd)


# Creating a file waits whenever the file system is committing its journal (every fsync or syncfs
# of any program on the disk starts a commit): files created side by side wait once, together.
PARALLEL_CREATES = 8
_pool: ThreadPoolExecutor | None = None


def _forget_pool() -> None:
    global _pool
    _pool = None  # a forked child has none of its parent's threads


os.register_at_fork(after_in_child=_forget_pool)


def write_files(files: Sequence[tuple[Path, bytes]], *, sync: bool = False) -> None:
    """write_all for many files, in up to PARALLEL_CREATES threads (a share of the files each)."""
    global _pool
    if len(files) < 2 * PARALLEL_CREATES:
        for path, data in files:
            write_all(path, data, sync=sync)
        return
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=PARALLEL_CREATES, thread_name_prefix="queue-file-writer")
    share = -(-len(files) // PARALLEL_CREATES)

    def write_share(start: int) -> None:
        for path, data in files[start:start + share]:
            write_all(path, data, sync=sync)

    futures = [_pool.submit(write_share, start) for start in range(0, len(files), share)]
    wait(futures)  # every share finished (or failed) before anything is said
    for future in futures:
        future.result()  # the first failure, if any


def sync_devices(folders: Iterable[Path]) -> None:
    """Flush the file systems holding these folders (one syncfs each): every write made to them
    before this call is on disk when it returns. One flush for a whole batch of files instead of
    an fsync each; on this kind of disk it is several times faster than even parallel fsyncs."""
    seen: set[int] = set()
    for folder in folders:
        device = os.stat(folder).st_dev
        if device not in seen:
            seen.add(device)
            sync_filesystem(folder)


def write_queue_files(entries: Sequence[tuple[int, str, list[EnvelopeLine], bytes]]) -> None:
    """Write many Queue files whole: each to a temporary file, one flush of the file system, the
    renames, an fsync of Queue/. When this returns every one of them is durable, and a reader (or a
    crash) never sees half of one."""
    if not entries:
        return
    folder = queue_dir()
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.getpid()
    one_by_one = len(entries) < GROUP_SYNC_FILES
    staged: list[tuple[Path, Path]] = [(folder / f".{message_id}{SUFFIX}.{pid}{TEMP_SUFFIX}", queue_file(message_id))
                                       for message_id, _sender, _recipients, _message in entries]
    try:
        write_files([(temporary, render_envelope(sender, recipients) + message)
                     for (temporary, _final), (_id, sender, recipients, message) in zip(staged, entries, strict=True)],
                    sync=one_by_one)
        if not one_by_one:
            sync_devices([folder])
        for temporary, final in staged:
            os.replace(temporary, final)
    except BaseException:
        for temporary, _final in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        raise
    fsync_dir(folder)


@dataclass(frozen=True)
class QueueFile:
    sender: str
    recipients: list[EnvelopeLine]
    message: bytes


def parse_queue_file(data: bytes) -> QueueFile:
    """Split a Queue file into its envelope and message."""
    end = data.find(b"\n\n")
    if end < 0:
        raise ValueError("no blank line after the envelope")
    sender = ""
    recipients: list[EnvelopeLine] = []
    for raw in data[:end].decode("utf-8").split("\n"):
        kind, _, rest = raw.partition(" ")
        state, _, rest = rest.partition(" ")
        address, _, reason = rest.partition(">")
        address = address.lstrip("<")
        if kind == "P":
            sender = address
        elif kind == "R":
            recipients.append(EnvelopeLine(state, address, reason.strip()))
    return QueueFile(sender, recipients, data[end + 2:])


def read_message(message_id: int) -> bytes:
    """The message part of a Queue file."""
    return parse_queue_file(nofollow.read_bytes(queue_file(message_id))).message


def remove_queue_files(message_ids: Iterable[int]) -> None:
    """Remove Queue files of finished messages (a missing one is fine)."""
    remove_files([queue_file(message_id) for message_id in message_ids])


# --- removing files -----------------------------------------------------------------------------------

class Remover:
    """Removes files in a thread of its own. On this kind of disk an unlink of a file whose data
    was flushed waits about a millisecond for the file system to free its blocks (no CPU is spent):
    a queue runner hands its removals over and goes on. Only files whose removal may be late are
    handed over: Queue files of finished messages and picked-up Submitted/ files (renamed to a
    hidden name first); a crash before they go leaves them to the sweep."""

    def __init__(self) -> None:
        self._queue: queue.Queue[list[Path] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="queue-file-remover", daemon=True)
        self._thread.start()

    def add(self, files: list[Path]) -> None:
        if files:
            self._queue.put(files)

    def _run(self) -> None:
        while True:
            files = self._queue.get()
            try:
                if files is None:
                    return
                unlink_files(files)
            except OSError:
                pass  # the sweep removes what is left
            finally:
                self._queue.task_done()

    def flush(self) -> None:
        """Wait until every file handed over so far is removed."""
        self._queue.join()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join()


_remover: Remover | None = None


def remove_in_background(enabled: bool) -> None:
    """Whether this process removes files in a thread (queue runners) or at once (the default)."""
    global _remover
    if enabled and _remover is None:
        _remover = Remover()
    elif not enabled and _remover is not None:
        _remover.flush()
        _remover.stop()
        _remover = None


@contextlib.contextmanager
def background_removal() -> Iterator[None]:
    """Remove files in the background within this block (when not already on); all are gone after it."""
    started = _remover is None
    remove_in_background(True)
    try:
        yield
    finally:
        if started:
            remove_in_background(False)


def flush_removals() -> None:
    """Wait for the files handed to the background remover to be gone."""
    if _remover is not None:
        _remover.flush()


def unlink_files(files: Iterable[Path]) -> None:
    """Unlink these files (a missing one is fine), then fsync each folder that lost one."""
    folders: set[Path] = set()
    for path in files:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            folders.add(path.parent)
    for folder in folders:
        with contextlib.suppress(FileNotFoundError):
            fsync_dir(folder)


def remove_files(files: list[Path]) -> None:
    """Remove files whose removal may be late (see Remover): in the background when enabled."""
    if _remover is not None:
        _remover.add(files)
    else:
        unlink_files(files)
