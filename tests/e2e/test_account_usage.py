"""The account page in a real browser: storage against the quota, the last login, each mailbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from accounts.services import account_note_login
from basedir.layout import ensure_layout
from basedir.paths import mailbox_path
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_account_page_shows_storage_last_login_and_mailboxes(page: Page, live_server, settings, tmp_path):
    settings.CGATE_BASE = tmp_path
    ensure_layout(tmp_path)
    factories.initialize_server()
    jane = factories.make_account(factories.make_domain("acme.test"), "jane", MaxAccountSize="1K")
    inbox = mailbox_path(jane.mailboxes.get(name="INBOX"))
    inbox.parent.mkdir(parents=True, exist_ok=True)
    inbox.write_bytes(b"From a@example.test Sat Dec  5 10:00:00 2026\nSubject: hi\n\n" + b"x" * 700 + b"\n\n")
    account_note_login(jane, interface="HTTP", address="[192.0.2.7]")

    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts/jane")

    usage = page.get_by_role("region", name="Storage and Last Login")
    expect(usage).to_contain_text("of 1.0 KB")
    expect(usage).to_contain_text("from [192.0.2.7]")
    table = usage.get_by_role("table", name="Mailboxes")
    expect(table.get_by_role("row", name="INBOX")).to_contain_text("1")
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    for width, height in ((1366, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        if folder:  # pictures to look at, light and dark
            page.emulate_media(color_scheme="light")
            page.screenshot(path=str(Path(folder) / f"account-page-{width}-light.png"))
            page.emulate_media(color_scheme="dark")
            page.screenshot(path=str(Path(folder) / f"account-page-{width}-dark.png"))
