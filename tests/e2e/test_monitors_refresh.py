"""Monitors pages refresh their data in place, and never while the administrator is typing."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Account
from accounts.services import account_update_webadmin_prefs
from logs.notifications import raise_notification
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
NOTIFICATIONS = "/Master/Monitors/Notifications"


def test_the_notifications_page_refreshes_its_data_but_keeps_a_half_typed_alert(page: Page, live_server):
    factories.initialize_server()
    postmaster = Account.objects.get(name="postmaster")
    account_update_webadmin_prefs(actor=None, account=postmaster, updates={"RefreshRate": "10"}, realm="Monitors")
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, NOTIFICATIONS)
    page.evaluate("window.loadedOnce = true")

    raise_notification("e2e-first", "SYSTEM", "first notice")
    expect(page.locator("main")).to_contain_text("first notice", timeout=15_000)
    assert page.evaluate("window.loadedOnce === true")  # the data came in place: no reload, no lost scroll

    page.get_by_label("New alert").fill("half-typed alert")
    page.locator("h1").click()  # the field loses the focus; its text is still unsent
    raise_notification("e2e-second", "SYSTEM", "second notice")
    page.wait_for_timeout(12_000)

    expect(page.get_by_label("New alert")).to_have_value("half-typed alert")
    expect(page.locator("main")).not_to_contain_text("second notice")


def _notifications_every_ten_seconds(page: Page, live_server) -> None:
    factories.initialize_server()
    postmaster = Account.objects.get(name="postmaster")
    account_update_webadmin_prefs(actor=None, account=postmaster, updates={"RefreshRate": "10"}, realm="Monitors")
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, NOTIFICATIONS)
    expect(page.get_by_role("heading", level=1)).to_have_text("Urgent Notifications")


def test_a_keyboard_users_place_in_the_page_is_kept_and_refreshing_goes_on_when_it_leaves(page: Page, live_server):
    _notifications_every_ten_seconds(page, live_server)
    crumb = page.get_by_role("navigation", name="You are here").get_by_role("link", name="Monitors")
    crumb.focus()  # tabbed to a link of the content: replacing the content would lose the place
    raise_notification("e2e-kept", "SYSTEM", "kept back")
    page.wait_for_timeout(12_000)
    expect(page.locator("main")).not_to_contain_text("kept back")
    expect(crumb).to_be_focused()

    page.evaluate("document.activeElement.blur()")
    expect(page.locator("main")).to_contain_text("kept back", timeout=15_000)


def test_a_refresh_after_the_session_ended_shows_the_login_form_at_its_own_address(page: Page, live_server):
    """Not the login form inside the Monitors page (where it would post to the wrong address)."""
    _notifications_every_ten_seconds(page, live_server)
    page.context.clear_cookies()

    expect(page).to_have_url(re.compile(r"/login/\?next=%2FMaster%2FMonitors%2FNotifications"), timeout=15_000)
    expect(page.get_by_label("Account name")).to_be_visible()
