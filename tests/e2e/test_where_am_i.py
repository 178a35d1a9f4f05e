"""Where am I, in a browser (issue 17 item 3): the breadcrumbs lead back up, and the current menu
entry and page link look different from the others (not by colour alone), at both widths."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
STYLE = "el => { const s = getComputedStyle(el); return [s.fontWeight, s.borderBottomStyle, s.backgroundColor]; }"


@pytest.mark.parametrize("width", [1366, 390])
def test_breadcrumbs_and_the_current_entries(browser, live_server, personas, width):
    factories.make_account(personas.client1, "jane")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane/Preferences")

    crumbs = page.get_by_role("navigation", name="You are here")
    expect(crumbs.get_by_role("link")).to_have_text(["Users", "Domains", "client1.test", "Accounts", "jane",
                                                     "Account Preferences"])
    account_pages = page.get_by_role("navigation", name="Account pages")
    current = account_pages.get_by_role("link", name="Preferences")
    other = account_pages.get_by_role("link", name="Rules")
    expect(current).to_have_attribute("aria-current", "page")
    weight, border, _background = current.evaluate(STYLE)
    assert int(weight) >= 600 and border == "solid" and other.evaluate(STYLE)[:2] == ["400", "none"]
    menu = page.get_by_role("navigation", name="Pages")
    expect(menu.get_by_role("link", name="Domains")).to_have_attribute("aria-current", "page")
    assert menu.get_by_role("link", name="Domains").evaluate(STYLE)[2] != \
        menu.get_by_role("link", name="Account Defaults").evaluate(STYLE)[2]

    crumbs.get_by_role("link", name="jane").click()
    expect(page).to_have_url(re.compile(r"/Accounts/jane$"))
    page.get_by_role("navigation", name="You are here").get_by_role("link", name="client1.test").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("client1.test")
    expect(page.get_by_role("navigation", name="Domain pages").get_by_role("link", name="Domain Settings")) \
        .to_have_attribute("aria-current", "page")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    context.close()
