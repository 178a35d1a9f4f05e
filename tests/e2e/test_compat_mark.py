"""The compatibility mark in a real browser: on an account's settings page, at a laptop's and a
phone's width, a setting that does nothing here says so next to its name, one that acts does not,
and the page never scrolls sideways."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from accounts.services import account_update_webadmin_prefs
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
MARK = "kept for compatibility, no effect here"
SHOTS = os.environ.get("CGADMIN_SCREENSHOTS", "")


@pytest.mark.parametrize("width", [1366, 390])
def test_the_mark_shows_next_to_settings_that_do_nothing(page, live_server, personas, width):
    account_update_webadmin_prefs(actor=None, account=personas.postmaster, updates={"InterfaceType": "Expert"})
    factories.make_account(personas.client1, "jane")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane")

    marked = page.locator('[data-setting="CallLogs"]')
    acting = page.locator('[data-setting="MaxAccountSize"]')
    expect(marked.get_by_text(MARK)).to_be_visible()
    expect(acting.get_by_text(MARK)).to_have_count(0)
    assert page.get_by_text(MARK).count() >= 20
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    if SHOTS:
        marked.scroll_into_view_if_needed()
        page.screenshot(path=os.path.join(SHOTS, f"compat-mark-{width}.png"))
