"""README pictures: the main pages at 1366x900, light and dark, written to docs/screenshots/ by
`make screenshots` (CGADMIN_README_SHOTS=folder). Skipped in `make test`; a few plausible accounts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("CGADMIN_README_SHOTS"), reason="make screenshots only"),
]
MAIN_PAGES = {
    "overview": "/",
    "domains": "/Master/Users/Domains",
    "accounts": "/Master/Users/Domains/client1.test/Accounts",
    "account": "/Master/Users/Domains/client1.test/Accounts/user",
    "queues": "/Master/Monitors/Queues",
    "logs": "/Master/Monitors/Logs",
    "audit-trail": "/Master/Monitors/Audit",
    "statistics": "/Master/Monitors/Statistics",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_write_readme_screenshots(browser, live_server, personas, scheme):
    folder = Path(os.environ["CGADMIN_README_SHOTS"])
    folder.mkdir(parents=True, exist_ok=True)
    people = (("alice", "Alice Martin"), ("bob", "Bob Okafor"), ("chen", "Chen Wei"), ("dana", "Dana Novak"))
    for name, real_name in people:
        factories.make_account(personas.client1, name, RealName=real_name)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD)
    for name, url in MAIN_PAGES.items():
        response = page.goto(live_server.url + url)
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        page.screenshot(path=str(folder / f"{name}-{scheme}.png"))
    context.close()
