"""An administrator makes a mailing list in the browser from the domain's strip of pages, adds a
subscriber and changes the posting policy, and the CLI answers what was made; no page scrolls sideways."""

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


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("width", "scheme"), [(1366, "light"), (390, "dark")])
def test_an_administrator_makes_a_mailing_list(browser, live_server, personas, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Settings")

    page.get_by_role("navigation", name="Domain pages").get_by_role("link", name="Mailing Lists").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailing Lists in client1.test")
    page.get_by_label("List name").fill("staff")
    page.get_by_label("Owner account").fill("user")
    page.get_by_role("button", name="Create List").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mailing List staff@client1.test")
    page.get_by_label("Subscriber address").fill("Ann Doe <ann@remote.example>")
    page.get_by_label("Mode").select_option("digest")
    page.get_by_role("button", name="Add Subscriber").click()
    expect(page.locator("ul.messages")).to_contain_text("Subscriber added.")
    page.get_by_label("Accept postings").select_option("moderated")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("ul.messages")).to_contain_text("List settings saved.")
    expect(page.get_by_role("cell", name="ann@remote.example", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    _shot(page, f"list-{width}-{scheme}")

    info = loads(execute("GetSubscriberInfo staff@client1.test NAME ann@remote.example",
                         actor=personas.postmaster).data or "")
    assert (info["mode"], info["RealName"]) == ("digest", "Ann Doe")
    assert loads(execute("GetList staff@client1.test", actor=personas.postmaster).data or "")["Postings"] == "moderated"
    context.close()
