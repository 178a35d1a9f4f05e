"""The password generator in a real browser: Generate fills both fields with a password that meets
the domain's policy and shows it once; saving it lets the account log in with it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from domains.services import domain_update_settings
from realms.auth import check_login
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_generate_fills_a_password_meeting_the_policy_and_saving_sets_it(page: Page, live_server, settings,
                                                                         tmp_path):
    settings.CGATE_BASE = tmp_path
    factories.initialize_server()
    acme = factories.make_domain("acme.test")
    factories.make_account(acme, "jane")
    domain_update_settings(actor=None, domain=acme, updates={"MinPasswordLength": "20",
                                                               "PasswordComplexity": "letters, digits and symbols"})

    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts/jane")
    panel = page.locator("#password")
    expect(panel).to_contain_text("at least 20 characters")
    panel.get_by_role("button", name="Generate a password").click()

    field = panel.get_by_label("New password")
    expect(field).to_have_attribute("type", "text")  # shown once, to be copied
    expect(panel.locator("#generated-password")).to_contain_text("copy it")
    password = field.input_value()
    assert len(password) >= 20 and re.search(r"[a-zA-Z]", password) and re.search(r"\d", password)
    assert re.search(r"[^a-zA-Z0-9]", password)
    assert panel.get_by_label("Repeat it").input_value() == password
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if folder:
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                panel.screenshot(path=str(Path(folder) / f"password-generator-{width}-{scheme}.png"))

    panel.get_by_role("button", name="Change Password").click()

    expect(page.get_by_text("Password changed.")).to_be_visible()
    assert password not in page.content()  # shown once: not after saving
    assert check_login("jane@acme.test", password, address="192.0.2.1") is not None


def test_create_account_generates_a_password_as_long_as_the_policy_asks(page: Page, live_server, settings, tmp_path):
    settings.CGATE_BASE = tmp_path
    factories.initialize_server()
    acme = factories.make_domain("acme.test")
    domain_update_settings(actor=None, domain=acme, updates={"MinPasswordLength": "24"})

    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts")
    page.get_by_role("link", name="Create Account").click()
    page.get_by_label("Account name").fill("ann")
    page.get_by_role("button", name="Generate", exact=True).click()
    password = page.get_by_label("Password", exact=True).input_value()
    assert len(password) >= 24
    page.get_by_role("button", name="Create Account").click()

    expect(page.get_by_text("Account created.")).to_be_visible()
    assert check_login("ann@acme.test", password, address="192.0.2.1") is not None
