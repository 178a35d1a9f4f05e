"""lists.services called directly, as the personas of tests/conftest.py: lists are created, renamed
and removed under CanCreateLists (or AllDomains), managed by their owner or under CanAccessLists;
everyone else is refused with nothing written, and each change is audited and marked for the
lists exporter (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from cgadmin.errors import AccountExists, GeneralError, InvalidInput, ListExists, NotFound, UnknownAccount
from domains.services import domain_update_settings
from lists import selectors
from lists import services as S
from lists.models import MailingList, Subscriber
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db

HELPERS = {"parse_subscriber", "parse_posting_mode"}


def marks(personas):
    return ("lists", personas.client1.pk)


def with_record(personas):
    """The lists' folders and the domain's Central Directory unit (a list has a record there)."""
    return marks(personas), ("directory", "client1.test")


def test_list_create(personas, list_admin):
    call_refused(S.list_create, actor=personas.domain_admin_without_right, domain=personas.client1, name="news",
                 owner="user")
    call_refused(S.list_create, actor=personas.plain_user, domain=personas.client1, name="news", owner="user")
    call_refused(S.list_create, actor=personas.other_domain_admin, domain=personas.client1, name="news", owner="user")
    call_refused(S.list_create, error=UnknownAccount, actor=list_admin, domain=personas.client1, name="news",
                 owner="nobody")
    call_refused(S.list_create, error=AccountExists, actor=list_admin, domain=personas.client1, name="User",
                 owner="user")
    call_refused(S.list_create, error=InvalidInput, actor=list_admin, domain=personas.client1, name="no way",
                 owner="user")

    call = call_allowed(S.list_create, actor=list_admin, domain=personas.client1, name="News", owner="user")

    assert (call.result.name, call.result.owner.name) == ("news", "user")
    call.audited("list.create", actor=list_admin, object_name="news@client1.test", after={"Owner": "user"})
    call.marked(*with_record(personas))
    call_refused(S.list_create, error=ListExists, actor=list_admin, domain=personas.client1, name="news",
                 owner="user")


def test_the_domain_lists_limit_is_kept(personas):
    domain_update_settings(actor=None, domain=personas.client1, updates={"ListsLimit": "1"})
    personas.client1.refresh_from_db()
    first = call_allowed(S.list_create, actor=None, domain=personas.client1, name="one", owner="user")
    first.audited("list.create", actor=None, object_name="one@client1.test")
    first.marked(*with_record(personas))
    call_refused(S.list_create, error=GeneralError, actor=personas.postmaster, domain=personas.client1, name="two",
                 owner="user")


def test_list_rename(personas, list_admin, staff):
    call_refused(S.list_rename, actor=personas.plain_user, mailing_list=staff, new_name="crew")  # the owner may not
    call_refused(S.list_rename, error=AccountExists, actor=list_admin, mailing_list=staff, new_name="user")

    call = call_allowed(S.list_rename, actor=list_admin, mailing_list=staff, new_name="Crew")

    assert selectors.domain_list_names(personas.client1) == ["crew"]
    call.audited("list.rename", actor=list_admin, object_name="crew@client1.test", before={"Name": "staff"},
                 after={"Name": "crew"})
    call.marked(*with_record(personas))


def test_list_delete(personas, list_admin, staff):
    S.list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="a@remote.example")
    call_refused(S.list_delete, actor=personas.plain_user, mailing_list=staff)
    call_refused(S.list_delete, actor=personas.domains_read, mailing_list=staff)

    call = call_allowed(S.list_delete, actor=personas.all_domains, mailing_list=staff)

    assert not MailingList.objects.exists() and not Subscriber.objects.exists()
    call.audited("list.delete", actor=personas.all_domains, before={"Owner": "user", "Subscribers": 1})
    call.marked(*with_record(personas))


def test_list_update_settings(personas, list_admin, staff):
    call_refused(S.list_update_settings, actor=personas.domain_admin_without_right, mailing_list=staff,
                 updates={"Charset": "koi8-r"})
    call_refused(S.list_update_settings, error=InvalidInput, actor=personas.plain_user, mailing_list=staff,
                 updates={"Postings": "from martians"})

    owner = call_allowed(S.list_update_settings, actor=personas.plain_user, mailing_list=staff,
                         updates={"Charset": "koi8-r", "postings": "moderated", "X-Custom": "kept"})
    admin = call_allowed(S.list_update_settings, actor=list_admin, mailing_list=staff, updates={"Charset": None})

    settings = selectors.list_settings(MailingList.objects.get(pk=staff.pk))
    assert (settings["Charset"], settings["Postings"], settings["X-Custom"]) == ("utf-8", "moderated", "kept")
    owner.audited("list.settings", actor=personas.plain_user,
                  after={"Charset": "koi8-r", "Postings": "moderated", "X-Custom": "kept"})
    admin.audited("list.settings", actor=list_admin, before={"Charset": "koi8-r"}, after={"Charset": "default"})
    owner.marked(*with_record(personas))
    admin.marked(*with_record(personas))


def test_list_subscribe(personas, list_admin, staff):
    call_refused(S.list_subscribe, actor=personas.other_domain_admin, mailing_list=staff, operation="feed",
                 subscriber="a@remote.example")
    call_refused(S.list_subscribe, error=InvalidInput, actor=list_admin, mailing_list=staff, operation="feed",
                 subscriber="not an address")
    call_refused(S.list_subscribe, error=InvalidInput, actor=list_admin, mailing_list=staff, operation="jump",
                 subscriber="a@remote.example")
    call_refused(S.list_subscribe, error=NotFound, actor=list_admin, mailing_list=staff, operation="unsubscribe",
                 subscriber="a@remote.example")

    added = call_allowed(S.list_subscribe, actor=personas.plain_user, mailing_list=staff, operation="digest",
                         subscriber='"Ann Example" <Ann@Remote.Example>')
    pending = call_allowed(S.list_subscribe, actor=list_admin, mailing_list=staff, operation="subscribe",
                           subscriber="bob@remote.example", confirm=True)
    removed = call_allowed(S.list_subscribe, actor=list_admin, mailing_list=staff, operation="unsubscribe",
                           subscriber="ann@remote.example", silently=True)

    info = selectors.subscriber_info(staff, "bob@remote.example")
    assert info["mode"] == "subscribe" and info["confirmationID"] and info["posts"] == "0"
    assert MailingList.objects.get(pk=staff.pk).subscriber_count == 1
    added.audited("list.subscribe", actor=personas.plain_user, after={"ann@remote.example": {"mode": "digest"}})
    pending.audited("list.subscribe", actor=list_admin)
    removed.audited("list.unsubscribe", actor=list_admin, before={"ann@remote.example": {"mode": "digest"}})
    for call in (added, pending, removed):
        call.marked(marks(personas))


def test_list_set_posting_mode(personas, list_admin, staff):
    S.list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="Ann <ann@remote.example>")
    call_refused(S.list_set_posting_mode, actor=personas.domains_read, mailing_list=staff,
                 subscriber="ann@remote.example", mode="PROHIBITED")
    call_refused(S.list_set_posting_mode, error=NotFound, actor=list_admin, mailing_list=staff,
                 subscriber="bob@remote.example", mode="PROHIBITED")
    call_refused(S.list_set_posting_mode, error=InvalidInput, actor=list_admin, mailing_list=staff,
                 subscriber="ann@remote.example", mode="LOUDLY")

    moderated = call_allowed(S.list_set_posting_mode, actor=list_admin, mailing_list=staff,
                             subscriber="ann@remote.example", mode="3")
    assert selectors.subscriber_info(staff, "ann@remote.example")["posts"] == ["3"]
    prohibited = call_allowed(S.list_set_posting_mode, actor=personas.plain_user, mailing_list=staff,
                              subscriber="ann@remote.example", mode="prohibited")

    info = selectors.subscriber_info(staff, "ann@remote.example")
    assert (info["posts"], info["RealName"], info["mode"]) == ("prohibited", "Ann", "feed")
    moderated.audited("list.posting_mode", actor=list_admin,
                      after={"ann@remote.example": {"posting": "unmoderated", "moderated": 3}})
    prohibited.audited("list.posting_mode", actor=personas.plain_user,
                       after={"ann@remote.example": {"posting": "prohibited", "moderated": 0}})
    moderated.marked(marks(personas))
    prohibited.marked(marks(personas))


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []


def test_a_list_name_is_taken_in_the_domains_one_namespace(personas, staff):
    from accounts.services import account_create

    with pytest.raises(AccountExists):
        account_create(actor=None, domain=personas.client1, name="staff", password="x-secret-1")


def test_list_load(personas, list_admin, staff):
    files = {"Owner": "user", "Postings": "from anybody"}
    subscribers = {"ann@remote.example": {"mode": "digest", "posts": "3", "timeSubscribed": "20260101120000"},
                   "bob@remote.example": {"mode": "feed", "posts": ["2"], "RealName": "Bob"}}
    call_refused(S.list_load, actor=personas.domain_admin_without_right, domain=personas.client1, name="staff",
                 settings=files, subscribers=subscribers)
    call_refused(S.list_load, error=InvalidInput, actor=list_admin, domain=personas.client1, name="staff",
                 settings=files, subscribers={"x@remote.example": {"mode": "loud"}})

    call = call_allowed(S.list_load, actor=list_admin, domain=personas.client1, name="staff", settings=files,
                        subscribers=subscribers)

    assert selectors.list_settings(call.result)["Postings"] == "from anybody"
    assert selectors.subscriber_info(staff, "ann@remote.example")["posts"] == "3"
    assert selectors.subscriber_info(staff, "bob@remote.example")["posts"] == ["2"]
    call.audited("list.restore", actor=list_admin, after={"Owner": "user", "Subscribers": "2"})
    call.marked(*with_record(personas))
