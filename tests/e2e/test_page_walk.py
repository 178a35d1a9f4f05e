"""Every WebAdmin page of the URLconf, opened in a real browser at a laptop's and a phone's width, in
light and dark: none may scroll sideways (wide tables scroll inside their own box)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from accounts.services import account_update_webadmin_prefs
from cgadmin.errors import CGError
from domains.services import domain_update_settings
from logs import serverlog
from realms import pages
from tests import factories
from tests.e2e.test_first_day import log_in
from tests.realms.matrix import MASTER
from tests.realms.test_url_matrix import PATTERNS, ROWS

pytestmark = pytest.mark.django_db(transaction=True)
WIDTHS = (1366, 390)
LONG = "a-rather-long-unbroken-value-" * 4
SHOTS = os.environ.get("CGADMIN_SCREENSHOTS", "")


def _master_pages() -> list[tuple[str, object]]:
    """(url, case) of each realm page under the Master scheme that the postmaster may open."""
    found = []
    for pattern in PATTERNS:
        if pattern.scheme != pages.MASTER_SCHEME:
            continue
        row = ROWS[pattern.key]
        for case in row.cases("GET")[:1]:
            if MASTER in case.ok:
                args = case.args if case.args is not None else row.args
                found.append((reverse(pattern.url_name, kwargs=dict(args) or None), case))
    return found


def _data_in_every_list(personas) -> None:
    """Long names and values where lists show them, so a table that cannot shrink shows it."""
    for index in range(3):
        factories.make_account(personas.client1, f"user{index}-{LONG[:40]}", RealName=LONG)
    domain_update_settings(actor=None, domain=personas.client1, updates={"MailRerouteAddress": f"{LONG}@x.test"})
    for index in range(5):
        serverlog.log("SYSTEM", serverlog.MAJOR, f"record {index} {LONG}", peer="127.0.0.1")


def prepared_pages(personas) -> list[str]:
    """The overview and every Master-scheme page, with the data each needs set up (Expert interface)."""
    account_update_webadmin_prefs(actor=None, account=personas.postmaster, updates={"InterfaceType": "Expert"})
    _data_in_every_list(personas)
    walked = _master_pages()
    for _url, case in walked:
        if case.setup is not None:
            # A set-up another page of the walk already made (the same import, say) stands for both.
            with contextlib.suppress(CGError, IntegrityError), transaction.atomic():
                case.setup(personas)
    return ["/"] + [url for url, _case in walked]  # the overview first: where server administrators land


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_at_1366_or_390_pixels(browser, live_server, personas, scheme):
    walked = prepared_pages(personas)
    overflowing = []
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page: Page = context.new_page()
        log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/General")
        for url in walked:
            try:
                page.goto(live_server.url + url)
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # an export (CSV, backup): a file, not a page
                raise
            extra = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if SHOTS:  # CGADMIN_SCREENSHOTS=folder: keep a picture of every page (for a person to look at)
                name = url.strip("/").replace("/", "_") or "root"
                page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}-{scheme}.png"), full_page=True)
            if extra > 1:
                overflowing.append(f"{width}px {url}: {extra}px too wide")
        context.close()

    assert len(walked) > 40
    assert overflowing == [], "\n".join(overflowing)
