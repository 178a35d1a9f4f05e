"""Where am I (issue 17 item 3): breadcrumbs on the pages below a realm, the menu entry the page is
under marked current, one row of links on an account's pages, and "Settings" meaning one thing."""

from __future__ import annotations

import re

import pytest

from tests.factories import make_account
from tests.webforms import main_of

pytestmark = pytest.mark.django_db
ACCOUNT = "/Master/Users/Domains/client1.test/Accounts/jane"


def _crumbs(html: str) -> list[tuple[str, str, bool]]:
    """(text, address, current) of each breadcrumb."""
    nav = re.search(r'<nav class="breadcrumbs"[^>]*>(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [(text, url, bool(current)) for url, current, text in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]*)</a>', nav.group(1))]


def _menu_current(html: str) -> list[str]:
    nav = re.search(r'<nav class="pages"[^>]*>(.*?)</nav>', html, re.S)
    assert nav
    return re.findall(r'aria-current="page">([^<]*)</a>', nav.group(1))


def test_an_account_page_says_where_it_is(postmaster, client1, as_basic):
    make_account(client1, "jane")
    html = as_basic(postmaster).get(ACCOUNT).content.decode()

    assert _crumbs(html) == [
        ("Users", "/Master/Users/", False), ("Domains", "/Master/Users/Domains", False),
        ("client1.test", "/Master/Users/Domains/client1.test/Settings", False),
        ("Accounts", "/Master/Users/Domains/client1.test/Accounts", False), ("jane", ACCOUNT, True),
    ]
    assert _menu_current(html) == ["Domains"]  # the account is under Domains, though not in the menu
    main = main_of(as_basic(postmaster).get(ACCOUNT))
    strips = re.findall(r'<nav class="sub-links" aria-label="([^"]+)">(.*?)</nav>', main, re.S)
    assert [label for label, _links in strips] == ["Account pages"]  # one row of links
    assert re.findall(r">([^<]+)</a>", strips[0][1]) == ["Account Settings", "Preferences", "Rules", "Access Rights",
                                                             "Alerts"]
    assert 'aria-current="page">Account Settings</a>' in strips[0][1]


@pytest.mark.parametrize("page, current", [("Preferences", "Preferences"), ("AccessRights", "Access Rights"),
                                           ("Rules", "Rules")])
def test_each_account_page_has_the_same_row_with_itself_current(postmaster, client1, as_basic, page, current):
    make_account(client1, "jane")
    html = as_basic(postmaster).get(f"{ACCOUNT}/{page}").content.decode()

    crumbs = _crumbs(html)
    assert [text for text, _url, _current in crumbs][:5] == ["Users", "Domains", "client1.test", "Accounts", "jane"]
    assert crumbs[-1][2] and crumbs[4][1] == ACCOUNT
    main = main_of(as_basic(postmaster).get(f"{ACCOUNT}/{page}"))
    strips = re.findall(r'<nav class="sub-links" aria-label="([^"]+)">(.*?)</nav>', main, re.S)
    assert [label for label, _links in strips] == ["Account pages"]
    assert f'aria-current="page">{current}</a>' in strips[0][1]


def test_settings_means_one_thing_on_a_page(postmaster, client1, as_basic):
    """The realm is Settings; the domain's and the account's own pages say whose settings they are."""
    make_account(client1, "jane")
    client = as_basic(postmaster)
    for url in (ACCOUNT, "/Master/Users/Domains/client1.test/Settings", "/Master/Users/Domains/client1.test/Accounts"):
        html = client.get(url).content.decode()
        assert re.findall(r">\s*Settings\s*<", html) == [">Settings<"], url  # the realm's link only
    html = client.get("/Master/Users/Domains/client1.test/Settings").content.decode()
    assert 'aria-current="page">Domain Settings</a>' in html


def test_domain_administrators_get_breadcrumbs_from_their_webadmin(personas, as_basic):
    make_account(personas.client1, "jane")
    html = as_basic(personas.domain_admin_with_right).get(
        "/Domain/Domains/client1.test/Accounts/jane").content.decode()

    assert [text for text, _url, _current in _crumbs(html)] == ["Domain", "Domains", "client1.test", "Accounts", "jane"]
    assert _crumbs(html)[0][1] == "/Domain/"
