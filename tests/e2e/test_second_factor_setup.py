"""Setting up the second factor in a real browser: the QR code to scan, the code typed, the recovery
codes shown once; then a login with a recovery code."""

from __future__ import annotations

import os

import pyotp
import pytest
from playwright.sync_api import expect

from realms.models import SecondFactor
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("CGADMIN_SCREENSHOTS", "")


@pytest.mark.parametrize("scheme,width", [("light", 1366), ("dark", 390)])
def test_the_set_up_shows_a_scannable_qr_code_and_the_recovery_codes_once(browser, live_server, scheme, width):
    factories.initialize_server()
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/Preferences")
    page.get_by_role("button", name="Set Up a Second Factor").click()

    qr = page.locator("figure.qr svg")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 150 and box["x"] + box["width"] <= width  # big enough, on screen
    assert qr.evaluate("svg => getComputedStyle(svg).backgroundColor") == "rgb(255, 255, 255)"
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"second-factor-{width}-{scheme}.png"), full_page=True)

    secret = SecondFactor.objects.get().secret
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm").click()
    codes = page.locator("ul.codes code").all_inner_texts()
    assert len(codes) == 10
    page.reload()
    expect(page.locator("ul.codes")).to_have_count(0)  # shown once

    page.locator("footer").get_by_role("button", name="Log out").click()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Account name").fill("postmaster")
    page.get_by_label("Password").fill(factories.POSTMASTER_PASSWORD)
    page.get_by_label("One-time code").fill(codes[0])
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("footer")).to_contain_text("postmaster")
    context.close()
