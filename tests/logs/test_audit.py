"""The audit trail: who changed what, from where, with before and after values; the Monitors page
with its filters and key paging, and the Domain Administrators' view of their own domains."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cgadmin import context
from domains.services import domain_update_settings
from logs.audit import Change as AuditChange
from logs.audit import audit, audit_many
from logs.changes import Change, audit_changes
from logs.events import Event
from logs.models import AuditEntry
from logs.selectors import AuditFilter, audit_page
from tests import factories
from tests.helpers import set_objects_per_page, set_separate_realms, table_rows

pytestmark = pytest.mark.django_db


def entries_of(response):
    return [(entry.event, entry.object_name) for entry in response.context["page"].entries]


def test_an_entry_says_who_from_where_what_and_the_values_before_and_after(postmaster, as_basic, client1):
    as_basic(postmaster).post("/Master/Monitors/LogSettings", {"KeepDays": "9"})
    with context.calling_from(context.CLI, "10.1.2.3"):
        domain_update_settings(actor=postmaster, domain=client1, updates={"WebBanner": "Hello"})
    domain_update_settings(actor=None, domain=client1, updates={"WebBanner": "Bye"})

    web, cli, shell = AuditEntry.objects.filter(event__in=["log.settings", "domain.settings"]).order_by("id")
    assert (web.actor_name, web.interface, web.client_address) == (postmaster.address, "WebAdmin", "127.0.0.1")
    assert (web.object_name, web.before, web.after) == ("Log", "{KeepDays=default;}", "{KeepDays=#9;}")
    assert (cli.interface, cli.client_address, cli.object_name, cli.domain_name) == (
        "CLI", "10.1.2.3", "client1.test", "client1.test",
    )
    assert (shell.actor_name, shell.interface, shell.before, shell.after) == (
        "(shell)", "shell", "{WebBanner=Hello;}", "{WebBanner=Bye;}",
    )


@pytest.fixture
def changes(personas):
    """Changes in client1, client2 and the sub-domain, by different administrators."""
    factories.make_account(personas.client1, "alice")
    factories.make_account(personas.client2, "bob")
    factories.make_account(personas.sub_domain, "carol")
    domain_update_settings(actor=personas.postmaster, domain=personas.client2, updates={"WebBanner": "two"})
    return personas


def test_the_monitors_page_filters_by_actor_event_object_domain_and_time(changes, as_basic):
    client = as_basic(changes.postmaster)
    url = "/Master/Monitors/Audit"

    by_actor = client.get(url, {"actor": changes.postmaster.address})
    by_event = client.get(url, {"event": "account.", "domain": "client2.test"})
    by_object = client.get(url, {"object_name": "ALICE@"})
    future = (timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    by_time = client.get(url, {"since": future})

    assert entries_of(by_actor) == [("domain.settings", "client2.test")]
    assert entries_of(by_event) == [("account.create", "bob@client2.test"), ("account.create", "admin@client2.test")]
    assert entries_of(by_object) == [("account.create", "alice@client1.test")]
    assert entries_of(by_time) == []
    assert client.get(url, {"since": "not a time"}).status_code == 400


def test_the_trail_pages_by_time_and_id_newest_first(postmaster, as_basic, django_assert_num_queries):
    stamp = timezone.now()
    for number in range(60):
        entry = audit(actor=None, event=Event.SKIN_STORE, object_type="test", object_name=f"object{number:02d}")
        AuditEntry.objects.filter(pk=entry.pk).update(time=stamp if number >= 30 else stamp - timedelta(minutes=1))
    client = as_basic(postmaster)
    client.get("/Master/Monitors/Audit")  # the first request fills the login caches (second factor)

    with django_assert_num_queries(3):  # login (Basic, cached) and page furniture 2, the entries 1
        first = client.get("/Master/Monitors/Audit", {"event": "skin."})
    second = client.get("/Master/Monitors/Audit", {"event": "skin.", "cursor": first.context["page"].next_cursor})

    names = [name for _, name in entries_of(first) + entries_of(second)]
    assert names == [f"object{number:02d}" for number in range(59, -1, -1)]
    assert second.context["page"].next_cursor is None
    assert client.get("/Master/Monitors/Audit", {"cursor": "garbage!"}).status_code == 400


def test_the_trail_shows_the_realms_objects_per_page(changes, as_basic):
    postmaster, admin = changes.postmaster, changes.domain_admin_with_right
    set_objects_per_page(postmaster, "Monitors", 3)
    set_objects_per_page(postmaster, "Users", 2)
    set_objects_per_page(admin, "Users", 1)

    monitors = as_basic(postmaster).get("/Master/Monitors/Audit")
    users = as_basic(postmaster).get("/Master/Users/Audit")
    domain = as_basic(admin).get("/Domain/Audit")
    older = as_basic(postmaster).get("/Master/Monitors/Audit", {"cursor": monitors.context["page"].next_cursor})

    assert len(table_rows(monitors.content.decode())) == 3 and 'rel="next"' in monitors.content.decode()
    assert len(table_rows(users.content.decode())) == 2
    assert len(table_rows(domain.content.decode())) == 1 and 'rel="next"' in domain.content.decode()
    assert len(table_rows(older.content.decode())) == 3
    assert not set(entries_of(older)) & set(entries_of(monitors))


def test_a_domain_administrator_sees_its_own_domains_only(changes, as_basic, django_assert_num_queries):
    admin = as_basic(changes.domain_admin_with_right)
    admin.get("/Domain/Audit")  # the first request fills the login caches (second factor)

    with django_assert_num_queries(3):
        own = admin.get("/Domain/Audit")
    other = admin.get("/Domain/Audit", {"domain": "client2.test"})
    parent = as_basic(changes.sub_domain_admin).get("/Domain/Audit")

    assert own.status_code == 200
    assert {entry.domain_name for entry in own.context["page"].entries} == {"client1.test"}
    assert ("account.create", "alice@client1.test") in entries_of(own)
    assert entries_of(other) == []
    parent_domains = {entry.domain_name for entry in parent.context["page"].entries}
    assert parent_domains == {"client1.test", "sub.client1-family.test"}
    assert admin.get("/Master/Monitors/Audit").status_code == 403
    set_separate_realms(True)
    assert admin.get("/Monitors/Audit").status_code == 403


def test_server_administrators_see_every_domain_in_the_users_realm_audit(changes, as_basic):
    page = as_basic(changes.postmaster).get("/Master/Users/Audit")

    domains = {entry.domain_name for entry in page.context["page"].entries}
    assert {"client1.test", "client2.test", "sub.client1-family.test"} <= domains
    assert "" not in domains


def test_the_selector_limits_a_domain_administrator_whatever_the_filters(changes):
    page = audit_page(changes.other_domain_admin, AuditFilter(domain="client1.test"))
    mine = audit_page(changes.other_domain_admin, AuditFilter())

    assert page.entries == []
    assert {entry.domain_name for entry in mine.entries} == {"client2.test"}
    assert audit_page(changes.plain_user, AuditFilter()).entries == []


def test_a_change_reads_as_one_line_per_setting_with_its_old_and_new_value():
    changes = audit_changes("{KeepDays=#9;Mode=All;Quota=100M;}", "{KeepDays=#12;Quota=100M;Banner=\"Hi there\";}")
    whole = audit_changes("Mail", "IMAP")
    unparsed = audit_changes("{broken", "")

    assert changes == [Change("Banner", None, "Hi there"), Change("KeepDays", "#9", "#12"), Change("Mode", "All", None)]
    assert whole == [Change("", "Mail", "IMAP")]
    assert unparsed == [Change("", "{broken", None)]
    assert audit_changes("{A=x;}", "{A=x;}") == []
    nested = audit_changes("{WebAdminPrefs={InterfaceType=Basic;Monitors={RefreshRate=10;};};}",
                           "{WebAdminPrefs={InterfaceType=Expert;Monitors={RefreshRate=10;};};}")
    assert nested == [Change("WebAdminPrefs.InterfaceType", "Basic", "Expert")]  # not both whole dictionaries
    assert audit_changes("{P={A=x;};}", "{P=y;}") == [Change("P", "{A=x;}", "y")]
    assert audit_changes("", "{Long=\"" + "y" * 500 + "\";}")[0].after.endswith("…")


def test_the_audit_trail_page_shows_the_changed_settings_not_the_raw_dictionaries(postmaster, as_basic, client1):
    domain_update_settings(actor=postmaster, domain=client1, updates={"WebBanner": "Hello"})
    domain_update_settings(actor=postmaster, domain=client1, updates={"WebBanner": "Bye"})

    page = as_basic(postmaster).get("/Master/Monitors/Audit", {"event": "domain.settings"}).content.decode()

    assert '<span class="key" translate="no">WebBanner</span>: <code>Hello</code>' in page
    assert "<code>Bye</code>" in page
    assert "{WebBanner=" not in page



def test_an_event_the_enum_does_not_list_is_refused_and_nothing_is_recorded(postmaster):
    """AuditEntry.event holds logs.events.Event codes only: the filters and reports know no other."""
    unknown: Any = "account.frobnicate"
    with pytest.raises(ValueError, match=r"unknown audit event 'account\.frobnicate'"):
        audit(actor=postmaster, event=unknown, object_type="account", object_name="x")
    with pytest.raises(ValueError, match=r"unknown audit event 'account\.frobnicate'"):
        audit_many(actor=postmaster, changes=[
            AuditChange(Event.ACCOUNT_CREATE, "account", "a"), AuditChange(unknown, "account", "b")])

    assert not AuditEntry.objects.filter(object_name__in=["x", "a", "b"]).exists()
    listed: Any = "skin.store"  # a listed code given as text is taken
    assert audit(actor=postmaster, event=listed, object_type="skin", object_name="c").event == Event.SKIN_STORE
