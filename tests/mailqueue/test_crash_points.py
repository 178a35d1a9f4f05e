"""A crash at each step of a delivery, simulated in one process: the next pass (after the dead
worker's lease ran out) neither loses nor doubles a copy. The real-process test with kill -9 is
test_kill_workers.py; these pin each step down exactly."""

import os

import pytest
from django.utils import timezone

from accounts.services import account_create
from mailqueue import delivery, mailstore, queuefile
from mailqueue.models import QueuedMessage, QueueRecipient
from mailqueue.pipe import pickup
from mailqueue.sweep import sweep
from tests.factories import make_account
from tests.mailqueue.conftest import inbox_messages, inbox_path, message, run_queue, submit

pytestmark = pytest.mark.django_db


class Crash(BaseException):
    """The worker dies here (BaseException: nothing on the way catches it, as nothing survives kill -9)."""


def storage_is_counted_once(account) -> None:
    """The Accounts list's column says what the files hold: a recovered append counted, none twice."""
    from accounts.selectors import storage_used

    account.refresh_from_db()
    assert account.storage_used == storage_used(account) > 0


def crashing_pass(monkeypatch, target, name, crash) -> None:
    monkeypatch.setattr(target, name, crash)
    pickup()
    with pytest.raises(Crash):
        delivery.deliver_due()
    monkeypatch.undo()
    QueuedMessage.objects.update(claimed_until=None)  # the dead worker's lease runs out


@pytest.fixture
def jane(client1):
    return make_account(client1, "jane")


@pytest.fixture
def maildir_jane(client1):
    return account_create(actor=None, domain=client1, name="jane", kind="MailDirMailbox")


def test_crash_after_recording_before_writing(base, jane, monkeypatch):
    submit(base, "m", message())

    def crash(self, planned):
        raise Crash

    crashing_pass(monkeypatch, mailstore.TextMailbox, "write", crash)
    assert QueueRecipient.objects.get().state == QueueRecipient.APPENDING
    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert QueueRecipient.objects.get().state == QueueRecipient.DELIVERED


def test_crash_after_writing_before_marking_delivered(base, jane, monkeypatch):
    submit(base, "m", message())
    real_write = mailstore.TextMailbox.write

    def crash(self, planned):
        real_write(self, planned)
        raise Crash

    crashing_pass(monkeypatch, mailstore.TextMailbox, "write", crash)
    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert QueuedMessage.objects.get().state == QueuedMessage.DONE
    storage_is_counted_once(jane)


