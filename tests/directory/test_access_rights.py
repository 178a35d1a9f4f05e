"""The Directory Access Rights decide what every reader sees, in the search API and the pages."""

import pytest
from django.test import Client

from accounts.services import account_set_aliases
from directory.services import directory_access_update, directory_public_info_update, directory_record_create
from domains.services import domain_delete, domain_rename
from tests.factories import make_account

pytestmark = pytest.mark.django_db
API = "/api/directory/search"


@pytest.fixture
def people(personas):
    jane = make_account(personas.client1, "jane", RealName="Jane Doe", title="Engineer")
    account_set_aliases(actor=None, account=jane, aliases=["jd"])
    make_account(personas.client2, "john", RealName="John Roe")
    directory_public_info_update(actor=None, names=["title"])
    return personas


def _search(client, **params):
    response = client.get(API, params)
    assert response.status_code == 200, response.content
    return response.json()


def _rules(*rules):
    directory_access_update(actor=None, rules=[{"Unit": unit, "Attributes": attributes, "Who": who}
                                               for unit, attributes, who in rules])


def test_by_default_nobody_anonymous_reads_anything(people):
    assert _search(Client(), q="j")["records"] == []


def test_by_default_accounts_read_names_and_addresses_and_administrators_everything(people, as_basic):
    user = _search(as_basic(people.plain_user), q="jane")["records"]
    admin = _search(as_basic(people.directory_admin), q="jane")["records"]

    assert user == [{"unit": "client1.test", "Name": "jane", "RealName": "Jane Doe", "Email": "jane@client1.test",
                     "Domain": "client1.test"}]
    assert admin == [{**user[0], "Aliases": ["jd"], "title": "Engineer"}]


def test_anybody_rules_open_attributes_to_anonymous_readers(people):
    _rules(("*", ["Name"], "Anybody"))

    assert _search(Client(), q="j")["records"] == [
        {"unit": "client1.test", "Name": "jane"}, {"unit": "client2.test", "Name": "john"}]


def test_a_search_never_matches_an_attribute_the_reader_may_not_read(people):
    _rules(("*", ["Name"], "Anybody"))

    assert _search(Client(), q="jane@")["records"] == []  # e-mail prefixes need the Email attribute
    assert _search(Client(), q="Jane Doe")["records"] == []  # real names need RealName


def test_domain_users_read_their_own_domains_unit_only(people, as_basic):
    _rules(("*", "*", "Domain users"))

    records = _search(as_basic(people.plain_user), q="j")["records"]

    assert [record["Email"] for record in records] == ["jane@client1.test"]


def test_a_rule_for_one_unit_grants_nothing_elsewhere(people, as_basic):
    _rules(("client2.test", ["Name", "Email"], "Authenticated"))

    records = _search(as_basic(people.plain_user), q="j")["records"]

    assert records == [{"unit": "client2.test", "Name": "john", "Email": "john@client2.test"}]


def test_domain_administrators_count_as_administrators_of_their_own_units(people, as_basic):
    _rules(("*", ["Name"], "Authenticated"), ("*", "*", "Administrators"))

    records = _search(as_basic(people.domain_admin_without_right), q="j")["records"]

    assert records[0]["title"] == "Engineer"  # client1.test: its own domain
    assert records[1] == {"unit": "client2.test", "Name": "john"}  # another domain: names only


def test_the_local_unit_is_a_unit_of_its_own(people, as_basic):
    directory_record_create(actor=None, name="desk", email="desk@example.test")
    _rules(("_local", ["Name", "Email"], "Authenticated"))

    assert _search(as_basic(people.plain_user), q="d")["records"] == [
        {"unit": "_local", "Name": "desk", "Email": "desk@example.test"}]


def test_the_rules_apply_to_the_realm_pages_too(people, as_basic):
    _rules(("*", ["Name"], "Administrators"))

    page = as_basic(people.postmaster).get("/Master/Directory/Browse", {"unit": "client1.test"})

    assert ">jane<" in page.content.decode()
    assert "jane@client1.test" not in page.content.decode()


def test_rules_follow_a_renamed_domain_and_go_with_a_removed_one(people):
    from directory.rules import current_rules

    _rules(("client1.test", ["Name"], "Anybody"), ("client2.test", ["Name"], "Anybody"))

    domain_rename(actor=None, domain=people.client1, new_name="renamed.test")
    domain_delete(actor=None, domain=people.client2, force=True)

    assert [rule.unit for rule in current_rules()] == ["renamed.test"]
    assert _search(Client(), q="jane")["records"] == [{"unit": "renamed.test", "Name": "jane"}]


def test_api_pages_by_key_with_a_cursor(people, as_basic):
    for name in ("jack", "jill", "joe"):
        make_account(people.client2, name)
    client = as_basic(people.postmaster)

    seen, after = [], None
    while True:
        answer = _search(client, q="j", limit=2, **({"after": after} if after else {}))
        seen += [record["Email"] for record in answer["records"]]
        after = answer["next"]
        if after is None:
            break

    assert seen == ["jack@client2.test", "jane@client1.test", "jill@client2.test", "joe@client2.test",
                    "john@client2.test"]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"unit": "nowhere.test"}, 404, "unknown directory unit"),
        ({"after": "garbage"}, 400, "not a page position"),
        ({"limit": "many"}, 400, "limit must be a number"),
    ],
)
def test_bad_api_input_is_answered_with_what_is_wrong(people, params, status, message):
    response = Client().get(API, params)

    assert response.status_code == status
    assert message in response.json()["error"]
