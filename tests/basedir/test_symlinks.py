"""Symbolic links below the base directory's top-level folders, as a local user who could write one
folder plants them: the exporter, restore and the file helpers refuse them and never write where
they point; `basedir check` names each. A top-level folder itself may still be a link."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from accounts.models import Account
from accounts.services import mailbox_create
from basedir import nofollow, paths
from basedir.atomic import write_file_atomic
from basedir.check import check
from basedir.export import export_object
from basedir.files import FileBatch
from basedir.services import backup_create, restore_account
from cgadmin.errors import GeneralError
from tests import factories
from tests.basedir.tree import write_domain

pytestmark = pytest.mark.django_db


@pytest.fixture
def jane(base, client1) -> Account:
    account = factories.make_account(client1, "jane", RealName="Jane Doe")
    mailbox_create(actor=None, account=account, name="Sent")
    write_domain(client1)
    return account


@pytest.fixture
def victim(tmp_path) -> Path:
    """A root-only folder elsewhere, with a file an attacker would like appended to or replaced."""
    folder = tmp_path / "root-only"
    folder.mkdir(mode=0o700)
    (folder / "account.settings").write_text("root's own\n")
    return folder


def untouched(victim: Path) -> bool:
    return sorted(path.name for path in victim.iterdir()) == ["account.settings"] and \
        (victim / "account.settings").read_text() == "root's own\n"


def test_the_exporter_never_writes_through_a_linked_account_folder(base, jane, victim):
    folder = paths.account_path(jane)
    if folder.exists():
        shutil.rmtree(folder)
    folder.symlink_to(victim)

    assert export_object("account", str(jane.pk)) is False  # refused, logged, kept in the outbox

    assert untouched(victim)
    assert f"symbolic link: {folder.relative_to(base)}" in [str(difference) for difference in check()]


def test_the_exporter_never_writes_through_a_linked_domain_folder(base, client1, victim):
    folder = paths.domain_dir(client1)
    if folder.exists():
        shutil.rmtree(folder)
    folder.symlink_to(victim)

    assert export_object("domain", str(client1.pk)) is False

    assert untouched(victim)
    assert "symbolic link: Domains/client1.test" in [str(difference) for difference in check()]


def test_a_top_level_folder_moved_to_another_disk_stays_a_link_that_is_written_through(base, jane, tmp_path):
    other_disk = tmp_path / "other-disk" / "Domains"
    shutil.move(base / "Domains", other_disk)
    (base / "Domains").symlink_to(other_disk)

    assert export_object("account", str(jane.pk)) is True

    assert (other_disk / "client1.test" / "jane.macnt" / "account.settings").is_file()
    assert not [str(difference) for difference in check() if difference.problem == "symbolic link"]


def test_restore_refuses_a_link_on_the_way_and_undoes_everything(base, jane, tmp_path, victim):
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    domain_folder = paths.domain_dir(jane.domain)
    moved = tmp_path / "client1-moved"
    shutil.move(domain_folder, moved)
    domain_folder.symlink_to(victim)

    with pytest.raises(GeneralError, match="is a symbolic link below the base directory's top-level folders: "
                                           "nothing was restored"):
        restore_account(actor=None, archive_path=archive, account=jane)

    assert untouched(victim)


def test_the_file_helpers_refuse_a_link_anywhere_below_a_top_level_folder(base, victim):
    (base / "Settings" / "linked").symlink_to(victim)
    (base / "Settings" / "file.settings").symlink_to(victim / "account.settings")

    with pytest.raises(nofollow.SymlinkRefused):
        write_file_atomic(base / "Settings" / "linked" / "account.settings", b"attacker's\n")
    with pytest.raises(nofollow.SymlinkRefused):
        nofollow.open_file(base / "Settings" / "file.settings", os.O_WRONLY | os.O_APPEND)
    batch = FileBatch()
    with pytest.raises(nofollow.SymlinkRefused):
        batch.add(base / "Settings" / "linked" / "account.settings", b"attacker's\n")
    with pytest.raises(nofollow.SymlinkRefused):
        batch.new_folder(base / "Settings" / "linked" / "sub")

    assert untouched(victim)
    write_file_atomic(base / "Settings" / "file.settings", b"ours\n")  # the link itself is replaced, not followed
    assert (base / "Settings" / "file.settings").read_bytes() == b"ours\n" and untouched(victim)


def test_a_full_export_stops_at_a_link_with_a_message_naming_it(base, jane, victim):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    folder = paths.account_path(jane)
    if folder.exists():
        shutil.rmtree(folder)
    folder.symlink_to(victim)

    with pytest.raises(CommandError, match="symbolic link below the base directory's top-level folders: refused"):
        call_command("basedir", "export", "--full")

    assert untouched(victim)
