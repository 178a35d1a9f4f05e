"""Settings as an administrator sets them in a browser (issue 17 items 5 and 6): real controls, one
line a setting with its source and a named switch back to the default, a section index and an
Update button that stays in view on the long Expert page; what the page sets is what the CLI shows."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from accounts.services import account_update_webadmin_prefs
from tests import factories
from tests.e2e.test_first_day import log_in
from tests.e2e.test_reading import CONTRAST_JS
from tests.faces import cli_http

pytestmark = pytest.mark.django_db(transaction=True)


def _answer(postmaster) -> str:
    return cli_http(postmaster, "GetAccountSettings jane@client1.test")


@pytest.mark.parametrize("width", [1366, 390])
def test_an_administrator_sets_services_sizes_and_limits_with_controls(browser, live_server, personas, width):
    postmaster = personas.postmaster
    account_update_webadmin_prefs(actor=None, account=postmaster, updates={"InterfaceType": "Expert"})
    factories.make_account(personas.client1, "jane")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane")
    main = page.locator("main")
    for developer_word in ("enum", "dictionary", "string", "YES/NO"):
        expect(main).not_to_contain_text(developer_word)

    services = page.get_by_role("group", name="Enabled Services")
    expect(services.get_by_label("IMAP")).to_be_checked()  # All: every box ticked
    for service in ("Mail", "IMAP", "WebMail"):
        services.get_by_label(service, exact=True).uncheck()
    page.get_by_label("Mail Storage", exact=True).fill("250")
    page.get_by_label("Mail Storage: unit").select_option(label="M")
    page.get_by_label("Incoming Mail Limit", exact=True).fill("20")
    page.get_by_label("Incoming Mail Limit: period").fill("5")
    page.locator("[name='s_MailInpFlow:u']").select_option(label="minutes")
    expect(page.get_by_label("Real Name: use the default")).to_be_checked()
    placeholders = page.evaluate(CONTRAST_JS, ["input.count[placeholder]", "placeholder"])
    assert placeholders and min(placeholders) >= 4.5  # "unlimited" in an empty count is read, so it must be legible

    # Far down the long page, the Update button is still in view; the index jumps to a section.
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="File Storage options").click()
    update = page.locator(".save-bar").get_by_role("button", name="Update")
    expect(update).to_be_in_viewport()
    update.click()
    expect(page.locator("ul.messages")).to_contain_text("Settings updated.")

    answer = _answer(postmaster)
    all_but_three = "Relay,Signal,Mobile,TLS,POP,MAPI,AirSync,SIP,XMPP,XIMSS,FTP,ACAP,PWD,LDAP,RADIUS,S/MIME,"
    assert f'AccessModes=({all_but_three.replace("S/MIME", chr(34) + "S/MIME" + chr(34))}WebCAL,WebSite,PBX,HTTP);' \
        in answer, answer
    assert "MaxAccountSize=250M;" in answer and "MailInpFlow=(20,5m);" in answer
    row = page.locator("[data-setting='MaxAccountSize']")
    expect(row.locator(".badge")).to_have_text("explicit")
    expect(page.locator("[data-setting='MaxMailOutSize'] .badge")).to_have_text("default")

    # Back to the default with the named switch; the data-format text (Expert) takes typed values.
    page.get_by_label("Mail Storage: use the default").check()
    page.get_by_label("Web Storage: data format").fill("#4096")
    page.locator(".save-bar").get_by_role("button", name="Update").click()
    expect(page.locator("ul.messages")).to_contain_text("Settings updated.")
    answer = _answer(postmaster)
    assert "MaxAccountSize" not in answer and "MaxWebSize=#4096;" in answer, answer
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    context.close()


def test_counts_and_delay_new_mail_are_set_with_choices_and_numbers(browser, live_server, personas):
    postmaster = personas.postmaster
    account_update_webadmin_prefs(actor=None, account=postmaster, updates={"InterfaceType": "Expert"})
    factories.make_account(personas.client1, "jane")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane")
    mailboxes = page.get_by_label("Mailboxes", exact=True)
    expect(mailboxes).to_have_value("unlimited")
    mailboxes.select_option(label="at most")
    page.get_by_label("Mailboxes: number").fill("40")
    calls_number = page.get_by_label("Concurrent Calls: number")
    expect(calls_number).to_be_hidden()  # unlimited: no number to type
    page.locator("[data-setting='CallsLimit']").get_by_role("combobox").select_option(label="at most")
    calls_number.fill("3")
    expect(page.get_by_label("Delay New Mail: percent of the quota")).to_be_hidden()
    page.get_by_label("Delay New Mail", exact=True).select_option(label="from a share of the quota (%)")
    page.get_by_label("Delay New Mail: percent of the quota").fill("95")
    page.locator(".save-bar").get_by_role("button", name="Update").click()
    expect(page.locator("ul.messages")).to_contain_text("Settings updated.")
    answer = _answer(postmaster)
    assert "MaxMailboxes=40;" in answer and "CallsLimit=3;" in answer and 'QuotaSuspend="95%";' in answer, answer
    expect(page.get_by_label("Mailboxes: data format")).to_have_value("40")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    context.close()
