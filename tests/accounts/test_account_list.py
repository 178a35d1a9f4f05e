"""The Accounts list (issue 17 item 7): storage against the quota, the number of matches, Last page
and jump-to-letter by key, real names in the filter, Create Account with real name and aliases."""

from __future__ import annotations

import pytest

from accounts.models import Account
from tests.factories import make_account
from tests.helpers import set_objects_per_page
from tests.webforms import main_of

pytestmark = pytest.mark.django_db

URL = "/Master/Users/Domains/client1.test/Accounts"


@pytest.fixture
def admin(postmaster, expert):
    return expert(postmaster)


def test_the_filter_finds_real_names_and_says_how_many_match(admin, client1, as_basic):
    make_account(client1, "ivan", RealName="Иван Петров")
    make_account(client1, "petr", RealName="Пётр Иванов")
    make_account(client1, "jane", RealName="Jane Doe", AccessModes="All")
    make_account(client1, "alltogether")

    page = main_of(as_basic(admin).get(URL, {"filter": "Иван"}))
    assert "/Accounts/ivan" in page and "/Accounts/petr" in page and "/Accounts/jane" not in page
    assert "1-2 of 2" in page

    page = main_of(as_basic(admin).get(URL, {"filter": "all"}))  # a setting's value is no real name
    assert "/Accounts/alltogether" in page and "/Accounts/jane" not in page and "1-1 of 1" in page


def test_the_range_follows_the_pages_and_last_and_letters_page_by_key(admin, client1, as_basic):
    for name in ("anna", "bob", "carl", "dora", "emil", "jane", "joe"):
        make_account(client1, name)
    set_objects_per_page(admin, "Users", 3)
    client = as_basic(admin)

    first = main_of(client.get(URL))
    assert "1-3 of 7" in first and "/Accounts/carl" in first and "/Accounts/dora" not in first
    second = main_of(client.get(URL, {"limit": 3, "after": "carl", "at": 3}))
    assert "4-6 of 7" in second and "/Accounts/dora" in second and "/Accounts/jane" in second
    assert "at=6" in second and "at=0" in second  # next and previous keep the count going

    last = main_of(client.get(URL, {"limit": 3, "before": "\U0010ffff"}))
    assert "/Accounts/emil" in last and "/Accounts/joe" in last and "/Accounts/dora" not in last
    assert "5-7 of 7" in last and "at=1" in last  # the last page knows its place from the count

    letter_j = main_of(client.get(URL, {"limit": 3, "after": "i\U0010ffff"}))
    assert "/Accounts/jane" in letter_j and "/Accounts/joe" in letter_j and "/Accounts/emil" not in letter_j


def test_the_list_shows_storage_against_the_quota(admin, client1, as_basic):
    make_account(client1, "small", MaxAccountSize="1M")
    make_account(client1, "free")

    page = main_of(as_basic(admin).get(URL))

    assert '<meter min="0" max="1048576" value="0"' in page
    assert "0\xa0bytes, no quota" in page and "never" in page


def test_create_account_takes_real_name_password_and_aliases_at_once(admin, client1, as_basic):
    response = as_basic(admin).post(URL, {"action": "create", "name": "ivan", "kind": "MultiMailbox",
                                          "real_name": "Иван Петров", "password": "s3cret-pass",
                                          "aliases": "i.petrov, vanya"})

    assert response.status_code == 302
    ivan = Account.objects.get(domain=client1, name="ivan")
    assert ivan.settings["RealName"] == "Иван Петров"
    assert sorted(ivan.aliases.values_list("name", flat=True)) == ["i.petrov", "vanya"]


def test_a_clashing_alias_creates_nothing(admin, client1, as_basic):
    make_account(client1, "vanya")

    response = as_basic(admin).post(URL, {"action": "create", "name": "ivan", "kind": "MultiMailbox",
                                          "aliases": "vanya"})

    assert response.status_code == 400 and 'role="alert"' in main_of(response)
    assert not Account.objects.filter(name="ivan").exists()


