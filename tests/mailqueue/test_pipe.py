"""Submitted/ pickup: .sub files become Queue/ files; .tmp files wait; bad files are set aside."""

import os

import pytest

from logs import stats
from mailqueue import queuefile
from mailqueue.models import QueuedMessage
from mailqueue.pipe import pickup
from tests.mailqueue.conftest import message, submit

pytestmark = pytest.mark.django_db


def log_text(base) -> str:
    return "".join(path.read_text() for path in (base / "SystemLogs").glob("*.log"))


def test_a_sub_file_becomes_a_queue_file_with_its_envelope(base, postmaster):
    submit(base, "one", "From: bob@client1.test\nTo: jane@client1.test\nBcc: ann@client2.test\n\nHello\n")

    result = pickup()

    assert len(result.queued) == 1
    queued = QueuedMessage.objects.get()
    assert queued.state == QueuedMessage.QUEUED and queued.sender == "bob@client1.test"
    assert queuefile.queue_file(queued.pk).read_bytes() == (
        b"P I <bob@client1.test>\nR W <jane@client1.test>\nR W <ann@client2.test>\n\n"
        b"From: bob@client1.test\nTo: jane@client1.test\n\nHello\n"
    )
    assert os.listdir(base / "Submitted") == []
    assert f"one.sub: queued as message {queued.pk} from <bob@client1.test>" in log_text(base)
    assert stats.value("mail.submitted") == 1


def test_only_sub_files_are_picked_up(base, postmaster):
    (base / "Submitted" / "half.tmp").write_text(message())
    (base / "Submitted" / "other.txt").write_text(message())

    assert not pickup()
    assert sorted(os.listdir(base / "Submitted")) == ["half.tmp", "other.txt"]
    assert QueuedMessage.objects.count() == 0


def test_an_unparseable_file_is_renamed_bad_and_copied_to_badfiles_with_the_reason_logged(base, postmaster):
    submit(base, "broken", "Subject: nobody to send to\nFrom: bob@client1.test\n\nx\n")

    result = pickup()

    assert result.bad == ["broken.sub"]
    assert os.listdir(base / "Submitted") == ["broken.bad"]
    assert (base / "BadFiles" / "broken.bad").read_text().startswith("Subject: nobody")
    assert "broken.sub: cannot be parsed: no recipient addresses" in log_text(base)
    assert QueuedMessage.objects.count() == 0
    assert stats.value("mail.badfiles") == 1


def test_bad_files_of_the_same_name_keep_each_copy(base, postmaster):
    submit(base, "broken", "first bad file\n")
    pickup()
    submit(base, "broken", "second bad file\n")
    pickup()

    assert sorted(os.listdir(base / "BadFiles")) == ["broken-1.bad", "broken.bad"]
    assert sorted(os.listdir(base / "Submitted")) == ["broken-1.bad", "broken.bad"]


def test_a_file_seen_again_after_a_crash_is_not_queued_twice(base, postmaster):
    path = submit(base, "again", message())
    data, stat = path.read_bytes(), path.stat()
    pickup()
    # The crash: the .sub file is still there after its message was queued.
    path.write_bytes(data)
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    same_inode = path.stat().st_ino == stat.st_ino

    pickup()

    assert QueuedMessage.objects.count() == (1 if same_inode else 2)
    assert os.listdir(base / "Submitted") == []


def test_a_pickup_interrupted_before_its_queue_file_finishes_on_the_next_look(base, postmaster):
    from mailqueue.pipe import Picked, _claim_rows, source_key
    from mailqueue.submission import parse_submission

    path = submit(base, "half", message())
    data = path.read_bytes()
    # The crash: the row was committed, nothing else happened.
    _claim_rows([Picked("half.sub", source_key("half.sub", path.stat(), data), parse_submission(data))])

    result = pickup()

    row = QueuedMessage.objects.get()
    assert result.queued == [row.pk] and row.state == QueuedMessage.QUEUED
    assert queuefile.queue_file(row.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_one_runner_picks_up_at_a_time_and_another_takes_over_when_it_is_gone(base, postmaster):
    from django.db import connections

    from mailqueue.pipe import PICKUP_LOCK

    submit(base, "m", message())
    other = connections.create_connection("default")  # another runner's session, picking up now
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", list(PICKUP_LOCK))

        assert not pickup()  # nothing read, nothing queued: the other runner has these files
        assert (base / "Submitted" / "m.sub").exists()
    finally:
        other.close()  # it stops (or dies): its session's lock goes with it
    _wait_until_the_lock_is_free(PICKUP_LOCK)  # the server ends the session a moment after the client

    assert len(pickup().queued) == 1


def _wait_until_the_lock_is_free(key: tuple[int, int], seconds: float = 10.0) -> None:
    import time

    from django.db import connection

    deadline = time.monotonic() + seconds
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s::oid"
                           " AND objid = %s::oid AND granted", [key[0] & 0xFFFFFFFF, key[1] & 0xFFFFFFFF])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