def test_a_torn_append_is_cut_off_and_made_again(base, jane, monkeypatch):
    submit(base, "a", message(message_id="<first@test>"))
    run_queue()
    before = inbox_path(jane).read_bytes()
    submit(base, "b", message(message_id="<second@test>", body="x" * 10000 + "\n"))

    def crash(self, planned):
        data = b"".join(item.data for item in planned)
        os.write(self.fd, data[: len(data) // 2])
        raise Crash

    crashing_pass(monkeypatch, mailstore.TextMailbox, "write", crash)
    assert len(inbox_path(jane).read_bytes()) > len(before)
    run_queue()

    messages = inbox_messages(jane)
    assert [m.count(b"Message-ID: <second@test>") for m in messages] == [0, 1]
    assert inbox_path(jane).read_bytes().startswith(before)


def test_maildir_crash_after_the_rename_into_new(base, maildir_jane, monkeypatch):
    submit(base, "m", message())
    real_write = mailstore.MailDirMailbox.write

    def crash(self, planned):
        real_write(self, planned)
        raise Crash

    crashing_pass(monkeypatch, mailstore.MailDirMailbox, "write", crash)
    run_queue()

    assert len(inbox_messages(maildir_jane)) == 1
    storage_is_counted_once(maildir_jane)


def test_maildir_crash_with_the_file_still_in_tmp(base, maildir_jane, monkeypatch):
    submit(base, "m", message())

    def crash(self, planned):
        (self.path / "tmp" / planned[0].token).write_bytes(b"half a mess")
        raise Crash

    crashing_pass(monkeypatch, mailstore.MailDirMailbox, "write", crash)
    run_queue()

    assert len(inbox_messages(maildir_jane)) == 1
    assert list((inbox_path(maildir_jane) / "tmp").iterdir()) == []


def test_a_message_read_by_the_user_meanwhile_is_still_found(base, maildir_jane, monkeypatch):
    submit(base, "m", message())
    real_write = mailstore.MailDirMailbox.write

    def crash(self, planned):
        real_write(self, planned)
        name = planned[0].token
        os.rename(self.path / "new" / name, self.path / "cur" / f"{name}:2,S")  # an IMAP client read it
        raise Crash

    crashing_pass(monkeypatch, mailstore.MailDirMailbox, "write", crash)
    run_queue()

    assert len(inbox_messages(maildir_jane)) == 1


def test_crash_before_settling_the_message(base, jane, monkeypatch):
    submit(base, "m", message())

    def crash(*args, **kwargs):
        raise Crash

    crashing_pass(monkeypatch, delivery, "settle", crash)
    assert QueueRecipient.objects.get().state == QueueRecipient.DELIVERED
    run_queue()

    assert len(inbox_messages(jane)) == 1
    assert QueuedMessage.objects.get().state == QueuedMessage.DONE
    assert list((base / "Queue").iterdir()) == []


def test_crash_after_settling_before_the_queue_file_goes(base, jane, monkeypatch):
    submit(base, "m", message())

    def crash(*args, **kwargs):
        raise Crash

    crashing_pass(monkeypatch, queuefile, "remove_queue_files", crash)
    assert QueuedMessage.objects.get().state == QueuedMessage.DONE
    assert len(list((base / "Queue").iterdir())) == 1

    sweep()

    assert list((base / "Queue").iterdir()) == []
    assert len(inbox_messages(jane)) == 1


def test_a_second_worker_on_the_same_message_adds_nothing(base, jane, client1):
    ann = account_create(actor=None, domain=client1, name="ann", kind="MailDirMailbox")
    submit(base, "m", message(to="jane@client1.test, ann@client1.test"))
    pickup()
    first = delivery.claim()
    QueuedMessage.objects.update(claimed_until=None)
    second = delivery.claim()  # the lease ran out while the first still works on it

    delivery.process(first)
    delivery.process(second)

    assert len(inbox_messages(jane)) == len(inbox_messages(ann)) == 1


def test_a_report_lost_before_its_queue_file_is_written_is_written_by_the_sweep(base, client1, monkeypatch):
    bob = make_account(client1, "bob")
    submit(base, "m", message(to="nobody@client1.test"))

    def crash(*args, **kwargs):
        raise Crash

    crashing_pass(monkeypatch, delivery, "materialize", crash)
    assert QueuedMessage.objects.filter(is_report=True, state="R").count() == 1

    sweep()
    run_queue()

    assert len(inbox_messages(bob)) == 1


def test_a_crash_between_the_grouped_flush_and_the_renames_into_new(base, client1, monkeypatch):
    """A pass writing many MailDir messages flushes them together, then renames them into new/:
    killed in between, nothing is in new/, and the next pass delivers each message once."""
    ann = account_create(actor=None, domain=client1, name="ann", kind="MailDirMailbox")
    for number in range(12):
        submit(base, f"m{number}", message(to="ann@client1.test", message_id=f"<m{number}@test>"))

    def crash(self, planned):
        raise Crash

    crashing_pass(monkeypatch, mailstore.MailDirMailbox, "publish", crash)
    assert inbox_messages(ann) == []
    run_queue()

    assert len(inbox_messages(ann)) == 12
    assert not any((inbox_path(ann) / "tmp").iterdir())


def test_a_write_error_in_one_mailbox_leaves_its_copies_waiting_and_delivers_the_rest(base, client1, monkeypatch):
    jane, bob = make_account(client1, "jane"), make_account(client1, "bob")
    for number in range(12):  # enough files for one grouped flush
        submit(base, f"m{number}", message(to="jane@client1.test, bob@client1.test", message_id=f"<m{number}@test>"))
    real = mailstore.TextMailbox.write_data

    def full_disk(self, planned, **options):
        if self.path == inbox_path(jane):
            raise OSError(28, "No space left on device")
        return real(self, planned, **options)

    monkeypatch.setattr(mailstore.TextMailbox, "write_data", full_disk)
    run_queue()

    assert inbox_messages(jane) == [] and len(inbox_messages(bob)) == 12
    waiting = QueueRecipient.objects.filter(address="jane@client1.test", state=QueueRecipient.WAITING)
    assert waiting.count() == 12 and "No space left" in waiting.first().reason
    monkeypatch.undo()  # the disk has room again; the retry is due now
    QueueRecipient.objects.update(next_attempt=timezone.now())
    QueuedMessage.objects.update(next_attempt=timezone.now())
    run_queue()
    assert len(inbox_messages(jane)) == 12 and len(inbox_messages(bob)) == 12


def test_picked_up_files_left_hidden_by_a_stopped_runner_go_with_the_sweep(base, client1):
    make_account(client1, "jane")
    leftover = base / "Submitted" / ".old.sub.queued"
    leftover.write_bytes(message().encode())

    assert not pickup()  # never picked up again
    sweep()

    assert not leftover.exists()


def test_a_write_error_in_one_maildir_of_a_grouped_pass_leaves_only_its_copies_waiting(base, client1, monkeypatch):
    jane = account_create(actor=None, domain=client1, name="jane", kind="MailDirMailbox")
    bob = account_create(actor=None, domain=client1, name="bob", kind="MailDirMailbox")
    for number in range(12):  # 24 MailDir files: created side by side in threads
        submit(base, f"m{number}", message(to="jane@client1.test, bob@client1.test", message_id=f"<m{number}@test>"))
    pickup()
    real = queuefile.write_all
    broken = str(inbox_path(jane))

    def full_disk(path, data, **options):
        if str(path).startswith(broken):
            raise OSError(28, "No space left on device")
        return real(path, data, **options)

    monkeypatch.setattr(queuefile, "write_all", full_disk)
    run_queue()

    assert inbox_messages(jane) == [] and len(inbox_messages(bob)) == 12
    assert not any((inbox_path(jane) / "tmp").iterdir())
    assert QueueRecipient.objects.filter(address="jane@client1.test", state=QueueRecipient.WAITING).count() == 12
    monkeypatch.undo()
    QueueRecipient.objects.update(next_attempt=timezone.now())
    QueuedMessage.objects.update(next_attempt=timezone.now())
    run_queue()
    assert len(inbox_messages(jane)) == 12 and len(inbox_messages(bob)) == 12