def test_bulk_actions_ask_first_then_call_the_service_for_each_account(admin, client1, as_basic):
    from logs.models import AuditEntry

    for name in ("anna", "bob", "carl"):
        make_account(client1, name)
    client = as_basic(admin)
    data = {"action": "bulk", "bulk": "suspend", "select": ["anna", "bob"]}

    asked = client.post(URL, data)
    unticked = client.post(URL, {**data, "confirming": "1"})
    assert asked.status_code == 200 and "anna@client1.test" in main_of(asked) and "bob@client1.test" in main_of(asked)
    assert unticked.status_code == 400 and 'role="alert"' in main_of(unticked)
    assert not Account.objects.filter(settings__contains="AccessModes").exists()  # nothing without the box

    assert client.post(URL, {**data, "confirm": "on"}).status_code == 302
    assert {a.name: a.settings.get("AccessModes") for a in Account.objects.filter(domain=client1)} == {
        "anna": "None", "bob": "None", "carl": None}
    audited = AuditEntry.objects.filter(event="account.settings", actor=admin).values_list("object_name", flat=True)
    assert sorted(audited) == ["anna@client1.test", "bob@client1.test"]  # one audited change an account

    client.post(URL, {"action": "bulk", "bulk": "enable", "select": ["anna"], "confirm": "on"})
    client.post(URL, {"action": "bulk", "bulk": "set", "setting": "MaxAccountSize", "value": "100M",
                      "select": ["bob", "carl"], "confirm": "on"})
    assert {a.name: a.settings for a in Account.objects.filter(domain=client1)} == {
        "anna": {}, "bob": {"AccessModes": "None", "MaxAccountSize": "100M"}, "carl": {"MaxAccountSize": "100M"}}

    client.post(URL, {"action": "bulk", "bulk": "remove", "select": ["anna", "carl"], "confirm": "on"})
    assert list(Account.objects.filter(domain=client1).values_list("name", flat=True)) == ["bob"]


def test_bulk_actions_are_refused_account_by_account_without_the_right(client1, as_basic):
    from tests.factories import make_domain_admin

    make_account(client1, "anna")
    reader = make_domain_admin(client1, "boss")  # no CanCreateAccounts: may not remove

    response = as_basic(reader).post("/Domain/Domains/client1.test/Accounts",
                                     {"action": "bulk", "bulk": "remove", "select": ["anna"], "confirm": "on"},
                                     follow=True)

    assert Account.objects.filter(name="anna").exists()
    assert "anna:" in main_of(response)


# --- sorting (key paging on (value, name)) -------------------------------------------------------

STORAGE = {"anna": 300, "bob": 100, "carl": 300, "dora": 0, "emil": 100, "jane": 0, "joe": 500}


def _names(page: str) -> list[str]:
    import re

    return re.findall(r'<td><a href="/Master/Users/Domains/client1\.test/Accounts/([a-z]+)">', page)


def _link(page: str, rel_or_text: str) -> str:
    import html
    import re

    found = re.search(r'<a href="([^"]*)"(?: rel="[a-z]+")?>' + rel_or_text + "</a>", page)
    assert found, rel_or_text
    return html.unescape(found.group(1))


@pytest.fixture
def stored(client1):
    from accounts.usage import add_storage

    accounts = {name: make_account(client1, name) for name in STORAGE}
    add_storage({accounts[name].pk: size for name, size in STORAGE.items()})
    return accounts


