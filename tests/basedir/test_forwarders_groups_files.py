"""Forwarders and groups in the base directory where CommuniGate keeps them: the domain's
Settings/Forwarders.settings ({name = address;}, only while it has any) and one <name>.grp file a
group in the domain folder (its settings with Members). The exporter writes and removes them,
check knows them, and a domain restore brings them back through the services."""

from __future__ import annotations

from pathlib import Path

import pytest

from basedir.check import check
from basedir.export import drain, export_full
from basedir.services import backup_create, restore_domain
from cgadmin.dataformat import load_settings_file
from domains.selectors import find_domain
from domains.services import domain_delete
from forwarders.models import Forwarder
from forwarders.services import forwarder_create, forwarder_delete, forwarder_rename
from groups.models import Group
from groups.services import group_create, group_rename, group_set
from tests.factories import make_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def base(settings, tmp_path) -> Path:
    settings.CGATE_BASE = tmp_path / "CommuniGate"
    return settings.CGATE_BASE


def read(path: Path) -> dict:
    return load_settings_file(path.read_text(encoding="utf-8"))


def test_the_exporter_writes_renames_and_removes_them(base, postmaster, client1):
    export_full()
    folder = base / "Domains" / "client1.test"
    sales = forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    forwarder_create(actor=None, domain=client1, name="info", target="jane")
    team = group_create(actor=None, domain=client1, name="team",
                        settings={"RealName": "The Team", "Members": ["jane", "bob@remote.example"]})
    drain()

    assert read(folder / "Settings" / "Forwarders.settings") == {"info": "jane", "sales": "boss@remote.example"}
    assert read(folder / "team.grp") == {"Members": ["jane", "bob@remote.example"], "RealName": "The Team"}
    assert check() == []

    forwarder_rename(actor=None, forwarder=sales, new_name="shop")
    group_rename(actor=None, group=team, new_name="crew")
    drain()
    assert read(folder / "Settings" / "Forwarders.settings") == {"info": "jane", "shop": "boss@remote.example"}
    assert sorted(path.name for path in folder.glob("*.grp")) == ["crew.grp"]

    for forwarder in Forwarder.objects.all():
        forwarder_delete(actor=None, forwarder=forwarder)
    drain()
    assert not (folder / "Settings" / "Forwarders.settings").exists()
    assert check() == []


def test_check_finds_edited_and_stray_files(base, postmaster, client1):
    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})
    forwarder_create(actor=None, domain=client1, name="sales", target="x@y.test")
    export_full()
    folder = base / "Domains" / "client1.test"
    (folder / "team.grp").write_text('{Members = (someone);}\n', encoding="utf-8")
    (folder / "ghost.grp").write_text("{}\n", encoding="utf-8")

    found = {(difference.path, difference.problem) for difference in check()}

    assert ("Domains/client1.test/team.grp", "differs") in found
    assert ("Domains/client1.test/ghost.grp", "unexpected") in found


def test_a_domain_restore_brings_forwarders_and_groups_back(base, postmaster, client1, tmp_path):
    make_account(client1, "jane")
    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    group_create(actor=None, domain=client1, name="team", settings={"RealName": "Team", "Members": ["jane"]})
    export_full()
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=client1)
    domain_delete(actor=None, domain=client1, force=True)

    restore_domain(actor=None, archive_path=archive, name="client1.test", new_name=None)

    domain = find_domain("client1.test")
    assert Forwarder.objects.get(domain=domain).target == "boss@remote.example"
    group = Group.objects.get(domain=domain)
    assert (group.name, group.settings, group.members) == ("team", {"RealName": "Team"}, ["jane"])


def test_a_restore_sets_changed_groups_and_notes_a_name_now_taken(base, postmaster, client1, tmp_path):
    team = group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})
    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    export_full()
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=client1)
    group_set(actor=None, group=team, settings={"Members": ["ann"]})
    forwarder_delete(actor=None, forwarder=Forwarder.objects.get(name="sales"))
    make_account(client1, "sales")

    result = restore_domain(actor=None, archive_path=archive, name="client1.test", new_name=None)

    assert Group.objects.get(pk=team.pk).members == ["jane"]
    assert any("forwarder sales@client1.test not restored" in note for note in result.notes)
    assert not Forwarder.objects.exists()


def test_adopt_takes_edited_forwarders_and_group_files_through_the_services(base, postmaster, client1):
    from basedir.adopt import basedir_adopt
    from cgadmin.dataformat import dump_settings_file

    team = group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})
    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    forwarder_create(actor=None, domain=client1, name="old", target="x@remote.example")
    export_full()
    folder = base / "Domains" / "client1.test"
    (folder / "Settings" / "Forwarders.settings").write_text(
        dump_settings_file({"sales": "chief@remote.example", "info": "jane"}), encoding="utf-8")
    (folder / "team.grp").write_text(dump_settings_file({"RealName": "Team", "Members": ["ann"]}), encoding="utf-8")
    (folder / "board.grp").write_text(dump_settings_file({"Members": ["jane"]}), encoding="utf-8")

    result = basedir_adopt(actor=None)

    assert {adopted.what for adopted in result.adopted} == {"forwarders file", "group file"}
    assert dict(Forwarder.objects.values_list("name", "target")) == {"sales": "chief@remote.example", "info": "jane"}
    team.refresh_from_db()
    assert (team.settings, team.members) == ({"RealName": "Team"}, ["ann"])
    assert Group.objects.get(name="board").members == ["jane"]
    drain()
    assert check() == []


def test_adopt_refuses_a_group_file_whose_members_are_bad_and_adopts_nothing(base, postmaster, client1):
    from basedir.adopt import basedir_adopt
    from cgadmin.dataformat import dump_settings_file
    from cgadmin.errors import InvalidInput

    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})
    export_full()
    (base / "Domains" / "client1.test" / "team.grp").write_text(
        dump_settings_file({"Members": ["two words"]}), encoding="utf-8")

    with pytest.raises(InvalidInput, match="nothing was adopted"):
        basedir_adopt(actor=None)
    assert Group.objects.get(name="team").members == ["jane"]
