"""groups.services called directly: CanCreateGroups governs them; settings keep unknown keys,
Members is a checked list of addresses, and names share the domain's one namespace."""

from __future__ import annotations

import pytest

from accounts.services import account_create
from basedir.outbox import DOMAIN
from cgadmin.errors import AccountExists, InvalidInput
from directory.export import OUTBOX_KIND as DIRECTORY
from forwarders.services import forwarder_create
from groups import services as S
from groups.models import Group
from groups.selectors import group_settings
from logs.events import Event
from tests import factories
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return factories.make_domain_admin(personas.client1, "grpadmin", "CanCreateGroups")


@pytest.fixture
def team(personas):
    return S.group_create(actor=None, domain=personas.client1, name="team",
                          settings={"RealName": "The Team", "Members": ["jane", "bob@remote.example"]})


def test_group_create(personas, admin):
    p = personas
    settings = {"RealName": "Sales", "Members": ["ann", "x@y.test"], "RemoveToAndCc": "YES"}
    call_refused(S.group_create, actor=p.domain_admin_with_right, domain=p.client1, name="sales", settings=settings)
    call_refused(S.group_create, actor=p.other_domain_admin, domain=p.client1, name="sales", settings=settings)

    call = call_allowed(S.group_create, actor=admin, domain=p.client1, name="Sales", settings=settings)

    group = Group.objects.get(domain=p.client1, name="sales")
    assert (group.settings, group.members) == ({"RealName": "Sales", "RemoveToAndCc": "YES"}, ["ann", "x@y.test"])
    call.audited(Event.GROUP_CREATE, actor=admin, object_name="sales@client1.test", after=settings)
    call.marked((DOMAIN, p.client1.pk), (DIRECTORY, "client1.test"))


def test_group_set_replaces_settings_and_members(personas, admin, team):
    call_refused(S.group_set, actor=personas.domain_admin_with_right, group=team, settings={"Members": []})

    call = call_allowed(S.group_set, actor=admin, group=team, settings={"Members": ["ann"], "RealName": None})

    assert group_settings(Group.objects.get(pk=team.pk)) == {"Members": ["ann"]}
    call.audited(Event.GROUP_SET, actor=admin, object_name="team@client1.test",
                 before={"RealName": "The Team", "Members": ["jane", "bob@remote.example"]}, after={"Members": ["ann"]})
    call.marked((DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"))


def test_group_rename(personas, admin, team):
    call_refused(S.group_rename, actor=personas.plain_user, group=team, new_name="crew")

    call = call_allowed(S.group_rename, actor=admin, group=team, new_name="crew")

    assert Group.objects.get(pk=team.pk).name == "crew"
    call.audited(Event.GROUP_RENAME, actor=admin, object_name="crew@client1.test",
                 before={"Name": "team@client1.test"}, after={"Name": "crew@client1.test"})
    call.marked((DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"))


def test_group_delete(personas, admin, team):
    call_refused(S.group_delete, actor=personas.domain_admin_without_right, group=team)

    call = call_allowed(S.group_delete, actor=admin, group=team)

    assert not Group.objects.filter(pk=team.pk).exists()
    call.audited(Event.GROUP_DELETE, actor=admin, object_name="team@client1.test")
    call.marked((DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"))


def test_names_and_members_are_checked(personas, team):
    p = personas
    forwarder_create(actor=None, domain=p.client1, name="info", target="a@b.test")
    factories.make_account(p.client1, "jane")
    for name in ("jane", "info"):
        call_refused(S.group_create, error=AccountExists, actor=None, domain=p.client1, name=name)
    call_refused(S.group_rename, error=AccountExists, actor=None, group=team, new_name="info")
    call_refused(account_create, error=AccountExists, actor=None, domain=p.client1, name="team")
    for members in ("jane", ["a b"], ["x@y.test", "X@y.test"], ["team"], [["nested"]]):
        call_refused(S.group_set, error=InvalidInput, actor=None, group=team, settings={"Members": members})
    call_refused(S.group_set, error=InvalidInput, actor=None, group=team, settings={"RealName": ["not", "text"]})


def test_every_service_is_tested():
    assert untested_services(S, __file__) == []
