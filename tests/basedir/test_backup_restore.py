"""Backup and restore of accounts, domains and mailboxes, the seed's way ("Backup and Recovery")."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account, Mailbox
from accounts.services import account_delete, account_update_settings, mailbox_create
from basedir import paths
from basedir.models import ExportOutbox
from basedir.services import backup_create, restore_account, restore_domain, restore_mailbox
from cgadmin.errors import AccessDenied, AlreadyExists, GeneralError, InvalidInput
from domains.models import Domain
from domains.selectors import find_domain
from domains.services import domain_delete
from logs.models import AuditEntry
from tests import factories
from tests.basedir.tree import snapshot, write_account, write_all, write_domain


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


@pytest.fixture
def jane(base, client1) -> Account:
    account = factories.make_account(client1, "jane", RealName="Jane Doe")
    mailbox_create(actor=None, account=account, name="Sent")
    write_domain(client1)
    return account


def test_account_backup_holds_the_account_folder_only(base, jane, tmp_path):
    factories.make_account(jane.domain, "bob")
    write_domain(jane.domain)
    archive = tmp_path / "jane.tar.gz"

    result = backup_create(actor=None, output=archive, kind="account", account=jane)

    names = members(archive)
    assert "Domains/client1.test/jane.macnt/account.settings" in names
    assert "Domains/client1.test/jane.macnt/INBOX.mbox" in names
    assert not any("bob" in name for name in names)
    assert result.files == 5  # settings, info, prefs, INBOX, Sent
    entry = AuditEntry.objects.get(event="basedir.backup")
    assert entry.object_name == "account jane@client1.test"


def test_backup_needs_the_master_right(base, jane, personas, tmp_path):
    with pytest.raises(AccessDenied):
        backup_create(actor=personas.all_domains, output=tmp_path / "x.tar.gz", kind="account", account=jane)
    assert not (tmp_path / "x.tar.gz").exists()


def test_restore_account_puts_files_back_and_clears_its_cache(base, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    inbox = paths.account_path(jane) / "INBOX.mbox"
    saved = inbox.read_bytes()
    inbox.write_text("")  # the user lost her mail
    account_update_settings(actor=None, account=jane, updates={"RealName": "Someone Else"})
    write_account(jane)
    ExportOutbox.objects.all().delete()

    result = restore_account(actor=None, archive_path=archive, account=jane)

    assert inbox.read_bytes() == saved
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Doe"  # reloaded from the restored account.settings
    events = list(AuditEntry.objects.order_by("id").values_list("event", flat=True))
    assert events[-3:] == ["account.settings", "account.clear_cache", "basedir.restore"]
    assert ExportOutbox.objects.filter(kind="account", key=str(jane.pk)).exists()
    assert result.files == 5
    assert not any(p.name.startswith(".restore-") for p in base.iterdir())


def test_restore_account_only_into_an_existing_account(base, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    account_delete(actor=None, account=jane)

    with pytest.raises(CommandError, match="restored only into an existing Account; create it first"):
        call_command("restore", str(archive), "account", "jane@client1.test")


def test_restore_into_another_account_with_from(base, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    other = factories.make_account(jane.domain, "janet")
    write_account(other)

    restore_account(actor=None, archive_path=archive, account=other, source="jane@client1.test")

    other.refresh_from_db()
    assert other.settings["RealName"] == "Jane Doe"
    assert other.mailboxes.filter(name="Sent").exists()


def test_restore_names_the_accounts_an_archive_holds(base, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    bob = factories.make_account(jane.domain, "bob")
    with pytest.raises(InvalidInput, match=r"no account bob@client1.test .*jane"):
        restore_account(actor=None, archive_path=archive, account=bob)


def test_mailbox_is_restored_as_a_copy_under_a_new_name(base, jane, tmp_path):
    archive = tmp_path / "inbox.tar.gz"
    backup_create(actor=None, output=archive, kind="mailbox", account=jane, mailbox="INBOX")
    inbox = paths.account_path(jane) / "INBOX.mbox"
    saved = inbox.read_bytes()
    inbox.write_text("")

    result = restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="INBOX")

    copy = jane.mailboxes.get(name="INBOX (restored)")
    assert copy.format == "mbox"
    assert (paths.account_path(jane) / "INBOX (restored).mbox").read_bytes() == saved
    assert inbox.read_text() == ""  # the original stays: the user copies what she lost
    assert "reconnect" in result.notes[0]
    with pytest.raises(AlreadyExists, match="--as"):
        restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="INBOX")
    restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="INBOX", new_name="Lost mail")
    assert jane.mailboxes.filter(name="Lost mail").exists()


def test_mailbox_restored_over_itself_on_request(base, jane, tmp_path):
    archive = tmp_path / "sent.tar.gz"
    backup_create(actor=None, output=archive, kind="mailbox", account=jane, mailbox="Sent")
    sent = paths.account_path(jane) / "Sent.mbox"
    saved = sent.read_bytes()
    sent.write_text("")
    (paths.account_path(jane) / "Sent.bdx").write_text("stale index")

    restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="Sent", over=True)

    assert sent.read_bytes() == saved
    assert not (paths.account_path(jane) / "Sent.bdx").exists()  # rebuilt by the server
    assert jane.mailboxes.count() == 2


def test_non_mail_mailbox_only_over_one_of_the_same_type(base, jane, tmp_path):
    mailbox_create(actor=None, account=jane, name="Calendar", mailbox_class="IPF.Appointment")
    write_account(jane)
    archive = tmp_path / "calendar.tar.gz"
    backup_create(actor=None, output=archive, kind="mailbox", account=jane, mailbox="Calendar")
    assert "Domains/client1.test/jane.macnt/account.info" in members(archive)

    with pytest.raises(InvalidInput, match="only over an existing mailbox of the same type"):
        restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="Calendar")
    mailbox_create(actor=None, account=jane, name="Notes", mailbox_class="IPF.StickyNote")
    with pytest.raises(InvalidInput, match="same type"):
        restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="Calendar", new_name="Notes",
                        over=True)
    mailbox_create(actor=None, account=jane, name="Calendar 2", mailbox_class="IPF.Appointment")

    restore_mailbox(actor=None, archive_path=archive, account=jane, mailbox="Calendar", new_name="Calendar 2",
                    over=True)

    assert (paths.account_path(jane) / "Calendar 2.mbox").read_text().startswith("From ")


def test_domain_restored_under_another_name(base, jane, tmp_path):
    from domains.services import domain_update_settings

    domain_update_settings(actor=None, domain=jane.domain, updates={"MailToUnknown": "Rejected"})
    write_domain(jane.domain)
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=jane.domain)

    result = restore_domain(actor=None, archive_path=archive, name="client1.test", new_name="restored.test")

    restored = find_domain("restored.test")
    assert restored is not None and restored.settings["MailToUnknown"] == "Rejected"
    copy = restored.accounts.get(name="jane")
    assert copy.settings["RealName"] == "Jane Doe"
    assert copy.password == jane.password  # the stored password form travels as it is
    assert sorted(copy.mailboxes.values_list("name", flat=True)) == ["INBOX", "Sent"]
    assert (base / "Domains/restored.test/jane.macnt/Sent.mbox").exists()
    assert "domain restored.test created" in result.notes


def test_domain_restored_under_its_name_after_removal(base, jane, tmp_path):
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=jane.domain, suspend_domain=True)
    domain_delete(actor=None, domain=jane.domain, force=True)

    call_command("restore", str(archive), "domain", "client1.test")

    domain = Domain.objects.get(name="client1.test")
    assert not domain.suspended  # suspended for the backup, resumed after it
    assert Account.objects.get(domain=domain, name="jane").settings["RealName"] == "Jane Doe"


def test_domain_restore_requires_the_server_stopped(base, jane, tmp_path, running_server):
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=jane.domain)
    with pytest.raises(GeneralError, match=f"requires the server to be stopped.*pid {running_server}"):
        restore_domain(actor=None, archive_path=archive, name="client1.test")


def test_a_failure_late_in_a_domain_restore_leaves_nothing_half_restored(base, jane, tmp_path):
    bob = factories.make_account(jane.domain, "zed")
    write_domain(jane.domain)
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=jane.domain)
    # The archive's last account has a value the catalogue refuses: found only when it is reloaded.
    with tarfile.open(archive) as tar:
        entries = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for member, data in entries:
            if member.name.endswith("zed.macnt/account.settings"):
                data = b'{MaxAccountSize = "lots";}\n'
                member.size = len(data)
            tar.addfile(member, __import__("io").BytesIO(data) if data is not None else None)
    (paths.account_path(jane) / "INBOX.mbox").write_text("")
    account_update_settings(actor=None, account=jane, updates={"RealName": "Changed"})
    write_domain(jane.domain)
    before = snapshot(base)
    audit_before = AuditEntry.objects.count()

    with pytest.raises(InvalidInput, match="MaxAccountSize"):
        restore_domain(actor=None, archive_path=bad, name="client1.test")

    assert snapshot(base) == before
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Changed"
    assert AuditEntry.objects.count() == audit_before
    assert bob.pk


def test_backup_pauses_the_account_and_kills_its_sessions(base, jane, tmp_path):
    account_update_settings(actor=None, account=jane, updates={"AccessModes": ["Mail", "IMAP"]})
    write_account(jane)
    backup_create(actor=None, output=tmp_path / "a.tar.gz", kind="account", account=jane, pause_account=True,
                  kill_sessions=True)
    jane.refresh_from_db()
    assert jane.settings["AccessModes"] == ["Mail", "IMAP"]  # put back as it was
    assert jane.sessions_valid_after is not None
    changes = AuditEntry.objects.filter(event="account.settings", object_name=jane.address).order_by("id")
    assert [entry.after for entry in changes][-2:] == ["{AccessModes=None;}", "{AccessModes=(Mail,IMAP);}"]


def test_whole_backup_and_the_parts_never_restored(base, jane, tmp_path):
    write_all()
    (base / "Queue" / "1.msg").write_text("P I <a@b>\n\nSubject: x\n\n")
    (base / "ProcessID").write_text("4242\n")  # a running server's file: never part of a backup
    archive = tmp_path / "all.tar.gz"
    call_command("backup", "all", "-o", str(archive), "--no-progress")
    (base / "ProcessID").unlink()
    names = members(archive)
    assert "Queue/1.msg" in names and "ProcessID" not in names and "Settings/Main.settings" in names
    with pytest.raises(CommandError, match="Queue/ is never restored: its messages would be delivered twice"):
        call_command("restore", str(archive), "all")
    (base / "Queue" / "1.msg").unlink()

    call_command("restore", str(archive), "all", "--skip-unrestorable")

    assert not (base / "Queue" / "1.msg").exists()
    assert (base / "Domains/client1.test/jane.macnt/Sent.mbox").exists()


def test_archive_list(base, jane, tmp_path, capsys):
    archive = tmp_path / "d.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=jane.domain)
    call_command("restore", str(archive), "list")
    out = capsys.readouterr().out
    assert "Domains/client1.test/: restore domain (server stopped)" in out
    assert "account jane" in out


def test_mailbox_rows_for_mailboxes_only_in_the_archive(base, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    from accounts.services import mailbox_delete

    mailbox_delete(actor=None, account=jane, name="Sent")

    restore_account(actor=None, archive_path=archive, account=jane)

    assert Mailbox.objects.filter(account=jane, name="Sent", format="mbox").exists()


def test_non_mail_mailbox_types_are_kept_in_account_info(base, jane):
    from accounts.services import mailbox_delete, mailbox_rename

    mailbox_create(actor=None, account=jane, name="Calendar", mailbox_class="IPF.Appointment")
    mailbox_create(actor=None, account=jane, name="Contacts", mailbox_class="IPF.Contact")
    mailbox_rename(actor=None, account=jane, name="Calendar", new_name="Diary")
    mailbox_delete(actor=None, account=jane, name="Contacts")
    jane.refresh_from_db()
    assert jane.info["MailboxClasses"] == {"Diary": "IPF.Appointment"}
    write_account(jane)
    from cgadmin.dataformat import load_settings_file

    info = load_settings_file((paths.account_path(jane) / "account.info").read_text())
    assert info["#MailboxClasses"] == {"Diary": "IPF.Appointment"}


def test_single_mailbox_accounts_are_restored_whole(base, client1, tmp_path):
    from accounts.services import account_create

    solo = account_create(actor=None, domain=client1, name="solo", kind="TextMailbox", password="secret-1",
                          settings={"RealName": "Solo"})
    write_account(solo)
    location = paths.account_path(solo)
    assert location.name == "solo.mbox" and location.with_suffix(".settings").exists()
    archive = tmp_path / "solo.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=solo)
    assert sorted(members(archive)) == [f"Domains/client1.test/solo.{s}" for s in ("info", "mbox", "prefs",
                                                                                   "settings")]
    saved = location.read_bytes()
    location.write_text("")
    account_update_settings(actor=None, account=solo, updates={"RealName": "Changed"})

    restore_account(actor=None, archive_path=archive, account=solo)

    assert location.read_bytes() == saved
    solo.refresh_from_db()
    assert solo.settings["RealName"] == "Solo"


def test_an_account_is_restored_only_into_one_of_the_same_storage(base, jane, tmp_path):
    from accounts.services import account_create

    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    solo = account_create(actor=None, domain=jane.domain, name="solo", kind="TextMailbox")
    with pytest.raises(InvalidInput, match="restore into an account of the same type"):
        restore_account(actor=None, archive_path=archive, account=solo, source="jane@client1.test")


def test_manage_py_backup_then_restore_gives_back_the_exporter_s_own_tree(base, jane, tmp_path):
    from accounts.services import account_set_domain_admin_rights, account_update_prefs
    from basedir.check import check
    from basedir.export import export_full

    account_update_settings(actor=None, account=jane, updates={"MaxAccountSize": "50M", "AccessModes": ["Mail"]})
    account_update_prefs(actor=None, account=jane, updates={"TimeZone": "Europe/Paris"})
    account_set_domain_admin_rights(actor=None, account=jane, administrator=True, rights=["CanCreateAccounts"])
    mailbox_create(actor=None, account=jane, name="Calendar", mailbox_class="IPF.Appointment")
    write_all()
    folder = base / "Domains" / "client1.test"
    before = snapshot(folder)
    archive = tmp_path / "client1.tar.gz"
    call_command("backup", "domain", "client1.test", "-o", str(archive), "--no-progress")
    domain_delete(actor=None, domain=jane.domain, force=True)
    export_full()
    assert not folder.exists()

    call_command("restore", str(archive), "domain", "client1.test")
    export_full()  # the database, reloaded from the archive, written back by the exporter

    assert snapshot(folder) == before
    assert check() == []
    restored = Account.objects.get(domain__name="client1.test", name="jane")
    assert restored.rights == ["Domain", "CanCreateAccounts"]
    assert restored.mailboxes.get(name="Calendar").mailbox_class == "IPF.Appointment"


@pytest.fixture
def other_disk(tmp_path):
    """A folder on another file system when there is one (tmpfs), as an administrator's second disk."""
    import os
    import shutil
    import tempfile

    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and os.stat(shm).st_dev != os.stat(tmp_path).st_dev:
        folder = Path(tempfile.mkdtemp(prefix="cgadmin-disk-", dir=shm))
        yield folder
        shutil.rmtree(folder, ignore_errors=True)
    else:
        yield tmp_path / "other-disk"


