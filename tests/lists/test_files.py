"""The lists' folders in the base directory: Lists/<name>.list/ in the domain's folder, with the
list's settings (Owner included) and its subscribers, rewritten after each change, moved with a
renamed domain, removed with a removed list."""

from __future__ import annotations

import pytest

from basedir.export import drain
from basedir.layout import ensure_layout
from basedir.models import ExportOutbox
from cgadmin.dataformat import load_settings_file
from domains.services import domain_rename
from lists.export import OUTBOX_KIND, drain_outbox
from lists.services import list_create, list_delete, list_rename, list_subscribe, list_update_settings
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(settings, tmp_path):
    settings.CGATE_BASE = tmp_path / "base"
    ensure_layout(settings.CGATE_BASE)
    return settings.CGATE_BASE


def read(path):
    return load_settings_file(path.read_text(encoding="utf-8"))


def test_a_lists_folder_holds_its_settings_and_subscribers(postmaster, client1, base):
    make_account(client1, "owner")
    drain()
    staff = list_create(actor=None, domain=client1, name="staff", owner="owner")
    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "moderated"})
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="Ann <ann@remote.example>")
    list_subscribe(actor=None, mailing_list=staff, operation="digest", subscriber="bob@remote.example")

    assert drain_outbox() == 1  # every change of the domain's lists, one export
    folder = base / "Domains" / "client1.test" / "Lists" / "staff.list"
    assert read(folder / "list.settings") == {"Owner": "owner", "Postings": "moderated"}
    subscribers = read(folder / "list.subscribers")
    assert sorted(subscribers) == ["ann@remote.example", "bob@remote.example"]
    assert subscribers["ann@remote.example"]["RealName"] == "Ann"
    assert subscribers["bob@remote.example"]["mode"] == "digest"
    assert not ExportOutbox.objects.filter(kind=OUTBOX_KIND).exists()


def test_renames_and_removals_follow(postmaster, client1, base):
    make_account(client1, "owner")
    drain()
    staff = list_create(actor=None, domain=client1, name="staff", owner="owner")
    list_create(actor=None, domain=client1, name="news", owner="owner")
    drain_outbox()
    list_rename(actor=None, mailing_list=staff, new_name="crew")
    drain_outbox()
    lists = base / "Domains" / "client1.test" / "Lists"
    assert sorted(path.name for path in lists.iterdir()) == ["crew.list", "news.list"]

    domain_rename(actor=None, domain=client1, new_name="renamed.test")
    drain()
    drain_outbox()
    assert sorted(path.name for path in (base / "Domains" / "renamed.test" / "Lists").iterdir()) == [
        "crew.list", "news.list"]
    staff.refresh_from_db()
    list_delete(actor=None, mailing_list=staff)
    drain_outbox()
    assert [path.name for path in (base / "Domains" / "renamed.test" / "Lists").iterdir()] == ["news.list"]


def test_a_domain_not_yet_written_keeps_its_mark(postmaster, client1, base):
    make_account(client1, "owner")
    list_create(actor=None, domain=client1, name="staff", owner="owner")

    assert drain_outbox() == 0  # the domain's folder comes first
    assert ExportOutbox.objects.filter(kind=OUTBOX_KIND).exists()
    drain()
    assert drain_outbox() == 1
    assert (base / "Domains" / "client1.test" / "Lists" / "staff.list" / "list.settings").exists()


def test_removing_the_owner_removes_its_lists_and_their_folders(postmaster, client1, base):
    from accounts.services import account_delete

    owner = make_account(client1, "owner")
    drain()
    list_create(actor=None, domain=client1, name="staff", owner="owner")
    drain_outbox()
    assert (base / "Domains" / "client1.test" / "Lists" / "staff.list").is_dir()

    account_delete(actor=None, account=owner)
    drain()
    drain_outbox()

    assert not (base / "Domains" / "client1.test" / "Lists" / "staff.list").exists()
