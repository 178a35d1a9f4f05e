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


def log_out(page: Page) -> None:
    page.locator("footer").get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Account name")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")


def create_account(page: Page, base: str, domain: str, name: str) -> None:
    page.goto(f"{base}/Master/Users/Domains/{domain}/Accounts")
    page.get_by_role("link", name="Create Account").click()
    page.get_by_label("Account name").fill(name)
    page.get_by_label("Password").fill("Secret-" + name)
    page.get_by_role("button", name="Create Account").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"{name}@{domain}")


def set_interface_type(page: Page, level: str) -> None:
    """On the realm's Preferences page, reached by the link every page ends with."""
    page.locator("footer").get_by_role("link", name="Preferences").click()
    expect(page).to_have_url(re.compile(r"/Preferences$"))
    page.get_by_label("Interface Type").select_option(level)
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator("footer")).to_contain_text(level)
    expect(page.get_by_label("Interface Type")).to_have_value(level)


def test_a_new_administrators_first_day(page: Page, live_server):
    """Issue 11's whole flow: postmaster sets the server up and makes alice a Domain Administrator;
    alice finds only what her rights allow and changes her Interface Type; postmaster reads the log."""
    factories.initialize_server()
    base = live_server.url

    # postmaster: the Main Domain Name, a domain with an alias, another domain, accounts.
    log_in(page, base, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/General")
    expect(page.get_by_role("heading", level=1)).to_contain_text("General")
    page.get_by_label("Main Domain Name").fill("mail.company.test")
    page.get_by_role("button", name="Update").first.click()
    expect(page.get_by_label("Main Domain Name")).to_have_value("mail.company.test")
    assert Domain.objects.get(is_main=True).name == "mail.company.test"

    for domain in ("client1.test", "client2.test"):
        page.goto(base + "/Master/Users/Domains")
        page.get_by_label("New domain").fill(domain)
        page.get_by_role("button", name="Create Domain").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(domain)  # its Settings page opens

    page.goto(base + "/Master/Users/Domains/client1.test/Settings")
    page.get_by_label("Domain Aliases").fill("client1-alias.test")
    page.locator("form", has=page.locator("input[value=aliases]")).get_by_role("button", name="Update").click()
    expect(page.get_by_label("Domain Aliases")).to_have_value(re.compile("client1-alias.test"))
    assert DomainAlias.objects.filter(domain__name="client1.test", name="client1-alias.test").exists()

    for name in ("alice", "bob"):
        create_account(page, base, "client1.test", name)
    create_account(page, base, "client2.test", "carol")
    page.goto(base + "/Master/Users/Domains/client1.test/Accounts")
    expect(page.get_by_role("link", name="alice", exact=True)).to_be_visible()
    assert set(Account.objects.filter(domain__name="client1.test").values_list("name", flat=True)) == {"alice", "bob"}

    # postmaster makes alice a Domain Administrator with two rights, on her Access Rights page.
    page.goto(base + "/Master/Users/Domains/client1.test/Accounts/alice/AccessRights")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Access Rights of alice@client1.test")
    page.locator("input[name=administrator]").check()
    page.locator("input[name=rights][value=CanCreateAccounts]").check()
    page.locator("input[name=rights][value=MailToUnknown]").check()
    page.get_by_role("button", name="Update", exact=True).click()
    expect(page.locator("input[name=administrator]")).to_be_checked()
    expect(page.locator("input[name=rights][value=MailToUnknown]")).to_be_checked()
    expect(page.locator("input[name=rights][value=CanCreateAliases]")).not_to_be_checked()
    assert set(Account.objects.get(name="alice", domain__name="client1.test").rights) == {
        "Domain", "CanCreateAccounts", "MailToUnknown"}

    page.goto(base + "/Master/Monitors/LogSettings")
    page.get_by_role("button", name="Switch on").click()
    expect(page.get_by_role("button", name="Switch off")).to_be_visible()
    log_out(page)

    # alice logs into the Domain WebAdmin, lands on her domain (her only one) and sees it only.
    log_in(page, base, "alice@client1.test", "Secret-alice")
    expect(page).to_have_url(re.compile(r"/Domain/Domains/client1.test/Settings$"))
    page.get_by_role("navigation", name="You are here").get_by_role("link", name="Domains", exact=True).click()
    main = page.locator("main")
    expect(main.get_by_role("link", name="client1.test", exact=True)).to_be_visible()
    expect(main).not_to_contain_text("client2.test")
    expect(main).not_to_contain_text("mail.company.test")
    expect(main.get_by_role("button", name="Create Domain")).to_have_count(0)  # not hers to create

    refused = page.goto(base + "/Domain/Domains/client2.test/Settings")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not enough access rights")
    refused = page.goto(base + "/Domain/Domains/client2.test/Accounts")
    assert refused is not None and refused.status == 403
    page.goto(base + "/Master/Settings/General")  # another authentication realm: her session does not open it
    expect(page.get_by_label("Account name")).to_be_visible()

    settings = base + "/Domain/Domains/client1.test/Settings"
    page.goto(settings)
    expect(page.locator('[data-setting="MailToUnknown"] select')).to_be_enabled()  # her right
    expect(page.locator('[name=s_MailRerouteAddress]')).to_be_disabled()  # not hers: read-only
    expect(page.locator('[data-setting="ForceSMTPAUTH"]')).to_have_count(0)  # an Expert setting, hidden at Basic
    page.goto(base + "/Domain/Domains/client1.test/Accounts")
    expect(page.get_by_role("link", name="Create Account")).to_be_visible()  # CanCreateAccounts

    # Her Interface Type changes what the pages show, not what she may do.
    set_interface_type(page, "Expert")
    assert page.url.endswith("/Domain/Preferences")
    page.goto(settings)
    force_auth = page.locator('[data-setting="ForceSMTPAUTH"]')
    expect(force_auth).to_be_visible()
    expect(force_auth).to_contain_text("read-only")
    expect(page.locator('[data-setting="MailToUnknown"] select')).to_be_enabled()
    set_interface_type(page, "Basic")
    page.goto(settings)
    expect(page.locator('[data-setting="MailRerouteAddress"]')).to_be_visible()
    expect(page.locator('[data-setting="ForceSMTPAUTH"]')).to_have_count(0)
    log_out(page)

    # postmaster reads the log and the audit trail of the day.
    log_in(page, base, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Monitors/Logs")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Logs")
    expect(page.locator("table.log-records")).to_contain_text("log all records: ON")
    page.goto(base + "/Master/Monitors/Audit?object_name=alice")
    trail = page.locator("table.audit")
    expect(trail).to_contain_text("account.rights")
    expect(trail).to_contain_text("alice@client1.test")


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
