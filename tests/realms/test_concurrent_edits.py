"""Two administrators on the same settings page (issue 16, item 6): the one who saves a page loaded
before the other's change writes only what it changed, never the other's field back; changing a
field the other changed meanwhile is refused, naming it, and nothing of that form is saved. The
same on every settings page: account, domain, a domain's and the server's Account Defaults, the
General page. Two real sessions (HTTP Basic), each filling the page's form as a browser does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from accounts.models import Account
from domains.models import Domain
from server import documents
from tests.factories import make_account
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    url: str
    action: str | None
    theirs: tuple[str, str]  # the field the other administrator changes, and its new value
    mine: tuple[str, str]  # another field, the one this administrator changes
    clash: str  # a third value of `theirs`, this administrator's change of the same field
    stored: Callable[[], dict]  # the explicit values the page edits


def _account() -> dict:
    return Account.objects.get(name="jane").settings


def _domain(field: str) -> Callable[[], dict]:
    return lambda: getattr(Domain.objects.get(name="client1.test"), field)


PAGES = {
    "account settings": Page("/Master/Users/Domains/client1.test/Accounts/jane", "update",
                             ("AccessModes", "None"), ("RealName", "Jane Q"), "Mail", _account),
    "domain settings": Page("/Master/Users/Domains/client1.test/Settings", "update",
                            ("MailToUnknown", "Discarded"), ("WebBanner", "hello"), "Rejected", _domain("settings")),
    "domain account defaults": Page("/Master/Users/Domains/client1.test/AccountDefaults", None,
                                    ("MaxAccountSize", "10M"), ("RealName", "Someone"), "12M",
                                    _domain("account_defaults")),
    "server account defaults": Page("/Master/Users/AccountDefaults", None, ("MaxAccountSize", "10M"),
                                    ("RealName", "Someone"), "12M", lambda: documents.read(documents.ACCOUNT_DEFAULTS)),
    "general": Page("/Master/Settings/General", "update", ("ContactPerson", "Ann"), ("ServerLocation", "rack 3"), "Bob",
                    lambda: documents.read(documents.MAIN)),
}


@pytest.fixture
def two_admins(postmaster, client1, expert, as_basic):
    make_account(client1, "jane")
    other = expert(make_account(None, "colleague", rights=["Master"]))
    return as_basic(expert(postmaster)), as_basic(other)


def _changed(page: Page, html: str, name: str, value: str) -> dict:
    changes = {f"s_{name}": value}
    if f'name="d_{name}"' in html:
        changes[f"d_{name}"] = None  # untick "default": the value typed is the account's own
    return form_with(html, page.action, **changes)


@pytest.mark.parametrize("name", PAGES)
def test_saving_a_page_loaded_before_anothers_change_keeps_that_change(name, two_admins):
    page, (me, them) = PAGES[name], two_admins
    mine = me.get(page.url).content.decode()
    theirs = them.get(page.url).content.decode()
    assert them.post(page.url, _changed(page, theirs, *page.theirs)).status_code == 302

    assert me.post(page.url, _changed(page, mine, *page.mine)).status_code == 302

    stored = page.stored()
    field, value = page.theirs
    assert stored[page.mine[0]] == page.mine[1]
    assert str(stored[field]) == value, f"{field} went back to what the first page showed"


@pytest.mark.parametrize("name", PAGES)
def test_changing_a_field_someone_else_changed_meanwhile_is_refused_naming_it(name, two_admins):
    page, (me, them) = PAGES[name], two_admins
    mine = me.get(page.url).content.decode()
    theirs = them.get(page.url).content.decode()
    assert them.post(page.url, _changed(page, theirs, *page.theirs)).status_code == 302
    before = page.stored()
    field = page.theirs[0]

    data = _changed(page, mine, field, page.clash)
    mine_field, mine_value = page.mine
    data[f"s_{mine_field}"] = mine_value
    data.pop(f"d_{mine_field}", None)
    response = me.post(page.url, data)

    assert response.status_code == 400
    assert f"{field} was changed by someone else since this page was shown" in main_of(response)
    assert page.stored() == before  # the whole form is refused: not even the other field is saved


def test_a_script_posting_without_the_pages_digests_still_changes_what_it_sends(postmaster, client1, as_basic):
    make_account(client1, "jane")

    response = as_basic(postmaster).post("/Master/Users/Domains/client1.test/Accounts/jane",
                                         {"action": "update", "s_RealName": "Jane Script"})

    assert response.status_code == 302 and _account()["RealName"] == "Jane Script"
