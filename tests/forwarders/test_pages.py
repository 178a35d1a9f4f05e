"""A domain's Forwarders pages: the list paged by name with a filter, Create Forwarder under
CanCreateForwarders (the form's errors beside the field), each forwarder's rename and remove, the
link in the domain's strip, and the list's query count whatever its size."""

import pytest

from forwarders.models import Forwarder
from forwarders.services import forwarder_create
from tests.factories import make_account, make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db
DOMAIN_LIST = "/Domain/Domains/client1.test/{}"
LIST = "/Master/Users/Domains/client1.test/Forwarders"


def test_the_list_pages_by_name_and_filters(postmaster, client1, as_basic):
    for name in ("ann", "anna", "bert", "hannah", "zed"):
        forwarder_create(actor=None, domain=client1, name=name, target=f"{name}@remote.example")
    client = as_basic(postmaster)

    first = main_of(client.get(LIST, {"limit": 2}))
    assert ">ann<" in first and ">anna<" in first and ">bert<" not in first and "after=anna" in first
    assert "ann@remote.example" in first
    second = main_of(client.get(LIST, {"limit": 2, "after": "anna"}))
    assert ">bert<" in second and ">hannah<" in second and ">ann<" not in second
    filtered = main_of(client.get(LIST, {"filter": "ANN"}))
    assert ">hannah<" in filtered and ">bert<" not in filtered
    settings = main_of(client.get("/Master/Users/Domains/client1.test/Settings"))
    assert f'href="{LIST}"' in settings  # the domain's strip of pages links here


# HTTP Basic login (the credential cache re-reads the account), the domain, the page of forwarders, the server name.
FORWARDERS_PAGE_QUERIES = 4


@pytest.mark.parametrize("size", [2, 25])
def test_the_list_costs_the_same_queries_whatever_its_size(postmaster, client1, as_basic, size,
                                                            django_assert_num_queries):
    for index in range(30):
        forwarder_create(actor=None, domain=client1, name=f"f{index:02d}", target="x@remote.example")
    client = as_basic(postmaster)
    client.get(LIST)

    with django_assert_num_queries(FORWARDERS_PAGE_QUERIES):
        response = client.get(LIST, {"limit": size})

    assert main_of(response).count("/Forwarders/f") == size


def test_create_rename_remove_under_the_right(client1, as_basic):
    admin = make_domain_admin(client1, "fwdadmin", "CanCreateForwarders")
    client = as_basic(admin)
    mine = DOMAIN_LIST.format("Forwarders")  # the Domain WebAdmin a Domain Administrator uses

    assert client.post(mine, {"action": "create", "name": "Sales", "target": "boss@remote.example"}).status_code == 302
    assert Forwarder.objects.get(name="sales").target == "boss@remote.example"
    assert client.post(f"{mine}/sales", {"action": "rename", "new_name": "shop"}).status_code == 302
    asked = client.post(f"{mine}/shop", {"action": "remove"})
    assert asked.status_code == 200 and "Yes, remove shop@client1.test" in asked.content.decode()
    assert Forwarder.objects.exists()  # nothing removed before the box is ticked
    unticked = client.post(f"{mine}/shop", {"action": "remove", "confirming": "1"})
    assert unticked.status_code == 400 and Forwarder.objects.exists()
    assert client.post(f"{mine}/shop", {"action": "remove", "confirm": "on"}).status_code == 302
    assert not Forwarder.objects.exists()


def test_a_taken_name_is_shown_beside_the_field_and_nothing_changes(postmaster, client1, as_basic):
    make_account(client1, "jane")
    response = as_basic(postmaster).post(LIST, {"action": "create", "name": "jane", "target": "x@remote.example"})

    assert response.status_code == 400
    assert "already exists" in main_of(response)
    assert not Forwarder.objects.exists()


def test_without_the_right_the_list_is_read_only(client1, as_basic):
    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    client = as_basic(make_domain_admin(client1, "weak2"))
    mine = DOMAIN_LIST.format("Forwarders")

    page = main_of(client.get(mine))
    assert ">sales<" in page and "Create Forwarder" not in page
    assert client.post(mine, {"action": "create", "name": "x", "target": "y@remote.example"}).status_code == 403
    assert "Rename Forwarder" not in main_of(client.get(f"{mine}/sales"))
    assert not Forwarder.objects.filter(name="x").exists()


def test_german_and_russian_pages(postmaster, client1, as_basic):
    from accounts.services import account_update_prefs

    forwarder_create(actor=None, domain=client1, name="sales", target="boss@remote.example")
    for language, text in (("German", "Weiterleitung erstellen"), ("Russian", "Создать пересыльщика")):
        account_update_prefs(actor=None, account=postmaster, updates={"Language": language})
        assert text in main_of(as_basic(postmaster).get(LIST))
