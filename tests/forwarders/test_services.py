"""forwarders.services called directly: CanCreateForwarders governs them, and a forwarder's name is
one of the domain's one namespace (accounts, aliases, forwarders, groups)."""

from __future__ import annotations

import pytest

from accounts.services import account_create, account_set_aliases
from basedir.outbox import DOMAIN
from cgadmin.errors import AccountExists, InvalidInput
from directory.export import OUTBOX_KIND as DIRECTORY
from forwarders import services as S
from forwarders.models import Forwarder
from groups.services import group_create
from logs.events import Event
from tests import factories
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(personas):
    return factories.make_domain_admin(personas.client1, "fwdadmin", "CanCreateForwarders")


@pytest.fixture
def sales(personas):
    return S.forwarder_create(actor=None, domain=personas.client1, name="sales", target="boss@remote.example")


def test_forwarder_create(personas, admin):
    p = personas
    call_refused(S.forwarder_create, actor=p.domain_admin_with_right, domain=p.client1, name="info", target="x@y.test")
    call_refused(S.forwarder_create, actor=p.other_domain_admin, domain=p.client1, name="info", target="x@y.test")
    call_refused(S.forwarder_create, actor=p.plain_user, domain=p.client1, name="info", target="x@y.test")

    call = call_allowed(S.forwarder_create, actor=admin, domain=p.client1, name="Info", target=" <x@y.test> ")

    forwarder = Forwarder.objects.get(domain=p.client1, name="info")
    assert forwarder.target == "x@y.test"
    call.audited(Event.FORWARDER_CREATE, actor=admin, object_name="info@client1.test",
                 after={"Name": "info", "Address": "x@y.test"})
    call.marked((DOMAIN, p.client1.pk), (DIRECTORY, "client1.test"))


def test_forwarder_rename(personas, admin, sales):
    call_refused(S.forwarder_rename, actor=personas.domain_admin_with_right, forwarder=sales, new_name="shop")

    call = call_allowed(S.forwarder_rename, actor=admin, forwarder=sales, new_name="shop@client1.test")

    assert Forwarder.objects.get(pk=sales.pk).name == "shop"
    call.audited(Event.FORWARDER_RENAME, actor=admin, object_name="shop@client1.test",
                 before={"Name": "sales@client1.test"}, after={"Name": "shop@client1.test"})
    call.marked((DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"))


def test_forwarder_delete(personas, admin, sales):
    call_refused(S.forwarder_delete, actor=personas.domain_admin_without_right, forwarder=sales)

    call = call_allowed(S.forwarder_delete, actor=admin, forwarder=sales)

    assert not Forwarder.objects.filter(pk=sales.pk).exists()
    call.audited(Event.FORWARDER_DELETE, actor=admin, object_name="sales@client1.test",
                 before={"Name": "sales", "Address": "boss@remote.example"})
    call.marked((DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"))


def test_one_namespace_a_domain(personas, sales):
    """An account, alias, forwarder or group name is taken once in its domain, whichever claims it."""
    p = personas
    jane = factories.make_account(p.client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["jj"])
    group_create(actor=None, domain=p.client1, name="team")
    for name in ("jane", "jj", "team", "sales"):
        call_refused(S.forwarder_create, error=AccountExists, actor=None, domain=p.client1, name=name,
                     target="a@b.test")
    for name in ("sales", "team"):
        call_refused(account_create, error=AccountExists, actor=None, domain=p.client1, name=name)
        call_refused(account_set_aliases, error=AccountExists, actor=None, account=jane, aliases=[name])
    call_refused(S.forwarder_rename, error=AccountExists, actor=None, forwarder=sales, new_name="jane")
    # the same names are free in another domain
    S.forwarder_create(actor=None, domain=p.client2, name="jane", target="a@b.test")


def test_bad_input_says_what_is_wrong(personas, sales):
    p = personas
    for target in ("", "two words@x.test", "a@", "@x.test", "info@client1.test", "INFO"):
        call_refused(S.forwarder_create, error=InvalidInput, actor=None, domain=p.client1, name="info", target=target)
    call_refused(S.forwarder_create, error=InvalidInput, actor=None, domain=p.client1, name="bad name", target="a@b.t")
    call_refused(S.forwarder_rename, error=InvalidInput, actor=None, forwarder=sales, new_name="sales@client2.test")


def test_every_service_is_tested():
    assert untested_services(S, __file__) == []
