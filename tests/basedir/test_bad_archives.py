"""Archives a restore must refuse whole: nothing is half-restored, nothing outside its place written."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Account
from basedir.services import backup_create, restore_account
from cgadmin.errors import InvalidInput
from logs.models import AuditEntry
from tests import factories
from tests.basedir.tree import snapshot, write_domain

PREFIX = "Domains/client1.test/jane.macnt"


@pytest.fixture
def jane(base, client1) -> Account:
    account = factories.make_account(client1, "jane", RealName="Jane Doe")
    write_domain(client1)
    return account


@pytest.fixture
def good(jane, tmp_path) -> Path:
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    return archive


def rebuilt(good: Path, target: Path, extra: list[tarfile.TarInfo], data: dict[str, bytes] | None = None) -> Path:
    """The good archive's members, then the extra ones (files get `data` or b'x')."""
    with tarfile.open(good) as source, tarfile.open(target, "w:gz") as tar:
        for member in source.getmembers():
            content = (data or {}).get(member.name)
            if content is not None:
                member.size = len(content)
                tar.addfile(member, io.BytesIO(content))
            else:
                tar.addfile(member, source.extractfile(member) if member.isfile() else None)
        for member in extra:
            body = b"x" if member.isfile() else None
            if body is not None:
                member.size = len(body)
            tar.addfile(member, io.BytesIO(body) if body is not None else None)
    return target


def member(name: str, kind: bytes = tarfile.REGTYPE, linkname: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, linkname
    return info


@pytest.fixture
def unchanged(base, jane, tmp_path):
    """The tree and the audit trail as they were before the refused restore."""
    (base.parent / "outside").mkdir()
    before, audits = snapshot(base), AuditEntry.objects.count()
    yield
    assert snapshot(base) == before
    assert AuditEntry.objects.count() == audits
    assert list((base.parent / "outside").iterdir()) == []


@pytest.mark.parametrize(("extra", "message"), [
    (member(f"{PREFIX}/../../../../outside/evil"), "with '..'"),
    (member("../outside/evil"), "with '..'"),
    (member("/tmp/evil-absolute"), "an absolute path"),
    (member(f"{PREFIX}/link", tarfile.SYMTYPE, "/etc/passwd"), "is a symbolic link"),
    (member(f"{PREFIX}/hard", tarfile.LNKTYPE, f"{PREFIX}/account.settings"), "is a hard link"),
    (member(f"{PREFIX}/dev", tarfile.CHRTYPE), "is a device file"),
    (member(f"{PREFIX}/fifo", tarfile.FIFOTYPE), "is a FIFO"),
    (member(f"{PREFIX}/account.prefs"), "twice"),
])
def test_dangerous_members_refuse_the_whole_archive(good, tmp_path, jane, unchanged, extra, message):
    bad = rebuilt(good, tmp_path / "bad.tar.gz", [extra])
    with pytest.raises(InvalidInput, match=message):
        restore_account(actor=None, archive_path=bad, account=jane)


def test_a_truncated_archive_is_refused(good, tmp_path, jane, unchanged):
    data = good.read_bytes()
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(InvalidInput, match=r"damaged or truncated.*nothing was restored"):
        restore_account(actor=None, archive_path=cut, account=jane)


def test_a_file_that_is_not_an_archive_is_refused(tmp_path, jane, unchanged):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not a tar file at all" * 100)
    with pytest.raises(CommandError, match="damaged or truncated"):
        call_command("restore", str(junk), "account", "jane@client1.test")


def test_a_settings_file_that_does_not_parse_is_refused(good, tmp_path, jane, unchanged):
    bad = rebuilt(good, tmp_path / "bad.tar.gz", [], {f"{PREFIX}/account.settings": b"{RealName = \"oops;\n"})
    with pytest.raises(InvalidInput, match=f"{PREFIX}/account.settings in the archive does not parse"):
        restore_account(actor=None, archive_path=bad, account=jane)


def test_a_value_the_catalogue_refuses_is_undone_after_the_files_moved(good, tmp_path, jane, unchanged):
    bad = rebuilt(good, tmp_path / "bad.tar.gz", [], {f"{PREFIX}/account.settings": b"{MaxAccountSize = lots;}\n"})
    with pytest.raises(InvalidInput, match="MaxAccountSize"):
        restore_account(actor=None, archive_path=bad, account=jane)
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Doe"


def test_a_missing_archive_is_a_clear_error(tmp_path, jane):
    with pytest.raises(CommandError, match="no archive at"):
        call_command("restore", str(tmp_path / "nothing.tar.gz"), "account", "jane@client1.test")


def test_an_archive_made_by_tar_itself_restores(base, jane, tmp_path):
    import subprocess

    from basedir import paths

    archive = tmp_path / "tar.tar.gz"
    subprocess.run(["tar", "czf", str(archive), "-C", str(base), "."], check=True)
    inbox = paths.account_path(jane) / "INBOX.mbox"
    saved = inbox.read_bytes()
    inbox.write_text("")

    restore_account(actor=None, archive_path=archive, account=jane)

    assert inbox.read_bytes() == saved
