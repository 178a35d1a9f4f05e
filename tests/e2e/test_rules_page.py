"""An administrator writes an account's mail rule in the browser with the condition and action
rows (no data-format text below Expert), and the CLI answers the rule in CommuniGate's form."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from cgadmin.dataformat import loads
from cli.dispatch import execute
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(("width", "scheme"), [(1366, "light"), (390, "dark")])
def test_an_administrator_writes_a_rule_with_rows(browser, live_server, personas, width, scheme):
    factories.make_account(personas.client1, "jane")
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Accounts/jane")
    page.get_by_role("navigation", name="Account pages").get_by_role("link", name="Rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rules of jane@client1.test")
    expect(page.get_by_text("Rules as data-format text (Expert)")).to_have_count(0)

    new_rule = page.get_by_role("group", name="New rule")
    new_rule.get_by_label("Rule name").fill("Junk")
    new_rule.get_by_label("Priority").select_option("7")
    new_rule.get_by_label("Field").first.select_option("Subject")
    new_rule.get_by_label("Operation").first.select_option("is")
    new_rule.get_by_label("Parameter").first.fill("*[SPAM]*")
    new_rule.get_by_label("Action").first.select_option("Store in")
    new_rule.get_by_label("Parameter").nth(1).fill("Junk")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("ul.messages")).to_contain_text("Rules updated.")

    answer = execute("GetAccountMailRules jane@client1.test", actor=personas.postmaster)
    assert loads(answer.data or "") == [["7", "Junk", [["Subject", "is", "*[SPAM]*"]], [["Store in", "Junk"]]]]
    expect(page.get_by_role("group", name="Junk").get_by_label("Rule name")).to_have_value("Junk")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"rules-{width}-{scheme}.png"), full_page=True)
    context.close()
