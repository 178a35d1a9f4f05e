"""The Accounts list in a real browser: Create Account from the top with a generated password, real
names in the filter, the number of matches, jump-to-letter; no sideways scrolling at 1366 or 390."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Account
from realms.auth import check_login
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_an_account_with_a_generated_password_and_find_it_by_real_name(page: Page, live_server):
    factories.initialize_server()
    domain = factories.make_domain("acme.test")
    for name in ("anna", "bob", "joe"):
        factories.make_account(domain, name, MaxAccountSize="10M")
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts")

    page.get_by_role("link", name="Create Account").click()
    page.get_by_label("Account name").fill("ivan")
    page.get_by_label("Real Name", exact=True).fill("Иван Петров")
    page.get_by_role("button", name="Generate").click()
    password = page.get_by_label("Password", exact=True).input_value()
    assert len(password) == 16
    expect(page.get_by_text("A new password is in the field")).to_be_visible()
    page.get_by_label("Aliases", exact=True).fill("vanya")
    page.get_by_role("button", name="Create Account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ivan@acme.test")
    ivan = Account.objects.get(name="ivan")
    assert check_login("ivan@acme.test", password, address="192.0.2.1") == ivan
    assert list(ivan.aliases.values_list("name", flat=True)) == ["vanya"]

    page.goto(f"{live_server.url}/Master/Users/Domains/acme.test/Accounts")
    expect(page.get_by_role("status")).to_have_text("1-4 of 4")
    page.get_by_role("navigation", name="Jump to a letter").get_by_role("link", name="J").click()
    expect(page.get_by_role("link", name="joe")).to_be_visible()
    expect(page.get_by_role("link", name="anna")).to_have_count(0)
    page.get_by_label("Accounts whose name or real name contains").fill("Иван")
    page.get_by_role("button", name="Display").click()
    expect(page.get_by_role("status")).to_have_text("1-1 of 1")
    expect(page.get_by_role("cell", name="Иван Петров")).to_be_visible()

    page.get_by_role("link", name="Clear").click()
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if folder:
            page.emulate_media(color_scheme="light")
            page.screenshot(path=str(Path(folder) / f"accounts-{width}-light.png"), full_page=True)
            page.emulate_media(color_scheme="dark")
            page.screenshot(path=str(Path(folder) / f"accounts-{width}-dark.png"), full_page=True)


def test_the_column_headers_sort_by_storage_and_last_login_and_the_letters_follow_name_order(page: Page,
                                                                                            live_server):
    import datetime

    from accounts.usage import add_storage, follow_info

    factories.initialize_server()
    domain = factories.make_domain("acme.test")
    sizes = {"anna": 2_000_000, "bob": 5_000, "carl": 900_000_000}
    for name, size in sizes.items():
        account = factories.make_account(domain, name)
        add_storage({account.pk: size})
        if name != "carl":
            follow_info(account, {"LastLogin": datetime.datetime(2026, 12, 1 + len(name), 9, 30)})
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts")
    rows = page.get_by_role("table").get_by_role("row")

    page.get_by_role("link", name="Storage", exact=True).click()
    expect(rows.nth(1)).to_contain_text("carl")
    expect(rows.nth(3)).to_contain_text("bob")
    expect(page.get_by_role("columnheader", name="Storage")).to_have_attribute("aria-sort", "descending")
    expect(page.get_by_role("navigation", name="Jump to a letter")).to_have_count(0)

    page.get_by_role("link", name="Last Login", exact=True).click()
    expect(rows.nth(1)).to_contain_text("anna")  # 2026-12-05, then bob (12-04), then carl: never
    expect(rows.nth(3)).to_contain_text("never")
    page.get_by_role("link", name="Last Login", exact=True).click()  # again: the other way
    expect(rows.nth(1)).to_contain_text("carl")
    expect(page.get_by_role("columnheader", name="Last Login")).to_have_attribute("aria-sort", "ascending")

    page.get_by_role("link", name="Account", exact=True).click()
    expect(rows.nth(1)).to_contain_text("anna")
    expect(page.get_by_role("navigation", name="Jump to a letter")).to_be_visible()
