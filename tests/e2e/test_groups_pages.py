"""An administrator makes a forwarder and a group in the browser from the domain's strip of pages,
edits the group's members one a line, and the CLI answers what was made; no page scrolls sideways."""

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
def test_an_administrator_makes_a_forwarder_and_a_group(browser, live_server, personas, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/client1.test/Settings")
    strip = page.get_by_role("navigation", name="Domain pages")

    strip.get_by_role("link", name="Forwarders").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Forwarders in client1.test")
    page.get_by_label("Forwarder name").fill("sales")
    page.get_by_label("Forward to").fill("boss@remote.example")
    page.get_by_role("button", name="Create Forwarder").click()
    expect(page.locator("ul.messages")).to_contain_text("Forwarder created.")
    expect(page.get_by_role("link", name="sales", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    _shot(page, f"forwarders-{width}-{scheme}")

    page.get_by_role("navigation", name="Domain pages").get_by_role("link", name="Groups").click()
    page.get_by_label("Group name").fill("team")
    page.get_by_label("Real Name").fill("The Team")
    page.get_by_role("button", name="Create Group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Group team@client1.test")
    page.get_by_label("Members").fill("jane\nfar@remote.example\n")
    page.get_by_role("button", name="Update").click()
    expect(page.locator("ul.messages")).to_contain_text("Group updated.")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    _shot(page, f"group-{width}-{scheme}")

    answer = execute("GetGroup team@client1.test", actor=personas.postmaster)
    assert loads(answer.data or "") == {"RealName": "The Team", "Members": ["jane", "far@remote.example"]}
    assert loads(execute("GetForwarder sales@client1.test", actor=personas.postmaster).data or "") == \
        "boss@remote.example"
    context.close()
