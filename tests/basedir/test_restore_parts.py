"""Restoring server settings, log files and File Storage; the backup command's own options."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from basedir import paths
from basedir.services import backup_create, restore_files, restore_logs, restore_settings
from cgadmin.errors import AlreadyExists, GeneralError, InvalidInput
from domains.selectors import main_domain
from logs.models import AuditEntry
from server import documents
from server.services import server_settings_update, server_strings_update
from tests import factories
from tests.basedir.tree import write_account, write_server


def members(archive: Path) -> list[str]:
    with tarfile.open(archive) as tar:
        return tar.getnames()


def test_settings_restore_reloads_each_file_through_its_service(base, postmaster, tmp_path):
    server_settings_update(actor=None, updates={"ContactPerson": "Ops Team"})
    server_strings_update(actor=None, updates={"SubjectFailed": "Could not deliver"})
    write_server()
    archive = tmp_path / "settings.tar.gz"
    backup_create(actor=None, output=archive, kind="settings")
    assert "Settings/Main.settings" in members(archive)
    server_settings_update(actor=None, updates={"ContactPerson": "Someone Else", "ServerLocation": "Room 5"})
    server_strings_update(actor=None, updates={"SubjectFailed": "default"})

    result = restore_settings(actor=None, archive_path=archive)

    main = documents.read(documents.MAIN)
    assert main["ContactPerson"] == "Ops Team"
    assert "ServerLocation" not in main  # not in the restored file: back to its default
    assert documents.read(documents.STRINGS) == {"SubjectFailed": "Could not deliver"}
    assert main_domain().name == "mail.example.test"
    assert "Main.settings" in result.what
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {"server.settings", "server.strings", "basedir.restore"} <= events


def test_one_settings_file_only(base, postmaster, tmp_path):
    server_settings_update(actor=None, updates={"ContactPerson": "Ops Team"})
    server_strings_update(actor=None, updates={"SubjectFailed": "Could not deliver"})
    write_server()
    archive = tmp_path / "settings.tar.gz"
    backup_create(actor=None, output=archive, kind="settings")
    server_settings_update(actor=None, updates={"ContactPerson": "Someone Else"})
    server_strings_update(actor=None, updates={"SubjectFailed": "default"})

    call_command("restore", str(archive), "settings", "Main.settings")

    assert documents.read(documents.MAIN)["ContactPerson"] == "Ops Team"
    assert documents.read(documents.STRINGS) == {}
    with pytest.raises(CommandError, match=r"no Settings/Nope\.settings"):
        call_command("restore", str(archive), "settings", "Nope.settings")


def test_settings_restore_requires_the_server_stopped(base, postmaster, tmp_path, running_server):
    write_server()
    archive = tmp_path / "settings.tar.gz"
    backup_create(actor=None, output=archive, kind="settings")
    with pytest.raises(GeneralError, match="requires the server to be stopped"):
        restore_settings(actor=None, archive_path=archive)


def test_a_settings_file_that_does_not_parse_changes_nothing(base, postmaster, tmp_path):
    server_settings_update(actor=None, updates={"ContactPerson": "Ops Team"})
    write_server()
    (base / "Settings" / "Strings.settings").write_text("{SubjectFailed = ")
    archive = tmp_path / "settings.tar.gz"
    backup_create(actor=None, output=archive, kind="settings")
    server_settings_update(actor=None, updates={"ContactPerson": "Someone Else"})
    main_file = (base / "Settings" / "Main.settings").read_bytes()

    with pytest.raises(InvalidInput, match=r"Settings/Strings\.settings in the archive does not parse"):
        restore_settings(actor=None, archive_path=archive)

    assert documents.read(documents.MAIN)["ContactPerson"] == "Someone Else"
    assert (base / "Settings" / "Main.settings").read_bytes() == main_file


def test_logs_restored_under_another_name_while_the_server_runs(base, postmaster, tmp_path, running_server):
    log = base / "SystemLogs" / "2026-11-20.log"
    log.write_text("10:00:00.000 2 SYSTEM server started\n")
    archive = tmp_path / "logs.tar.gz"
    call_command("backup", "logs", "-o", str(archive), "--no-progress")
    log.write_text("")

    with pytest.raises(AlreadyExists, match="--as"):
        restore_logs(actor=None, archive_path=archive, files=["2026-11-20.log"])
    restore_logs(actor=None, archive_path=archive, files=["2026-11-20.log"], new_name="2026-11-20-old.log")

    assert (base / "SystemLogs" / "2026-11-20-old.log").read_text().endswith("server started\n")
    assert log.read_text() == ""
    log.unlink()
    restore_logs(actor=None, archive_path=archive)
    assert log.read_text().endswith("server started\n")


def test_file_storage_is_merged(base, client1, tmp_path):
    jane = factories.make_account(client1, "jane")
    write_account(jane)
    storage = paths.account_files_dir(jane)
    (storage / "docs").mkdir(parents=True)
    (storage / "docs" / "report.txt").write_text("v1")
    archive = tmp_path / "files.tar.gz"
    call_command("backup", "files", "jane@client1.test", "-o", str(archive), "--no-progress")
    assert members(archive)[0] == "Domains/client1.test/jane.macnt/account.web"
    (storage / "docs" / "report.txt").unlink()
    (storage / "new.txt").write_text("made after the backup")
    inbox = (paths.account_path(jane) / "INBOX.mbox").read_bytes()

    result = restore_files(actor=None, archive_path=archive, account=jane)

    assert (storage / "docs" / "report.txt").read_text() == "v1"
    assert (storage / "new.txt").exists()  # files not in the archive stay
    assert (paths.account_path(jane) / "INBOX.mbox").read_bytes() == inbox
    assert result.files == 1


def test_backup_refuses_what_is_not_there(base, client1, tmp_path):
    jane = factories.make_account(client1, "jane")
    with pytest.raises(GeneralError, match="nothing to back up"):
        backup_create(actor=None, output=tmp_path / "x.tar.gz", kind="account", account=jane)
    with pytest.raises(CommandError, match="name the account"):
        call_command("backup", "account")


def test_the_whole_backup_leaves_its_own_archive_and_temp_files_out(base, postmaster, tmp_path):
    write_server()
    (base / "Settings" / ".Main.settings.x1y2.tmp").write_text("half")
    archive = base / "full.tar.gz"
    backup_create(actor=None, output=archive, kind="all")
    names = members(archive)
    assert "full.tar.gz" not in names
    assert not any(name.endswith(".tmp") for name in names)
    assert "Settings/Main.settings" in names


def test_the_progress_bar_is_drawn(base, postmaster, tmp_path, capsys):
    write_server()
    call_command("backup", "settings", "-o", str(tmp_path / "s.tar.gz"))
    captured = capsys.readouterr()
    assert "Settings/: 5 file(s)" in captured.out
    assert "s.tar.gz" in captured.err  # tqdm's bar, on stderr


def test_directory_files_restored_with_the_server_stopped(base, postmaster, tmp_path):
    unit = base / "Directory" / "Local.data"
    unit.write_text("{}\n")
    archive = tmp_path / "dir.tar.gz"
    call_command("backup", "directory", "-o", str(archive), "--no-progress")
    unit.write_text("{broken")

    call_command("restore", str(archive), "directory", "Local.data")

    assert unit.read_text() == "{}\n"
    with pytest.raises(CommandError, match=r"no Directory/Nope\.data"):
        call_command("restore", str(archive), "directory", "Nope.data")
