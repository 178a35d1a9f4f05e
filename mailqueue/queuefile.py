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
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from basedir import paths
from basedir.atomic import fsync_dir, write_file_atomic

SUFFIX = ".msg"
FILE_MODE = 0o640
# fsync calls made at the same time share the disk's flushes (the file system commits them together):
# eight at once deliver several times the files per second of one after another.
PARALLEL_SYNCS = 8
T = TypeVar("T")
R = TypeVar("R")


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
    if f"{dot}{suffix}" != SUFFIX or not stem.isdigit():
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


def parallel(function: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """function over items, up to PARALLEL_SYNCS at a time (for calls that wait on fsync)."""
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(PARALLEL_SYNCS, len(items))) as pool:
        return list(pool.map(function, items))


def write_queue_files(entries: Sequence[tuple[int, str, list[EnvelopeLine], bytes]]) -> None:
    """Write many Queue files whole, their fsyncs side by side, then fsync Queue/ once: when this
    returns every one of them is durable."""
    if not entries:
        return
    folder = queue_dir()
    folder.mkdir(parents=True, exist_ok=True)
    parallel(lambda entry: write_file_atomic(queue_file(entry[0]), render_envelope(entry[1], entry[2]) + entry[3],
                                            mode=FILE_MODE, skip_unchanged=False, sync_folder=False),
             entries)
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
    return parse_queue_file(queue_file(message_id).read_bytes()).message


def remove_queue_files(message_ids: Iterable[int]) -> None:
    """Remove Queue files of finished messages (a missing one is fine), then fsync Queue/ once."""
    removed = False
    for message_id in message_ids:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(queue_file(message_id))
            removed = True
    if removed:
        fsync_dir(queue_dir())
