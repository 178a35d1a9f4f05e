"""A domain's Mailing Lists pages: the lists paged by name with a filter and Create List under
CanCreateLists; each list's settings and subscribers (paged by address) managed under CanAccessLists,
rename and remove under CanCreateLists; the link in the domain's strip; query counts whatever the size."""

import pytest

from lists.models import MailingList, Subscriber
from lists.selectors import list_settings
from lists.services import list_create, list_subscribe
from tests.factories import make_account, make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db
MINE = "/Domain/Domains/client1.test/Lists"
LIST = "/Master/Users/Domains/client1.test/Lists"


@pytest.fixture
def owner(client1):
    return make_account(client1, "owner")


def test_the_lists_page_by_name_and_filter(postmaster, client1, owner, as_basic):
    for name in ("ann", "anna", "bert", "hannah", "zed"):
        list_create(actor=None, domain=client1, name=name, owner="owner")
    client = as_basic(postmaster)

    first = main_of(client.get(LIST, {"limit": 2}))
    assert ">ann<" in first and ">anna<" in first and ">bert<" not in first and "after=anna" in first
    second = main_of(client.get(LIST, {"limit": 2, "after": "anna"}))
    assert ">bert<" in second and ">hannah<" in second and ">ann<" not in second
    assert ">hannah<" in main_of(client.get(LIST, {"filter": "ANN"}))
    assert f'href="{LIST}"' in main_of(client.get("/Master/Users/Domains/client1.test/Settings"))


# HTTP Basic login (the credential cache re-reads the account), the domain, the page of lists with
# their owners, the server name.
LISTS_PAGE_QUERIES = 4
# ... and for one list: the list with its owner, the page of subscribers.
LIST_PAGE_QUERIES = 5


@pytest.mark.parametrize("size", [2, 25])
def test_the_pages_cost_the_same_queries_whatever_their_size(postmaster, client1, owner, as_basic, size,
                                                              django_assert_num_queries):
    for index in range(30):
        staff = list_create(actor=None, domain=client1, name=f"l{index:02d}", owner="owner")
    for index in range(30):
        list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber=f"s{index:02d}@remote.example")
    client = as_basic(postmaster)
    client.get(LIST)

    with django_assert_num_queries(LISTS_PAGE_QUERIES):
        lists = client.get(LIST, {"limit": size})
    with django_assert_num_queries(LIST_PAGE_QUERIES):
        subscribers = client.get(f"{LIST}/l29", {"limit": size})

    assert main_of(lists).count("/Lists/l") == size
    assert main_of(subscribers).count("@remote.example</td>") == size


def test_create_manage_rename_remove_under_the_rights(client1, owner, as_basic):
    admin = make_domain_admin(client1, "listadmin", "CanCreateLists", "CanAccessLists")
    client = as_basic(admin)

    assert client.post(MINE, {"action": "create", "name": "Staff", "owner": "owner"}).status_code == 302
    assert MailingList.objects.get().owner == owner
    page = f"{MINE}/staff"
    assert client.post(page, {"action": "subscribe", "address": "Ann <ann@remote.example>",
                              "mode": "digest"}).status_code == 302
    assert Subscriber.objects.get().mode == "digest"
    assert "ann@remote.example" in main_of(client.get(page))
    assert client.post(page, {"action": "settings", "real_name": "Staff", "subscribe": "nobody",
                              "postings": "moderated", "charset": "utf-8", "size_limit": "1M"}).status_code == 302
    settings = list_settings(MailingList.objects.get())
    assert (settings["Postings"], settings["Subscribe"], settings["SizeLimit"]) == ("moderated", "nobody", "1M")
    asked = client.post(page, {"action": "unsubscribe", "address": "ann@remote.example"})
    assert asked.status_code == 200 and "Yes, remove ann@remote.example from staff@client1.test" in main_of(asked)
    unticked = client.post(page, {"action": "unsubscribe", "address": "ann@remote.example", "confirming": "1"})
    assert unticked.status_code == 400 and "nothing was changed" in main_of(unticked)
    assert Subscriber.objects.exists()
    assert client.post(page, {"action": "unsubscribe", "address": "ann@remote.example",
                              "confirm": "on"}).status_code == 302
    assert not Subscriber.objects.exists()
    assert client.post(page, {"action": "rename", "new_name": "crew"}).status_code == 302
    asked = client.post(f"{MINE}/crew", {"action": "remove"})
    assert asked.status_code == 200 and "Yes, remove crew@client1.test" in main_of(asked)
    assert MailingList.objects.exists()  # nothing removed before the box is ticked
    assert client.post(f"{MINE}/crew", {"action": "remove", "confirm": "on"}).status_code == 302
    assert not MailingList.objects.exists()


def test_bad_input_is_shown_beside_the_field_and_nothing_changes(postmaster, client1, owner, as_basic):
    list_create(actor=None, domain=client1, name="staff", owner="owner")
    client = as_basic(postmaster)

    taken = client.post(LIST, {"action": "create", "name": "owner", "owner": "owner"})
    bad = client.post(f"{LIST}/staff", {"action": "subscribe", "address": "not an address", "mode": "feed"})

    assert taken.status_code == bad.status_code == 400
    assert "already exists" in main_of(taken) and "is not an E-mail address" in main_of(bad)
    assert MailingList.objects.count() == 1 and not Subscriber.objects.exists()


def test_without_the_rights_the_pages_are_read_only(client1, owner, as_basic):
    list_create(actor=None, domain=client1, name="staff", owner="owner")
    client = as_basic(make_domain_admin(client1, "weak2"))

    assert ">staff<" in main_of(client.get(MINE)) and "Create List" not in main_of(client.get(MINE))
    page = main_of(client.get(f"{MINE}/staff"))
    assert "Add Subscriber" not in page and "Rename List" not in page
    assert client.post(f"{MINE}/staff", {"action": "subscribe", "address": "a@remote.example",
                                         "mode": "feed"}).status_code == 403
    assert not Subscriber.objects.exists()


def test_german_and_russian_pages(postmaster, client1, owner, as_basic):
    from accounts.services import account_update_prefs

    list_create(actor=None, domain=client1, name="staff", owner="owner")
    for language, text in (("German", "Liste erstellen"), ("Russian", "Создать список")):
        account_update_prefs(actor=None, account=postmaster, updates={"Language": language})
        assert text in main_of(as_basic(postmaster).get(LIST))