def test_restores_keep_a_top_folder_moved_to_another_disk_a_link(base, jane, tmp_path, other_disk):
    import shutil

    other_disk.mkdir(exist_ok=True)
    shutil.move(str(base / "Domains"), str(other_disk / "Domains"))
    (base / "Domains").symlink_to(other_disk / "Domains")
    write_all()
    inbox = paths.account_path(jane) / "INBOX.mbox"
    saved = inbox.read_bytes()
    domain_archive, whole_archive = tmp_path / "client1.tar.gz", tmp_path / "all.tar.gz"
    backup_create(actor=None, output=domain_archive, kind="domain", domain=jane.domain)
    call_command("backup", "all", "-o", str(whole_archive), "--no-progress")
    assert "Domains/client1.test/jane.macnt/INBOX.mbox" in members(whole_archive)  # the link was followed
    inbox.write_text("")
    account_update_settings(actor=None, account=jane, updates={"RealName": "Changed"})
    write_domain(jane.domain)

    restore_domain(actor=None, archive_path=domain_archive, name="client1.test")

    assert (base / "Domains").is_symlink()
    assert (other_disk / "Domains" / "client1.test" / "jane.macnt" / "INBOX.mbox").read_bytes() == saved
    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Doe"
    assert [p.name for p in (other_disk / "Domains").iterdir() if p.name.startswith(".")] == []

    inbox.write_text("")
    call_command("restore", str(whole_archive), "all", "--skip-unrestorable")

    assert (base / "Domains").is_symlink()
    assert inbox.read_bytes() == saved
    assert [p.name for p in (other_disk / "Domains").iterdir() if p.name.startswith(".")] == []
