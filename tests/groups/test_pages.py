"""A domain's Groups pages: the list paged by name, Create Group under CanCreateGroups, the group's
Real Name and members editor (one address a line, errors beside the field), rename and remove, and
the list's query count whatever its size."""

import pytest

from groups.models import Group
from groups.services import group_create
from tests.factories import make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db
DOMAIN_LIST = "/Domain/Domains/client1.test/{}"
LIST = "/Master/Users/Domains/client1.test/Groups"


def test_the_list_shows_real_names_and_member_counts(postmaster, client1, as_basic):
    group_create(actor=None, domain=client1, name="team", settings={"RealName": "The Team", "Members": ["a", "b"]})
    group_create(actor=None, domain=client1, name="board")
    client = as_basic(postmaster)

    page = main_of(client.get(LIST))
    assert ">team<" in page and "The Team" in page and ">board<" in page
    assert ">board<" not in main_of(client.get(LIST, {"filter": "tea"}))
    assert f'href="{LIST}"' in main_of(client.get("/Master/Users/Domains/client1.test/Settings"))


# HTTP Basic login (the credential cache re-reads the account), the domain, the page of groups, the server name.
GROUPS_PAGE_QUERIES = 4


@pytest.mark.parametrize("size", [2, 25])
def test_the_list_costs_the_same_queries_whatever_its_size(postmaster, client1, as_basic, size,
                                                            django_assert_num_queries):
    for index in range(30):
        group_create(actor=None, domain=client1, name=f"g{index:02d}", settings={"Members": ["a"]})
    client = as_basic(postmaster)
    client.get(LIST)

    with django_assert_num_queries(GROUPS_PAGE_QUERIES):
        response = client.get(LIST, {"limit": size})

    assert main_of(response).count("/Groups/g") == size


def test_create_edit_members_rename_remove_under_the_right(client1, as_basic):
    admin = make_domain_admin(client1, "grpadmin", "CanCreateGroups")
    client = as_basic(admin)
    mine = DOMAIN_LIST.format("Groups")  # the Domain WebAdmin a Domain Administrator uses

    response = client.post(mine, {"action": "create", "name": "team", "real_name": "Team"})
    assert response.status_code == 302 and response["Location"].endswith("/Groups/team")
    response = client.post(f"{mine}/team", {"action": "update", "real_name": "The Team",
                                            "members": "jane\n\n far@remote.example \n"})
    assert response.status_code == 302
    group = Group.objects.get(name="team")
    assert (group.settings, group.members) == ({"RealName": "The Team"}, ["jane", "far@remote.example"])
    page = main_of(client.get(f"{mine}/team"))
    assert "far@remote.example" in page
    assert client.post(f"{mine}/team", {"action": "rename", "new_name": "crew"}).status_code == 302
    asked = client.post(f"{mine}/crew", {"action": "remove"})
    assert asked.status_code == 200 and "Yes, remove crew@client1.test" in main_of(asked)
    assert Group.objects.exists()  # nothing removed before the box is ticked
    assert client.post(f"{mine}/crew", {"action": "remove", "confirm": "on"}).status_code == 302
    assert not Group.objects.exists()


def test_a_bad_member_is_shown_beside_the_field_and_nothing_changes(postmaster, client1, as_basic):
    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})

    response = as_basic(postmaster).post(f"{LIST}/team", {"action": "update", "members": "two words\n"})

    assert response.status_code == 400 and "not an E-mail address" in main_of(response)
    assert Group.objects.get(name="team").members == ["jane"]


def test_without_the_right_members_are_shown_read_only(client1, as_basic):
    group_create(actor=None, domain=client1, name="team", settings={"Members": ["jane"]})
    client = as_basic(make_domain_admin(client1, "weak2"))
    mine = DOMAIN_LIST.format("Groups")

    page = main_of(client.get(f"{mine}/team"))
    assert "<li>jane</li>" in page and "Rename Group" not in page
    assert client.post(f"{mine}/team", {"action": "remove"}).status_code == 403
    assert Group.objects.exists()


def test_german_and_russian_pages(postmaster, client1, as_basic):
    from accounts.services import account_update_prefs

    for language, text in (("German", "Gruppe erstellen"), ("Russian", "Создать группу")):
        account_update_prefs(actor=None, account=postmaster, updates={"Language": language})
        assert text in main_of(as_basic(postmaster).get(LIST))
