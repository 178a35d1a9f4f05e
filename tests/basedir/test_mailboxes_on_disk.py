"""Mailboxes on disk follow the database through the exporter: RenameMailbox moves a mailbox's
files, DeleteMailbox removes them, and account.info's #StorageUsed follows the mailboxes' sizes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from accounts.selectors import account_info
from accounts.services import mailbox_create, mailbox_delete
from basedir.check import check
from basedir.export import drain, export_full
from cgadmin.dataformat import load_settings_file, loads
from cli.dispatch import execute
from tests.factories import make_account
from tests.mailqueue.conftest import message, run_queue, submit

pytestmark = pytest.mark.django_db

MBOX = b"From a@b Sat Jan  1 00:00:00 2026\nSubject: kept\n\nhello\n\n"


@pytest.fixture
def jane(base, client1):
    account = make_account(client1, "jane")
    export_full()
    return account


def cli(actor, line: str):
    answer = execute(line, actor=actor)
    assert answer.ok, answer.line()
    return loads(answer.data) if answer.data is not None else None


def folder_of(base: Path) -> Path:
    return base / "Domains" / "client1.test" / "jane.macnt"


def info_of(base: Path) -> dict:
    return load_settings_file((folder_of(base) / "account.info").read_text(encoding="utf-8"))


def test_rename_mailbox_moves_its_files_when_the_outbox_is_drained(base, postmaster, jane):
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Sent")
    drain()
    folder = folder_of(base)
    (folder / "Sent.mbox").write_bytes(MBOX)
    (folder / "Sent.flags").write_text("1 S\n")

    cli(postmaster, 'RenameMailbox jane@client1.test MAILBOX Sent INTO "Archive/2026"')
    assert (folder / "Sent.mbox").exists()  # nothing on disk changes before the exporter runs
    drain()

    assert (folder / "Archive" / "2026.mbox").read_bytes() == MBOX
    assert (folder / "Archive" / "2026.flags").read_text() == "1 S\n"
    assert not (folder / "Sent.mbox").exists() and not (folder / "Sent.flags").exists()
    assert check() == []

    cli(postmaster, 'RenameMailbox jane@client1.test MAILBOX "Archive/2026" INTO Old')
    drain()
    assert (folder / "Old.mbox").read_bytes() == MBOX
    assert not (folder / "Archive").exists()  # the emptied folder goes too


def test_a_maildir_mailbox_moves_whole(base, jane):
    mailbox_create(actor=None, account=jane, name="Lists", mailbox_format="mdir")
    drain()
    folder = folder_of(base)
    for sub in ("tmp", "new", "cur"):
        assert (folder / "Lists.mdir" / sub).is_dir()  # made empty by the export
    (folder / "Lists.mdir" / "cur" / "1.msg:2,S").write_bytes(b"Subject: x\n\nbody\n")

    cli(None, "RenameMailbox jane@client1.test MAILBOX Lists INTO Groups")
    drain()

    assert (folder / "Groups.mdir" / "cur" / "1.msg:2,S").read_bytes() == b"Subject: x\n\nbody\n"
    assert not (folder / "Lists.mdir").exists()


def test_delete_mailbox_removes_its_files_and_only_them(base, postmaster, jane):
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Trash")
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Keep")
    drain()
    folder = folder_of(base)
    for name in ("Trash", "Keep"):
        (folder / f"{name}.mbox").write_bytes(MBOX)
    (folder / "Trash.bdx").write_text("index")

    cli(postmaster, "DeleteMailbox jane@client1.test MAILBOX Trash")
    assert (folder / "Trash.mbox").exists()
    drain()

    assert not (folder / "Trash.mbox").exists() and not (folder / "Trash.bdx").exists()
    assert (folder / "Keep.mbox").read_bytes() == MBOX
    assert check() == []


def test_a_mailbox_recreated_under_the_name_before_the_export_keeps_the_files(base, jane):
    mailbox_create(actor=None, account=jane, name="Drafts")
    drain()
    folder = folder_of(base)
    (folder / "Drafts.mbox").write_bytes(MBOX)  # maybe delivered to the new one already

    mailbox_delete(actor=None, account=jane, name="Drafts")
    mailbox_create(actor=None, account=jane, name="Drafts")
    drain()

    assert (folder / "Drafts.mbox").read_bytes() == MBOX


def test_the_full_export_applies_renames_and_removals_too(base, jane):
    mailbox_create(actor=None, account=jane, name="A")
    mailbox_create(actor=None, account=jane, name="B")
    export_full()
    folder = folder_of(base)
    (folder / "A.mbox").write_bytes(MBOX)
    (folder / "B.mbox").write_bytes(MBOX)
    cli(None, "RenameMailbox jane@client1.test MAILBOX A INTO C")
    cli(None, "DeleteMailbox jane@client1.test MAILBOX B")

    export_full()

    assert (folder / "C.mbox").read_bytes() == MBOX
    assert not (folder / "A.mbox").exists() and not (folder / "B.mbox").exists()


def test_storage_used_in_account_info_follows_the_mailboxes(base, postmaster, jane):
    assert info_of(base)["#StorageUsed"] == 0
    mailbox_create(actor=None, account=jane, name="Sent")
    drain()
    (folder_of(base) / "Sent.mbox").write_bytes(MBOX)
    cli(None, "RenameMailbox jane@client1.test MAILBOX Sent INTO Outbox")
    drain()
    assert info_of(base)["#StorageUsed"] == len(MBOX)
    assert cli(postmaster, "GetAccountInfo jane@client1.test Key StorageUsed") == len(MBOX)

    submit(base, "m1", message(to="jane@client1.test", body="x" * 5000 + "\n"))
    run_queue()  # a delivery marks the account for export: account.info follows the INBOX
    drain()

    inbox = folder_of(base) / "INBOX.mbox"
    assert inbox.stat().st_size > 5000
    assert info_of(base)["#StorageUsed"] == len(MBOX) + inbox.stat().st_size
    assert account_info(jane)["StorageUsed"] == info_of(base)["#StorageUsed"]
    assert check() == []

    cli(None, "DeleteMailbox jane@client1.test MAILBOX Outbox")
    drain()
    assert info_of(base)["#StorageUsed"] == inbox.stat().st_size


def test_check_lists_the_files_of_a_renamed_or_deleted_mailbox_until_they_are_exported(base, postmaster, jane):
    for name in ("Sent", "Trash", "Empty"):
        cli(postmaster, f"CreateMailbox jane@client1.test MAILBOX {name}")
    drain()
    folder = folder_of(base)
    (folder / "Sent.mbox").write_bytes(MBOX)
    (folder / "Sent.flags").write_text("1 S\n")
    (folder / "Trash.mbox").write_bytes(MBOX)
    export_full()  # account.info counts what the mailboxes hold now
    assert check() == []  # every file has its mailbox, and every mailbox its file ("Empty" an empty one)
    assert (folder / "Empty.mbox").read_bytes() == b""

    cli(postmaster, 'RenameMailbox jane@client1.test MAILBOX Sent INTO "Archive/2026"')
    cli(postmaster, "DeleteMailbox jane@client1.test MAILBOX Trash")

    assert sorted(str(difference) for difference in check()) == [
        "differs: Domains/client1.test/jane.macnt/account.info",  # its StorageUsed, not yet rewritten
        "missing: Domains/client1.test/jane.macnt/Archive/2026.mbox",  # the renamed one, not yet moved
        "unexpected: Domains/client1.test/jane.macnt/Sent.flags",
        "unexpected: Domains/client1.test/jane.macnt/Sent.mbox",
        "unexpected: Domains/client1.test/jane.macnt/Trash.mbox",
    ]
    drain()
    assert check() == []
    assert (folder / "Archive" / "2026.mbox").read_bytes() == MBOX


def test_check_lists_a_mailbox_file_in_a_subfolder_that_no_mailbox_owns(base, postmaster, jane):
    cli(postmaster, 'CreateMailbox jane@client1.test MAILBOX "Lists/cgate"')
    drain()
    folder = folder_of(base)
    (folder / "Lists").mkdir(exist_ok=True)
    (folder / "Lists" / "cgate.mbox").write_bytes(MBOX)
    (folder / "Lists" / "stray.mdir" / "new").mkdir(parents=True)
    (folder / "notes.txt").write_text("not a mailbox file: not the check's business\n")
    export_full()

    assert [str(difference) for difference in check()] == [
        "unexpected: Domains/client1.test/jane.macnt/Lists/stray.mdir"]


def test_mailboxes_created_over_the_cli_exist_as_files_so_a_file_backup_holds_them(base, postmaster, jane):
    folder = folder_of(base)
    assert (folder / "INBOX.mbox").read_bytes() == b""  # the account's INBOX, by the full export
    cli(postmaster, 'CreateMailbox jane@client1.test MAILBOX "Projects/2026"')
    mailbox_create(actor=None, account=jane, name="Lists", mailbox_format="mdir")
    (folder / "Kept.mbox").write_bytes(MBOX)  # a restored file is never emptied
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Kept")

    drain()

    assert (folder / "Projects" / "2026.mbox").read_bytes() == b""
    assert sorted(path.name for path in (folder / "Lists.mdir").iterdir()) == ["cur", "new", "tmp"]
    assert (folder / "Kept.mbox").read_bytes() == MBOX
    assert check() == []

    cli(postmaster, 'DeleteMailbox jane@client1.test MAILBOX "Projects/2026"')
    drain()
    assert not (folder / "Projects").exists()


def test_a_new_accounts_inbox_is_a_file_after_the_outbox_is_drained(base, client1):
    bob = make_account(client1, "bob")
    drain()
    assert (base / "Domains" / "client1.test" / "bob.macnt" / "INBOX.mbox").read_bytes() == b""
    assert bob.mailboxes.get().name == "INBOX"


def test_text_mailboxes_are_their_mbox_file_alone_and_a_restored_flags_file_travels_with_it(base, postmaster, jane):
    """This server sets no flags (no IMAP or POP here) and keeps no index: a Text mailbox is its .mbox
    file; the .flags and .bdx a CommuniGate server kept beside it are left alone, moved and removed
    with it, and basedir check is clean with them (README: Mailbox formats)."""
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Sent")
    drain()
    folder = folder_of(base)
    assert sorted(path.name for path in folder.iterdir() if path.name.startswith(("INBOX", "Sent"))) == [
        "INBOX.mbox", "Sent.mbox"]
    (folder / "Sent.flags").write_text("1 S\n")
    (folder / "Sent.bdx").write_bytes(b"\x00index")
    assert check() == []

    cli(postmaster, "RenameMailbox jane@client1.test MAILBOX Sent INTO Archive")
    drain()

    assert (folder / "Archive.flags").read_text() == "1 S\n" and (folder / "Archive.bdx").exists()
    assert check() == []


def test_sliced_and_4th_version_folders_copied_in_are_kept_and_reported_not_served(base, jane):
    folder = folder_of(base)
    (folder / "Big.mslc").mkdir()
    (folder / "Old.mb4").mkdir()

    found = {str(difference): difference.details for difference in check()}

    for name in ("Big.mslc", "Old.mb4"):
        [detail] = found[f"unexpected: Domains/client1.test/jane.macnt/{name}"]
        assert "CommuniGate's own format, which this server does not store" in detail


@pytest.mark.parametrize(("kind", "entry", "is_folder"), [("TextMailbox", "solo.mbox", False),
                                                         ("MailDirMailbox", "solo.mdir", True)])
def test_a_single_mailbox_accounts_mailbox_exists_from_its_creation_and_check_misses_a_lost_one(
        base, client1, kind, entry, is_folder):
    from accounts.services import account_create

    account_create(actor=None, domain=client1, name="solo", kind=kind)
    drain()
    location = base / "Domains" / "client1.test" / entry
    if is_folder:
        assert sorted(path.name for path in location.iterdir()) == ["cur", "new", "tmp"]
    else:
        assert location.read_bytes() == b""
    assert check() == []

    shutil.rmtree(location) if is_folder else location.unlink()
    [difference] = check()
    assert str(difference) == f"missing: Domains/client1.test/{entry}"
    assert difference.details[0].startswith(f"mailbox INBOX has no {'folder' if is_folder else 'file'}")

    export_full()
    assert location.exists() and check() == []


def test_a_lost_mailbox_file_is_reported_and_remade_empty_by_the_full_export(base, postmaster, jane):
    cli(postmaster, "CreateMailbox jane@client1.test MAILBOX Sent")
    drain()
    (folder_of(base) / "Sent.mbox").unlink()

    assert [str(difference) for difference in check()] == ["missing: Domains/client1.test/jane.macnt/Sent.mbox"]
    export_full()
    assert (folder_of(base) / "Sent.mbox").read_bytes() == b"" and check() == []


def test_an_earlier_versions_sliced_mailbox_becomes_the_maildir_it_always_was(base, jane):
    """Migration 0005 of accounts: a mailbox made as Sliced (a MailDir folder named .mslc) becomes a
    MailDir mailbox, and the exporter renames its folder, messages and all."""
    import importlib

    from django.apps import apps

    from accounts.models import Mailbox
    from basedir import outbox

    Mailbox.objects.create(account=jane, name="Big", format="mslc")  # as an earlier version made it
    outbox.mark_dirty(outbox.ACCOUNT, jane.pk)
    drain()
    folder = folder_of(base)
    (folder / "Big.mslc" / "new").mkdir(parents=True, exist_ok=True)  # what the MailDir store wrote there
    (folder / "Big.mslc" / "new" / "1.msg").write_bytes(b"Subject: kept\n\nhello\n")

    importlib.import_module("accounts.migrations.0005_sliced_mailboxes_are_maildir").forwards(apps, None)
    drain()

    assert jane.mailboxes.get(name="Big").format == "mdir"
    assert not (folder / "Big.mslc").exists()
    assert (folder / "Big.mdir" / "new" / "1.msg").read_bytes() == b"Subject: kept\n\nhello\n"
    assert check() == []
