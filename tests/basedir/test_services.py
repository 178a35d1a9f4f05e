"""basedir.services called directly, as the personas of tests/conftest.py: backups and restores are the
Master right's, ClearAccountCache an account's BasicSettings; everyone else is refused with neither a
row nor a file changed, and each run is audited, with what it reloads marked for the exporter
(tests/service_checks.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Account, Mailbox
from accounts.services import account_update_settings, mailbox_create
from basedir import paths
from basedir import services as S
from basedir.outbox import ACCOUNT, DOMAIN, SERVER
from basedir.reload import account_clear_cache
from directory.export import OUTBOX_KIND as DIRECTORY
from domains.models import Domain
from logs.events import Event
from server import documents
from server.services import server_settings_update
from tests import factories
from tests.basedir.tree import snapshot, write_account, write_all, write_domain
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def jane(base, personas) -> Account:
    account = factories.make_account(personas.client1, "jane", RealName="Jane Doe")
    mailbox_create(actor=None, account=account, name="Sent")
    write_domain(personas.client1)
    return account


def refused_without_master(service, personas, base: Path, **kwargs) -> None:
    """Only Master backs up and restores: AllDomains, Settings and Domain Administrators may not, and a
    refused restore leaves every file as it was."""
    files = snapshot(base)
    for actor in (personas.all_domains, personas.settings_admin, personas.domain_admin_with_right):
        call_refused(service, actor=actor, **kwargs)
    assert snapshot(base) == files


def backup(kind: str, tmp_path: Path, **kwargs) -> Path:
    archive = tmp_path / f"{kind}.tar.gz"
    S.backup_create(actor=None, output=archive, kind=kind, **kwargs)
    return archive


def test_account_clear_cache(base, personas, jane):
    account_update_settings(actor=None, account=jane, updates={"RealName": "Someone Else"})
    for actor in (personas.domain_admin_without_right, personas.other_domain_admin, personas.plain_user):
        call_refused(account_clear_cache, actor=actor, account=jane)

    call = call_allowed(account_clear_cache, actor=personas.domain_admin_with_right, account=jane)

    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Doe"
    assert call.result.settings == ("RealName",)
    call.audited(Event.ACCOUNT_CLEAR_CACHE, actor=personas.domain_admin_with_right, object_name="jane@client1.test",
                 after={"Settings": ["RealName"], "Info": []})
    call.audited(Event.ACCOUNT_SETTINGS, actor=personas.domain_admin_with_right, before={"RealName": "Someone Else"},
                 after={"RealName": "Jane Doe"})
    call.marked((ACCOUNT, jane.pk), (DIRECTORY, "client1.test"))


def test_backup_create(base, personas, jane, tmp_path):
    archive = tmp_path / "jane.tar.gz"
    refused_without_master(S.backup_create, personas, base, output=archive, kind="account", account=jane)
    assert not archive.exists()

    call = call_allowed(S.backup_create, actor=personas.postmaster, output=archive, kind="account", account=jane)

    assert archive.is_file() and call.result.files > 0
    call.audited(Event.BASEDIR_BACKUP, actor=personas.postmaster, object_name=call.result.what,
                 after={"Archive": str(archive), "Files": call.result.files, "Bytes": call.result.bytes})
    call.marks_nothing("a backup reads the tree")


def test_restore_account(base, personas, jane, tmp_path):
    archive = backup("account", tmp_path, account=jane)
    account_update_settings(actor=None, account=jane, updates={"RealName": "Someone Else"})
    write_account(jane)
    refused_without_master(S.restore_account, personas, base, archive_path=archive, account=jane)

    call = call_allowed(S.restore_account, actor=personas.postmaster, archive_path=archive, account=jane)

    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Doe"
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, object_name=call.result.what)
    call.audited(Event.ACCOUNT_SETTINGS, actor=personas.postmaster, after={"RealName": "Jane Doe"})
    call.marked((ACCOUNT, jane.pk), (DIRECTORY, "client1.test"))


def test_restore_mailbox(base, personas, jane, tmp_path):
    archive = backup("mailbox", tmp_path, account=jane, mailbox="Sent")
    refused_without_master(S.restore_mailbox, personas, base, archive_path=archive, account=jane, mailbox="Sent",
                           new_name="Sent again")

    call = call_allowed(S.restore_mailbox, actor=personas.postmaster, archive_path=archive, account=jane,
                        mailbox="Sent", new_name="Sent again")

    assert Mailbox.objects.filter(account=jane, name="Sent again").exists()
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, object_name=call.result.what)
    call.audited(Event.MAILBOX_CREATE, actor=personas.postmaster, object_name="jane@client1.test/Sent again")
    call.marked((ACCOUNT, jane.pk))


def test_restore_files(base, personas, jane, tmp_path):
    storage = paths.account_files_dir(jane)
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "report.txt").write_text("v1")
    archive = backup("files", tmp_path, account=jane)
    (storage / "report.txt").unlink()
    refused_without_master(S.restore_files, personas, base, archive_path=archive, account=jane)

    call = call_allowed(S.restore_files, actor=personas.postmaster, archive_path=archive, account=jane)

    assert (storage / "report.txt").read_text() == "v1"
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, after={"Archive": str(archive), "Files": 1})
    call.marks_nothing("File Storage is files only: nothing in the database to export again")


def test_restore_domain(base, personas, jane, tmp_path):
    archive = backup("domain", tmp_path, domain=personas.client1)
    refused_without_master(S.restore_domain, personas, base, archive_path=archive, name="client1.test",
                           new_name="restored.test")

    call = call_allowed(S.restore_domain, actor=personas.postmaster, archive_path=archive, name="client1.test",
                        new_name="restored.test")

    restored = Domain.objects.get(name="restored.test")
    assert Account.objects.get(domain=restored, name="jane").settings["RealName"] == "Jane Doe"
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, object_name=call.result.what)
    call.audited(Event.DOMAIN_CREATE, actor=personas.postmaster, object_name="restored.test")
    accounts = restored.accounts.values_list("pk", flat=True)
    call.marked_including((DOMAIN, restored.pk), *((ACCOUNT, pk) for pk in accounts))


def test_restore_settings(base, personas, jane, tmp_path):
    server_settings_update(actor=None, updates={"ContactPerson": "Ops Team"})
    write_all()
    archive = backup("settings", tmp_path)
    server_settings_update(actor=None, updates={"ContactPerson": "Someone Else"})
    refused_without_master(S.restore_settings, personas, base, archive_path=archive, files=["Main.settings"])

    call = call_allowed(S.restore_settings, actor=personas.postmaster, archive_path=archive, files=["Main.settings"])

    assert documents.read(documents.MAIN)["ContactPerson"] == "Ops Team"
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, object_name=call.result.what)
    call.audited(Event.SERVER_SETTINGS, actor=personas.postmaster, after={"ContactPerson": "Ops Team"})
    call.marked((SERVER, documents.MAIN))


def test_restore_logs(base, personas, jane, tmp_path):
    log = base / "SystemLogs" / "2026-11-20.log"
    log.write_text("10:00:00.000 2 SYSTEM server started\n")
    archive = backup("logs", tmp_path)
    log.unlink()
    refused_without_master(S.restore_logs, personas, base, archive_path=archive, files=["2026-11-20.log"])

    call = call_allowed(S.restore_logs, actor=personas.postmaster, archive_path=archive, files=["2026-11-20.log"])

    assert log.read_text().endswith("server started\n")
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, after={"Archive": str(archive), "Files": 1})
    call.marks_nothing("log files are not in the database")


def test_restore_directory(base, personas, jane, tmp_path):
    unit = base / "Directory" / "Local.data"
    unit.parent.mkdir(exist_ok=True)
    unit.write_text('{"Front Desk" = {Email = "desk@example.test";};}\n')
    archive = backup("directory", tmp_path)
    unit.unlink()
    refused_without_master(S.restore_directory, personas, base, archive_path=archive)

    call = call_allowed(S.restore_directory, actor=personas.postmaster, archive_path=archive)

    assert "Front Desk" in unit.read_text()
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, after={"Archive": str(archive), "Files": 1})
    call.marks_nothing("files only: `directory rebuild --import-custom` loads them")


def test_restore_all(base, personas, jane, tmp_path):
    write_all()
    archive = backup("all", tmp_path)
    account_update_settings(actor=None, account=jane, updates={"RealName": "Someone Else"})
    refused_without_master(S.restore_all, personas, base, archive_path=archive, skip_unrestorable=True)

    call = call_allowed(S.restore_all, actor=personas.postmaster, archive_path=archive, skip_unrestorable=True)

    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Doe"
    call.audited(Event.BASEDIR_RESTORE, actor=personas.postmaster, object_name="the whole base directory")
    call.audited(Event.ACCOUNT_SETTINGS, actor=personas.postmaster, object_name="jane@client1.test",
                 after={"RealName": "Jane Doe"})
    call.marked_including((ACCOUNT, jane.pk))


def test_archive_contents(base, personas, jane, tmp_path):
    archive = backup("domain", tmp_path, domain=personas.client1)
    refused_without_master(S.archive_contents, personas, base, archive_path=archive)

    call = call_allowed(S.archive_contents, actor=personas.postmaster, archive_path=archive)

    assert any(name == "Domains/client1.test/" for name, _ in call.result)
    call.audits_nothing("listing an archive changes nothing")
    call.marks_nothing("listing an archive changes nothing")


HELPERS = {
    "read_settings_file": "reads a file",
    "info_from_file": "converts account.info",
    "backup_entries": "names the entries of a backup kind",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []


def test_every_public_service_of_basedir_reload_is_tested():
    from basedir import reload

    helpers = {"read_settings_file": "reads a settings file for the restore and the cache reload",
               "info_from_file": "the account.info keys a reload keeps"}
    assert untested_services(reload, __file__, not_services=helpers) == []


def test_basedir_adopt(base, personas, jane):
    from basedir.adopt import basedir_adopt

    settings_file = paths.account_settings_file(jane)
    settings_file.write_text(settings_file.read_text().replace('"Jane Doe"', '"Jane Q. Doe"'))
    refused_without_master(basedir_adopt, personas, base, files=[paths.relative(settings_file)])

    call = call_allowed(basedir_adopt, actor=personas.postmaster, files=[paths.relative(settings_file)])

    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Q. Doe"
    call.audited(Event.BASEDIR_ADOPT, actor=personas.postmaster, object_name="Domains/client1.test/jane.macnt",
                 after={"Adopted": "account files",
                        "Differences": ['account.settings: RealName: file "Jane Q. Doe", database "Jane Doe"']})
    call.audited(Event.ACCOUNT_SETTINGS, actor=personas.postmaster, after={"RealName": "Jane Q. Doe"})
    call.audited(Event.ACCOUNT_CLEAR_CACHE, actor=personas.postmaster, object_name="jane@client1.test")
    call.marked_including((ACCOUNT, jane.pk))


def test_every_public_service_of_basedir_adopt_is_tested():
    from basedir import adopt

    helpers = {"classify": "says what a path of the base directory is, for the command's own checks"}
    assert untested_services(adopt, __file__, not_services=helpers) == []
