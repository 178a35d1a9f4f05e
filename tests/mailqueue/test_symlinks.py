"""Delivery and the Submitted/ reader with symbolic links planted where a local user could put them:
a link is refused, never followed, so no message lands in (and no secret comes out of) the file it
points to."""

from __future__ import annotations

import pytest

from mailqueue.models import QueuedMessage
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, inbox_path, message, run_queue, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def victim(tmp_path_factory):
    folder = tmp_path_factory.mktemp("root-only")
    folder.chmod(0o700)
    (folder / "shadow").write_text("root:secret-hash:19000:0:99999:7:::\n")
    return folder


@pytest.mark.parametrize("where", ["the INBOX file", "the account folder"])
def test_delivery_never_appends_through_a_link(base, client1, victim, where):
    jane = make_account(client1, "jane")
    inbox = inbox_path(jane)
    inbox.parent.parent.mkdir(parents=True, exist_ok=True)
    if where == "the INBOX file":
        inbox.parent.mkdir(exist_ok=True)
        inbox.symlink_to(victim / "shadow")
    else:
        inbox.parent.symlink_to(victim)
    submit(base, "m", message(to="jane@client1.test"))

    run_queue()

    assert sorted(path.name for path in victim.iterdir()) == ["shadow"]
    assert (victim / "shadow").read_text() == "root:secret-hash:19000:0:99999:7:::\n"
    assert QueuedMessage.objects.get().state != QueuedMessage.DONE  # waits until the link is gone


def test_a_link_in_submitted_is_set_aside_and_never_read(base, client1, victim):
    jane = make_account(client1, "jane")
    (victim / "shadow").write_text(message(to="jane@client1.test", body="root:secret-hash\n"))
    (base / "Submitted" / "evil.sub").symlink_to(victim / "shadow")

    run_queue()

    assert inbox_messages(jane) == []
    assert not QueuedMessage.objects.exists()
    assert (base / "Submitted" / "evil.bad").is_symlink()  # renamed aside, not followed
    assert not any(b"secret-hash" in path.read_bytes() for path in (base / "BadFiles").iterdir())


def test_a_queue_file_replaced_by_a_link_is_never_read(base, client1, victim):
    from mailqueue import queuefile
    from mailqueue.delivery import deliver_due
    from mailqueue.pipe import pickup

    jane = make_account(client1, "jane")
    submit(base, "m", message(to="jane@client1.test"))
    pickup()
    queue_file = queuefile.queue_file(QueuedMessage.objects.get().pk)
    (victim / "shadow").write_bytes(queue_file.read_bytes().replace(b"Hi there.", b"root:secret-hash"))
    queue_file.unlink()
    queue_file.symlink_to(victim / "shadow")

    deliver_due(max_seconds=5)

    assert not any(b"secret-hash" in stored for stored in inbox_messages(jane))
