"""A new administrator's first day, in a real browser: the WebAdmin as people use it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.models import Account
from domains.models import Domain, DomainAlias
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page: Page, base: str, name: str, password: str, path: str = "/") -> None:
    page.goto(base + path)
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_postmaster_sets_up_the_server_and_reads_the_log(page: Page, live_server):
    factories.initialize_server()
    base = live_server.url

    log_in(page, base, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/General")
    expect(page.get_by_role("heading", level=1)).to_contain_text("General")
    page.get_by_label("Main Domain Name").fill("mail.company.test")
    page.get_by_role("button", name="Update").first.click()
    expect(page.get_by_label("Main Domain Name")).to_have_value("mail.company.test")
    assert Domain.objects.get(is_main=True).name == "mail.company.test"

    page.goto(base + "/Master/Users/Domains")
    page.get_by_label("New domain").fill("client1.test")
    page.get_by_role("button", name="Create Domain").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("client1.test")  # its Settings page opens

    page.get_by_label("Domain Aliases").fill("client1-alias.test")
    page.locator("form", has=page.locator("input[value=aliases]")).get_by_role("button", name="Update").click()
    expect(page.get_by_label("Domain Aliases")).to_have_value(re.compile("client1-alias.test"))
    assert DomainAlias.objects.filter(domain__name="client1.test", name="client1-alias.test").exists()

    for name in ("alice", "bob"):
        page.goto(base + "/Master/Users/Domains/client1.test/Accounts")
        page.get_by_label("Account name").fill(name)
        page.get_by_label("Password").fill("Secret-" + name)
        page.get_by_role("button", name="Create Account").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"{name}@client1.test")
    page.goto(base + "/Master/Users/Domains/client1.test/Accounts")
    expect(page.get_by_role("link", name="alice", exact=True)).to_be_visible()
    assert set(Account.objects.filter(domain__name="client1.test").values_list("name", flat=True)) == {"alice", "bob"}

    page.goto(base + "/Master/Monitors/LogSettings")
    page.get_by_role("button", name="Switch on").click()
    page.goto(base + "/Master/Monitors/Logs")
    expect(page.locator("table.log-records")).to_contain_text("log all records: ON")


def test_a_wrong_field_is_named_next_to_it_and_nothing_is_saved(page: Page, live_server):
    factories.initialize_server()

    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Users/Domains")
    page.get_by_label("New domain").fill("bad domain name")
    page.get_by_role("button", name="Create Domain").click()

    expect(page.locator("form .error").first).to_be_visible()
    assert not Domain.objects.filter(name="bad domain name").exists()


def test_the_login_page_is_usable_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(live_server.url + "/login/")

    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    context.close()
    assert overflow <= 0


def test_logging_in_with_the_keyboard_only(page: Page, live_server):
    factories.initialize_server()
    page.goto(live_server.url + "/login/")
    expect(page.get_by_label("Account name")).to_be_focused()  # the name field has the focus when the page opens

    page.keyboard.type("postmaster")
    page.keyboard.press("Tab")
    page.keyboard.type(factories.POSTMASTER_PASSWORD)
    page.keyboard.press("Enter")

    expect(page.locator("footer, [role=contentinfo]").first).to_contain_text("postmaster")


def test_the_dark_scheme_follows_the_browser(browser, live_server):
    backgrounds = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(live_server.url + "/login/")
        backgrounds[scheme] = tab.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()

    def brightness(css: str) -> float:
        red, green, blue = (int(part) for part in re.findall(r"\d+", css)[:3])
        return (red + green + blue) / 3

    assert brightness(backgrounds["dark"]) < 80 < brightness(backgrounds["light"])
