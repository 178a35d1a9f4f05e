"""Mailing lists in backups: a full export writes every list folder, check knows them (an edited
or stray list file is a difference), and a domain restore brings the lists back through list_load."""

from __future__ import annotations

from pathlib import Path

import pytest

from basedir.check import check
from basedir.export import export_full
from basedir.services import backup_create, restore_domain
from domains.selectors import find_domain
from domains.services import domain_delete
from lists.models import MailingList, Subscriber
from lists.services import list_create, list_set_posting_mode, list_subscribe, list_update_settings
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(settings, tmp_path) -> Path:
    settings.CGATE_BASE = tmp_path / "CommuniGate"
    return settings.CGATE_BASE


@pytest.fixture
def staff(client1):
    make_account(client1, "owner")
    staff = list_create(actor=None, domain=client1, name="staff", owner="owner")
    list_update_settings(actor=None, mailing_list=staff, updates={"Postings": "moderated", "X-Note": "kept"})
    list_subscribe(actor=None, mailing_list=staff, operation="digest", subscriber="Ann <ann@remote.example>")
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="bob@remote.example")
    list_set_posting_mode(actor=None, mailing_list=staff, subscriber="bob@remote.example", mode="2")
    return staff


def test_check_knows_list_folders(base, postmaster, client1, staff):
    export_full()
    assert check() == []
    folder = base / "Domains" / "client1.test" / "Lists"
    (folder / "staff.list" / "list.subscribers").write_text("{}\n", encoding="utf-8")
    (folder / "ghost.list").mkdir()

    found = {(difference.path, difference.problem) for difference in check()}

    assert ("Domains/client1.test/Lists/staff.list/list.subscribers", "differs") in found
    assert ("Domains/client1.test/Lists/ghost.list", "unexpected") in found


def test_a_domain_restore_brings_lists_back(base, postmaster, client1, staff, tmp_path):
    export_full()
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=client1)
    domain_delete(actor=None, domain=client1, force=True)
    assert not MailingList.objects.exists()

    result = restore_domain(actor=None, archive_path=archive, name="client1.test", new_name=None)

    restored = MailingList.objects.get(domain=find_domain("client1.test"))
    assert (restored.name, restored.owner.name, restored.subscriber_count) == ("staff", "owner", 2)
    assert restored.settings == {"Postings": "moderated", "X-Note": "kept"}
    ann = Subscriber.objects.get(address="ann@remote.example")
    bob = Subscriber.objects.get(address="bob@remote.example")
    assert (ann.mode, ann.real_name, bob.mode, bob.moderated_left) == ("digest", "Ann", "feed", 2)
    assert not [note for note in result.notes if "mailing list" in note]
