"""Monitors pages refresh their data in place, and never while the administrator is typing."""

from __future__ import annotations

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
