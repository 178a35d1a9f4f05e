"""The Directory realm pages: units, browsing with paging by key, custom records, Access Rights."""

import pytest

from directory.models import DirectoryRecord
from directory.rules import current_rules
from directory.services import directory_access_update, directory_record_create
from logs.models import AuditEntry
from tests.factories import make_account
from tests.helpers import set_objects_per_page, set_separate_realms, table_rows

pytestmark = pytest.mark.django_db
UNITS = "/Master/Directory/Units"
BROWSE = "/Master/Directory/Browse"
ACCESS = "/Master/Directory/AccessRights"


def test_the_directory_right_opens_the_realm_and_other_rights_do_not(personas, as_basic):
    set_separate_realms(True)

    assert as_basic(personas.directory_admin).get("/Directory/Units").status_code == 200
    assert as_basic(personas.directory_admin).get("/Directory/Browse").status_code == 200
    assert as_basic(personas.directory_admin).get("/Directory/AccessRights").status_code == 200
    assert as_basic(personas.monitor).get("/Directory/Units").status_code == 403
    assert as_basic(personas.domain_admin_with_right).get("/Directory/Browse").status_code == 403


def test_units_lists_the_local_unit_and_each_domain_with_its_integration(postmaster, client1, client2, as_basic):
    from domains.services import domain_update_settings

    domain_update_settings(actor=None, domain=client2, updates={"CentralDirectory": "Don't Update"})

    page = as_basic(postmaster).get(UNITS).content.decode()

    assert "Local Unit" in page
    assert "Directory/Domains/client1.test.data" in page
    assert "client2.test</a></td><td>Don&#x27;t Update" in page
    assert "client1.test</a></td><td>Keep in Sync" in page


def test_units_are_paged_by_name_at_the_directory_realms_objects_per_page(postmaster, as_basic):
    from tests.factories import make_domain

    for name in ("a.test", "b.test", "c.test"):
        make_domain(name)
    set_objects_per_page(postmaster, "Users", 1)  # another realm's preference changes nothing here
    set_objects_per_page(postmaster, "Directory", 2)

    first = as_basic(postmaster).get(UNITS).content.decode()
    second = as_basic(postmaster).get(UNITS, {"after": "b.test"}).content.decode()

    assert len(table_rows(first)) == 1 + 2  # the Local Unit, then two domains
    assert ">a.test<" in first and ">b.test<" in first and ">c.test<" not in first
    assert "?after=b.test" in first
    assert len(table_rows(second)) == 2
    assert ">c.test<" in second and ">mail.example.test<" in second and ">a.test<" not in second


def test_browse_shows_a_units_records_and_pages_at_the_objects_per_page(postmaster, client1, as_basic):
    for name, real in (("ann", "Ann A"), ("bob", "Bob B"), ("cid", "Cid C")):
        make_account(client1, name, RealName=real)
    set_objects_per_page(postmaster, "Monitors", 1)
    set_objects_per_page(postmaster, "Directory", 2)

    first = as_basic(postmaster).get(BROWSE, {"unit": "client1.test"})
    page = first.content.decode()
    assert first.status_code == 200
    assert len(table_rows(page)) == 2
    assert "ann@client1.test" in page and "bob@client1.test" in page and "cid@client1.test" not in page
    cursor = first.context["page"].next.encode()

    second = as_basic(postmaster).get(BROWSE, {"unit": "client1.test", "after": cursor}).content.decode()
    assert "cid@client1.test" in second and "ann@client1.test" not in second
    set_objects_per_page(postmaster, "Directory", 3)
    every_unit = as_basic(postmaster).get(BROWSE).content.decode()
    assert len(table_rows(every_unit)) == 3


def test_browse_searches_by_prefix_of_name_real_name_or_email(postmaster, client1, client2, as_basic):
    make_account(client1, "jane", RealName="Doe Jane")
    make_account(client2, "john", RealName="Smith")
    make_account(client2, "mary", RealName="Doe Mary")

    def found(prefix, unit=""):
        response = as_basic(postmaster).get(BROWSE, {"q": prefix, "unit": unit})
        return sorted(record.values["Email"] for record in response.context["page"].records)

    assert found("J") == ["jane@client1.test", "john@client2.test"]
    assert found("doe") == ["jane@client1.test", "mary@client2.test"]
    assert found("doe", "client2.test") == ["mary@client2.test"]
    assert found("jane@CLIENT1") == ["jane@client1.test"]
    assert found("zzz") == []