def test_storage_sorts_largest_first_pages_by_key_and_breaks_ties_by_name(admin, stored, as_basic):
    client = as_basic(admin)

    first = main_of(client.get(URL, {"sort": "-storage", "limit": 3}))
    assert _names(first) == ["joe", "carl", "anna"]  # ties (300) by name, in the same direction
    assert "after=300%7Canna" in first and 'aria-sort="descending"' in first
    assert "Jump to a letter" not in first  # letters only make sense in name order
    second = main_of(client.get(URL + _link(first, "Next")))
    assert _names(second) == ["emil", "bob", "jane"] and "4-6 of 7" in second
    third = main_of(client.get(URL + _link(second, "Next")))
    assert _names(third) == ["dora"] and "7-7 of 7" in third and 'rel="next"' not in third
    back = main_of(client.get(URL + _link(third, "Previous")))
    assert _names(back) == ["emil", "bob", "jane"] and "4-6 of 7" in back

    last = main_of(client.get(URL + _link(first, "Last")))
    assert _names(last) == ["bob", "jane", "dora"] and "5-7 of 7" in last
    before_last = main_of(client.get(URL + _link(last, "Previous")))  # the three before bob: keys, not pages
    assert _names(before_last) == ["carl", "anna", "emil"] and "2-4 of 7" in before_last

    smallest = main_of(client.get(URL + _link(first, "Storage")))  # the header again: the other direction
    assert _names(smallest) == ["dora", "jane", "bob"] and 'aria-sort="ascending"' in smallest


def test_the_filter_applies_in_every_order(admin, stored, as_basic):
    client = as_basic(admin)

    page = main_of(client.get(URL, {"sort": "-storage", "limit": 3, "filter": "a"}))
    assert _names(page) == ["carl", "anna", "jane"] and "1-3 of 4" in page
    assert 'name="sort" value="-storage"' in page  # the filter form keeps the order
    assert _names(main_of(client.get(URL + _link(page, "Next")))) == ["dora"]
    by_name = main_of(client.get(URL + _link(page, "Account")))
    assert _names(by_name) == ["anna", "carl", "dora"] and "sort=" not in _link(page, "Account")


def test_last_login_sorts_most_recent_first_and_never_last(admin, client1, as_basic):
    import datetime

    from accounts.usage import follow_info

    for name, day in (("anna", 3), ("bob", None), ("carl", 5), ("dora", 3), ("emil", None)):
        account = make_account(client1, name)
        if day:
            follow_info(account, {"LastLogin": datetime.datetime(2026, 12, day, 10, 0)})
    client = as_basic(admin)

    recent = main_of(client.get(URL, {"sort": "-login", "limit": 3}))
    assert _names(recent) == ["carl", "dora", "anna"] and "2026-12-05 10:00" in recent
    rest = main_of(client.get(URL + _link(recent, "Next")))
    assert _names(rest) == ["emil", "bob"] and "never" in rest
    oldest = main_of(client.get(URL, {"sort": "login", "limit": 3}))
    assert _names(oldest) == ["bob", "emil", "anna"]
    assert _names(main_of(client.get(URL + _link(oldest, "Next")))) == ["dora", "carl"]
    assert _names(main_of(client.get(URL + _link(oldest, "Last")))) == ["anna", "dora", "carl"]


def test_a_key_the_order_never_wrote_starts_the_list_over(admin, stored, as_basic):
    client = as_basic(admin)

    for after in ("nonsense", "x|anna", "300"):
        page = main_of(client.get(URL, {"sort": "-storage", "limit": 3, "after": after}))
        assert _names(page) == ["joe", "carl", "anna"]
    assert _names(main_of(client.get(URL, {"sort": "sideways", "limit": 3}))) == ["anna", "bob", "carl"]


@pytest.mark.parametrize(("language", "expected"), [("en", "1,951-2,000 of 2,006"),
                                                    ("de", "1.951-2.000 von 2.006"),
                                                    ("ru", "1\xa0951-2\xa0000 из 2\xa0006")])
def test_the_count_line_groups_thousands_in_the_language(language, expected, rf):
    from django.utils import translation

    from accounts.views import _place
    from cgadmin.paging import KeyPage

    request = rf.get(URL, {"after": "x", "at": "1950"})
    page = KeyPage(list(range(50)), 50, "", "y", "x")
    with translation.override(language):
        assert _place(request, page, 2006) == expected
