"""The Directory/ folder: one file per unit, written after commit, recreated by `directory rebuild`;
custom records are never dropped silently."""

import os
import shutil

import pytest
from django.core.management import CommandError, call_command

from accounts.services import account_update_settings
from basedir.models import ExportOutbox
from cgadmin.dataformat import load_settings_file
from cgadmin.errors import GeneralError
from directory.export import OUTBOX_KIND, drain_outbox, export_all, export_unit, unit_file
from directory.models import DirectoryRecord
from directory.services import directory_rebuild, directory_record_create, directory_record_delete
from domains.services import domain_delete, domain_rename
from logs.models import AuditEntry
from tests.factories import make_account, make_domain

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def base(settings, tmp_path):
    settings.CGATE_BASE = tmp_path
    return tmp_path


def _read(path):
    return load_settings_file(path.read_text(encoding="utf-8"))


def test_a_change_writes_its_units_file_after_commit(postmaster, client1, base, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        make_account(client1, "jane", RealName="Jane Doe")

    directory_tasks = [callback for callback in callbacks if callback.__module__ == "directory.export"]
    assert len(directory_tasks) == 1  # one directory export task for the whole change (basedir has its own)
    path = base / "Directory" / "Domains" / "client1.test.data"
    assert _read(path) == {"jane": {"Domain": "client1.test", "Email": "jane@client1.test", "RealName": "Jane Doe"}}
    assert path.read_text().startswith("// Central Directory unit client1.test")
    assert not ExportOutbox.objects.filter(kind=OUTBOX_KIND).exists()


def test_nothing_is_written_when_the_change_rolls_back(postmaster, client1, base):
    from django.db import transaction

    marked = ExportOutbox.objects.filter(kind=OUTBOX_KIND, key="client1.test").count()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_account(client1, "jane")
        raise RuntimeError

    assert ExportOutbox.objects.filter(kind=OUTBOX_KIND, key="client1.test").count() == marked
    drain_outbox()
    assert "jane" not in _read(unit_file("client1.test"))


def test_a_unit_file_is_rewritten_only_when_its_content_changes(postmaster, client1, base):
    jane = make_account(client1, "jane")
    export_unit("client1.test")
    path = unit_file("client1.test")
    inode = path.stat().st_ino

    assert export_unit("client1.test") is False
    account_update_settings(actor=None, account=jane, updates={"MaxAccountSize": "10M"})  # not in the record
    assert export_unit("client1.test") is False
    assert path.stat().st_ino == inode
    account_update_settings(actor=None, account=jane, updates={"RealName": "Jane"})
    assert export_unit("client1.test") is True


def test_renamed_and_removed_domains_leave_no_file_behind(postmaster, client1, client2, base,
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        make_account(client1, "jane")
        make_account(client2, "john")
    with django_capture_on_commit_callbacks(execute=True):
        domain_rename(actor=None, domain=client1, new_name="renamed.test")
    with django_capture_on_commit_callbacks(execute=True):
        domain_delete(actor=None, domain=client2, force=True)

    files = sorted(path.name for path in (base / "Directory" / "Domains").iterdir())
    assert files == ["mail.example.test.data", "renamed.test.data"]
    assert _read(unit_file("renamed.test"))["jane"]["Email"] == "jane@renamed.test"


def test_an_idn_domains_file_is_named_in_punycode(postmaster, base):
    domain = make_domain("bücher.test")
    make_account(domain, "anna", RealName="Änne")
    export_all()

    assert _read(base / "Directory" / "Domains" / "xn--bcher-kva.test.data")["anna"]["RealName"] == "Änne"


def test_custom_records_live_in_the_local_units_file(postmaster, base):
    directory_record_create(actor=None, name="Front Desk", email="desk@example.test",
                            attributes={"telephoneNumber": "+1 555 0100"})
    export_all()

    assert _read(base / "Directory" / "Local.data") == {
        "Front Desk": {"Email": "desk@example.test", "telephoneNumber": "+1 555 0100"}}


def _snapshot(base):
    return {path.relative_to(base): path.read_bytes() for path in sorted((base / "Directory").rglob("*.data"))}


def test_rebuild_recreates_lost_files_and_records_from_the_accounts(postmaster, client1, client2, base):
    make_account(client1, "jane", RealName="Jane")
    make_account(client2, "john")
    directory_record_create(actor=None, name="desk")
    export_all()
    before = _snapshot(base)
    shutil.rmtree(base / "Directory")
    DirectoryRecord.objects.filter(domain__isnull=False).delete()

    call_command("directory", "rebuild")

    assert _snapshot(base) == before
    assert DirectoryRecord.objects.get(domain=client1, name="jane").real_name == "Jane"
    assert AuditEntry.objects.filter(event="directory.rebuild").exists()


def test_custom_records_survive_a_rebuild(postmaster, client1, base):
    make_account(client1, "jane")
    directory_record_create(actor=None, name="desk", email="desk@example.test")

    result = directory_rebuild(actor=None)
    export_all()

    assert result.custom_kept == 1
    assert _read(unit_file("_local")) == {"desk": {"Email": "desk@example.test"}}


def test_rebuild_refuses_to_drop_custom_records_found_only_in_the_file(postmaster, base):
    directory_record_create(actor=None, name="desk", email="desk@example.test", attributes={"room": "101"})
    export_all()
    file_before = unit_file("_local").read_bytes()
    directory_record_delete(actor=None, name="desk")  # e.g. a database restored from an older backup

    with pytest.raises(GeneralError, match=r"holds 1 custom record.*desk.*--import-custom"):
        directory_rebuild(actor=None)
    with pytest.raises(CommandError, match="--drop-custom"):
        call_command("directory", "rebuild")

    assert unit_file("_local").read_bytes() == file_before  # nothing was overwritten


def test_rebuild_import_custom_takes_the_files_custom_records_back(postmaster, base):
    directory_record_create(actor=None, name="desk", email="desk@example.test", attributes={"room": "101"})
    export_all()
    file_before = unit_file("_local").read_bytes()
    DirectoryRecord.objects.filter(domain__isnull=True).delete()

    call_command("directory", "rebuild", "--import-custom")

    record = DirectoryRecord.objects.get(domain__isnull=True)
    assert (record.name, record.email, record.public) == ("desk", "desk@example.test", {"room": "101"})
    assert unit_file("_local").read_bytes() == file_before


def test_rebuild_drop_custom_recreates_the_directory_from_accounts_alone(postmaster, base):
    directory_record_create(actor=None, name="desk")
    export_all()

    result = directory_rebuild(actor=None, drop_custom=True)
    export_all()

    assert result.custom_dropped == ["desk"]
    assert not DirectoryRecord.objects.filter(domain__isnull=True).exists()
    assert _read(unit_file("_local")) == {}
    assert "desk" in AuditEntry.objects.get(event="directory.rebuild").before


def test_rebuild_leaves_dont_update_domains_as_they_are(postmaster, client1, base):
    from domains.services import domain_update_settings

    jane = make_account(client1, "jane", RealName="Old")
    domain_update_settings(actor=None, domain=client1, updates={"CentralDirectory": "Don't Update"})
    account_update_settings(actor=None, account=jane, updates={"RealName": "New"})

    result = directory_rebuild(actor=None)

    assert "client1.test" not in result.records
    assert DirectoryRecord.objects.get(domain=client1, name="jane").real_name == "Old"


def test_export_removes_a_stray_unit_file(postmaster, base):
    stray = base / "Directory" / "Domains" / "gone.test.data"
    stray.parent.mkdir(parents=True)
    stray.write_text("{}")

    call_command("directory", "export")

    assert not stray.exists()
    assert (base / "Directory" / "Local.data").exists()
    assert not [name for name in os.listdir(base / "Directory") if name.endswith(".tmp")]


def test_the_periodic_sweep_writes_what_no_after_commit_task_did(postmaster, client1, base):
    from cgadmin.celery import app
    from directory.tasks import export_directory

    make_account(client1, "late")  # in the test's transaction: no after-commit task ever runs
    schedule = app.conf.beat_schedule["directory.export"]

    assert not unit_file(client1.name).exists()
    assert schedule["task"] == export_directory.name and schedule["schedule"] <= 60
    export_directory()  # what beat runs every SWEEP_SECONDS
    assert "late" in unit_file(client1.name).read_text()
