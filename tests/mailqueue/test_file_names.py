"""File names the queue finds on disk that are not UTF-8 (a tool writing Latin-1 names, a stray
byte): the mail in them is delivered like any other, the log says which file it was, and nothing
else in Submitted/ or Queue/ waits because of them."""

import os
import time

import pytest

from mailqueue import queuefile
from mailqueue.models import QueuedMessage
from mailqueue.sweep import STALE_SECONDS, sweep
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, message, run_queue, submit

pytestmark = pytest.mark.django_db


def write_named(folder, name: bytes, data: bytes) -> bytes:
    """A file whose name is these bytes, as another program would create it."""
    path = os.path.join(os.fsencode(folder), name)
    with open(path, "wb") as handle:
        handle.write(data)
    return path


def log_bytes(base) -> bytes:
    return b"".join(path.read_bytes() for path in (base / "SystemLogs").glob("*.log"))


def test_a_submitted_file_named_in_latin1_is_delivered_with_the_others_and_logged_by_its_bytes(base, client1):
    jane = make_account(client1, "jane")
    write_named(base / "Submitted", b"caf\xe9.sub", message(subject="from the odd name").encode())
    submit(base, "plain", message(subject="from the plain name", message_id="<m2@test>"))

    run_queue()

    assert sorted(m.split(b"Subject: ")[1].split(b"\n")[0] for m in inbox_messages(jane)) == [
        b"from the odd name", b"from the plain name"]
    assert os.listdir(os.fsencode(base / "Submitted")) == []
    assert QueuedMessage.objects.filter(source_name="caf\\xe9.sub").exists()
    assert b"caf\\xe9.sub: queued as message" in log_bytes(base)


def test_an_unparseable_file_with_a_name_that_is_not_utf8_is_set_aside_and_the_rest_flows(base, client1):
    jane = make_account(client1, "jane")
    write_named(base / "Submitted", b"\xff\xfe.sub", b"no header here\n")
    submit(base, "plain", message())

    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert os.listdir(os.fsencode(base / "Submitted")) == [b"\xff\xfe.bad"]
    assert os.listdir(os.fsencode(base / "BadFiles")) == [b"\xff\xfe.bad"]
    assert b"\\xff\\xfe.sub: cannot be parsed" in log_bytes(base)


def test_the_sweep_passes_over_queue_file_names_that_are_no_message_id_and_tidies_the_rest(base, client1):
    old = time.time() - STALE_SECONDS - 10
    for name in (b"\xe9t\xe9.msg", "²".encode() + b".msg", b"12.msg"):
        path = write_named(base / "Queue", name, b"P I <a@b>\n\nx\n")
        os.utime(path, (old, old))

    done = sweep()

    assert done["orphans"] == 1  # 12.msg: a message id no row knows
    assert os.listdir(os.fsencode(base / "BadFiles")) == [b"queue-12.msg"]
    assert sorted(os.listdir(os.fsencode(base / "Queue"))) == sorted([b"\xe9t\xe9.msg", "²".encode() + b".msg"])
    assert queuefile.message_id_of("².msg") is None
