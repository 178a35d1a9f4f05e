"""Finishing what a crash left half done, and tidying Queue/ (run by the queue runner)."""

from __future__ import annotations

import contextlib
import os
import time
from datetime import timedelta

from django.utils import timezone

from basedir.atomic import write_file_atomic
from logs import serverlog
from mailqueue import queuefile
from mailqueue.models import QueuedMessage
from mailqueue.reports import materialize

STALE_SECONDS = 60
KEEP_FINISHED = timedelta(days=1)


def sweep() -> dict[str, int]:
    """Reports not yet written, pickups whose .sub is gone, files of finished messages, old rows."""
    done = {"reports": 0, "recovered": 0, "removed": 0, "orphans": 0, "purged": 0}
    now = timezone.now()
    reports = list(QueuedMessage.objects.filter(state=QueuedMessage.RECEIVING, content__isnull=False)
                   .values_list("id", flat=True))
    if reports:
        materialize(reports)
        done["reports"] = len(reports)
    done["recovered"] = _recover_pickups(now)
    _remove_queued_leftovers()
    removed, orphans = _tidy_queue_folder()
    done["removed"], done["orphans"] = removed, orphans
    old = QueuedMessage.objects.filter(state=QueuedMessage.DONE, received__lt=now - KEEP_FINISHED)
    done["purged"], _ = old.delete()
    return done


def _recover_pickups(now) -> int:
    """A pickup that died after removing the .sub file but before the Q state: the Queue file
    was complete before the .sub went, so the message is queued; without either it never was."""
    count = 0
    old = now - timedelta(seconds=STALE_SECONDS)
    for row in QueuedMessage.objects.filter(state=QueuedMessage.RECEIVING, content__isnull=True, received__lt=old):
        if row.source_name and (queuefile.submitted_dir() / row.source_name).exists():
            continue  # the pickup finishes it
        if queuefile.queue_file(row.pk).exists():
            QueuedMessage.objects.filter(pk=row.pk, state=QueuedMessage.RECEIVING).update(
                state=QueuedMessage.QUEUED, next_attempt=now)
            serverlog.log("PIPE", serverlog.MAJOR, f"message {row.pk}: queued after an interrupted pickup")
        else:
            row.delete()
        count += 1
    return count


def _remove_queued_leftovers() -> None:
    """Picked-up Submitted/ files that a stopped runner renamed but did not remove yet."""
    from mailqueue.pipe import is_queued_leftover

    try:
        names = [name for name in os.listdir(queuefile.submitted_dir()) if is_queued_leftover(name)]
    except FileNotFoundError:
        return
    queuefile.unlink_files([queuefile.submitted_dir() / name for name in names])


def _tidy_queue_folder() -> tuple[int, int]:
    """Remove Queue files of finished messages; set files no row knows aside into BadFiles/."""
    folder = queuefile.queue_dir()
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return 0, 0
    ids = {message_id: name for name in names if (message_id := queuefile.message_id_of(name)) is not None}
    cutoff = time.time() - STALE_SECONDS
    for name in names:
        if name.startswith(".") and name.endswith(".tmp"):  # a temporary file of a crashed write
            with contextlib.suppress(FileNotFoundError):
                if os.stat(folder / name).st_mtime < cutoff:
                    os.unlink(folder / name)
    if not ids:
        return 0, 0
    states = dict(QueuedMessage.objects.filter(id__anyof=list(ids)).values_list("id", "state"))
    finished = [message_id for message_id in ids if states.get(message_id) == QueuedMessage.DONE]
    queuefile.remove_queue_files(finished)
    orphans = 0
    for message_id, name in ids.items():
        if message_id in states:
            continue
        path = folder / name
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_mtime >= cutoff:
                continue
            write_file_atomic(queuefile.bad_files_dir() / f"queue-{name}", path.read_bytes())
            os.unlink(path)
            orphans += 1
            serverlog.log("QUEUE", serverlog.MAJOR, f"Queue/{name} belongs to no queued message: moved to BadFiles/")
    return len(finished), orphans