def test_the_browse_page_costs_the_same_queries_for_few_and_many_records(
    postmaster, client1, as_basic, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_basic(postmaster)
    make_account(client1, "one")
    pages = [{"unit": "client1.test"}, {"unit": "_local"}, {}, {"q": "u"}]
    client.get(BROWSE, pages[0])  # warm what is cached once per process

    def queries(params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(BROWSE, params).status_code == 200
        return len(captured)

    few = [queries(params) for params in pages]
    for index in range(30):
        directory_record_create(actor=None, name=f"extra{index}", attributes={"room": str(index)})
        make_account(client1, f"user{index}", RealName=f"User {index}", title="x")
    for params, expected in zip(pages, few, strict=True):
        with django_assert_num_queries(expected):
            response = client.get(BROWSE, params)
        assert len(response.context["page"].records) >= 30 or params == {"q": "u"}


def test_an_unknown_unit_is_answered_404(postmaster, as_basic):
    response = as_basic(postmaster).get(BROWSE, {"unit": "nowhere.test"})

    assert response.status_code == 404
    assert "no directory unit named" in response.content.decode()


def test_custom_records_are_added_and_removed_in_the_local_unit(postmaster, as_basic):
    client = as_basic(postmaster)
    response = client.post(f"{BROWSE}?unit=_local", {
        "action": "add", "name": "Front Desk", "real_name": "Reception", "email": "desk@example.test",
        "attributes": "telephoneNumber = +1 555 0100\nroom = 101",
    })
    assert response.status_code == 302
    record = DirectoryRecord.objects.get(domain__isnull=True)
    assert (record.name, record.email, record.public) == (
        "Front Desk", "desk@example.test", {"telephoneNumber": "+1 555 0100", "room": "101"})
    assert AuditEntry.objects.filter(event="directory.record_create", object_name="Front Desk").exists()
    listed = client.get(BROWSE, {"unit": "_local"}).content.decode()
    assert "Front Desk" in listed and 'aria-label="Remove Front Desk"' in listed  # each row's button says whose

    asked = client.post(f"{BROWSE}?unit=_local", {"action": "remove", "name": "front desk"})
    assert asked.status_code == 200
    assert "Yes, remove the record front desk from the Local Unit" in asked.content.decode()
    assert DirectoryRecord.objects.filter(domain__isnull=True).exists()  # nothing removed before the answer
    response = client.post(f"{BROWSE}?unit=_local", {"action": "remove", "name": "front desk", "confirm": "on"})
    assert response.status_code == 302
    assert not DirectoryRecord.objects.filter(domain__isnull=True).exists()
    assert AuditEntry.objects.filter(event="directory.record_delete").exists()


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": ""}, "This field is required"),
        ({"name": "x", "email": "not an address"}, "is not an e-mail address"),
        ({"name": "x", "attributes": "no equals sign"}, "is not &#x27;name = value&#x27;"),
        ({"name": "x", "attributes": "Email = a@b"}, "has a field of its own"),
        ({"name": "x", "attributes": "9bad = 1"}, "is not an attribute name"),
    ],
)
def test_a_bad_custom_record_is_refused_with_a_message_and_nothing_is_added(postmaster, as_basic, fields, message):
    response = as_basic(postmaster).post(f"{BROWSE}?unit=_local", {"action": "add", **fields})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not DirectoryRecord.objects.filter(domain__isnull=True).exists()


def test_a_custom_record_name_is_taken_once(postmaster, as_basic):
    directory_record_create(actor=None, name="Desk")

    response = as_basic(postmaster).post(f"{BROWSE}?unit=_local", {"action": "add", "name": "DESK"})

    assert response.status_code == 400
    assert "already has a record named" in response.content.decode()


