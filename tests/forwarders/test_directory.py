"""Forwarders and groups in the Central Directory: each has a record in its domain's unit (a group's
with its Real Name) that follows renames and removals, and a resync recreates them with the accounts'."""

import pytest

from directory.models import DirectoryRecord
from directory.sync import resync_domain
from forwarders.services import forwarder_create, forwarder_delete, forwarder_rename
from groups.services import group_create, group_delete, group_rename, group_set
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def records(domain) -> dict[str, tuple[str, str, bool]]:
    return {record.name: (record.real_name, record.email, record.account_id is not None)
            for record in DirectoryRecord.objects.filter(domain=domain)}


def test_records_follow_forwarders_and_groups(client1):
    make_account(client1, "jane")
    sales = forwarder_create(actor=None, domain=client1, name="sales", target="x@remote.example")
    team = group_create(actor=None, domain=client1, name="team", settings={"RealName": "The Team"})

    assert records(client1) == {"jane": ("", "jane@client1.test", True),
                                "sales": ("", "sales@client1.test", False),
                                "team": ("The Team", "team@client1.test", False)}

    forwarder_rename(actor=None, forwarder=sales, new_name="shop")
    group_rename(actor=None, group=team, new_name="crew")
    group_set(actor=None, group=team, settings={"RealName": "The Crew"})
    assert set(records(client1)) == {"jane", "shop", "crew"}
    assert records(client1)["crew"][0] == "The Crew"

    assert resync_domain(client1) == 3
    assert set(records(client1)) == {"jane", "shop", "crew"}

    forwarder_delete(actor=None, forwarder=sales)
    group_delete(actor=None, group=team)
    assert set(records(client1)) == {"jane"}