def test_records_cannot_be_added_to_a_domain_unit(postmaster, client1, as_basic):
    response = as_basic(postmaster).post(f"{BROWSE}?unit=client1.test", {"action": "add", "name": "x"})

    assert response.status_code == 400
    assert not DirectoryRecord.objects.filter(name="x").exists()


def test_access_rights_are_changed_on_their_page_with_an_audit_entry(postmaster, client1, as_basic):
    response = as_basic(postmaster).post(ACCESS, {
        "action": "rules",
        "unit": ["*", "client1.test", ""], "attributes": ["*", "Name, email", ""],
        "who": ["Administrators", "Domain users", "Anybody"],
    })

    assert response.status_code == 302
    assert [rule.to_value() for rule in current_rules()] == [
        {"Unit": "*", "Attributes": "*", "Who": "Administrators"},
        {"Unit": "client1.test", "Attributes": ["Name", "Email"], "Who": "Domain users"},
    ]
    entry = AuditEntry.objects.get(event="directory.access")
    assert entry.actor == postmaster and "Domain users" in entry.after
    page = as_basic(postmaster).get(ACCESS).content.decode()
    assert 'value="client1.test"' in page and 'value="Name, Email"' in page


def test_a_rule_is_removed_with_its_checkbox(postmaster, as_basic):
    as_basic(postmaster).post(ACCESS, {
        "action": "rules", "unit": ["*", "*"], "attributes": ["*", "Name"], "who": ["Administrators", "Anybody"],
        "remove": ["1"],
    })

    assert [rule.who for rule in current_rules()] == ["Administrators"]


@pytest.mark.parametrize(
    ("unit", "attributes", "who", "message"),
    [
        ("nowhere.test", "*", "Anybody", "unknown unit"),
        ("*", "", "Anybody", "Attributes must be"),
        ("*", "Name", "Everyone", "Who must be one of"),
        ("*", "bad name!", "Anybody", "is not an attribute name"),
    ],
)
def test_a_bad_rule_is_refused_and_the_rules_stay(postmaster, as_basic, unit, attributes, who, message):
    before = current_rules()

    response = as_basic(postmaster).post(ACCESS, {"action": "rules", "unit": [unit], "attributes": [attributes],
                                                   "who": [who]})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert current_rules() == before
    assert not AuditEntry.objects.filter(event="directory.access").exists()


def test_the_public_info_list_is_changed_on_the_access_page(postmaster, client1, as_basic):
    make_account(client1, "jane", title="Boss")

    response = as_basic(postmaster).post(ACCESS, {"action": "public_info", "public_info": "title\nroom\n"})

    assert response.status_code == 302
    assert DirectoryRecord.objects.get(domain=client1, name="jane").public == {"title": "Boss"}
    assert AuditEntry.objects.filter(event="directory.public_info").exists()
    response = as_basic(postmaster).post(ACCESS, {"action": "public_info", "public_info": "Email"})
    assert response.status_code == 400


def test_only_the_directory_right_changes_the_directory(personas):
    from cgadmin.errors import AccessDenied

    with pytest.raises(AccessDenied):
        directory_access_update(actor=personas.all_domains, rules=[])
    with pytest.raises(AccessDenied):
        directory_record_create(actor=personas.domain_admin_with_right, name="x")
    directory_record_create(actor=personas.directory_admin, name="x")


def test_browse_rows_link_to_their_accounts_for_those_who_may_open_the_users_realm(personas, as_basic):
    make_account(personas.client1, "ann", RealName="Ann A")
    directory_record_create(actor=None, name="printer")

    master = as_basic(personas.postmaster).get(BROWSE, {"q": "ann"}).content.decode()
    custom = as_basic(personas.postmaster).get(BROWSE, {"q": "printer"}).content.decode()
    set_separate_realms(True)
    directory_only = as_basic(personas.directory_admin).get("/Directory/Browse", {"q": "ann"}).content.decode()

    assert '<a href="/Master/Users/Domains/client1.test/Accounts/ann">ann</a>' in master
    assert "printer" in custom and "/Accounts/" not in custom  # a custom record mirrors no account
    assert "ann@client1.test" in directory_only and "/Accounts/ann" not in directory_only
