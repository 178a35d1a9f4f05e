"""An administrator imports accounts from a CSV in the browser: the upload is checked first (bad rows
listed, nothing made), started, followed on a progress page that updates in place (percent, time
left), and the rejected rows are downloaded as CSV; no page scrolls sideways."""

from __future__ import annotations

import csv
import datetime
import io
import os
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from accounts.models import Account, AccountImport
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)
IMPORT = "/Master/Users/Domains/client1.test/ImportAccounts"
CSV = "Name,RealName\nanna,Анна Каренина\nbad name,Bad\nboris,Борис\nanna,Twice\n"


def _shot(page: Page, name: str) -> None:
    folder = os.environ.get("CGADMIN_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1


@pytest.mark.parametrize(("width", "scheme"), [(1366, "light"), (390, "dark")])
def test_check_start_progress_and_download_the_rejected_rows(browser, live_server, personas, tmp_path, width, scheme):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme, accept_downloads=True)
    page: Page = context.new_page()
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, IMPORT)
    upload = tmp_path / "people.csv"
    upload.write_text(CSV, encoding="utf-8")

    page.locator("input[type=file]").set_input_files(str(upload))
    page.get_by_role("button", name="Import Accounts").click()
    check = page.locator("#check")
    expect(check).to_contain_text("4 row(s), 2 bad row(s)")
    expect(page.locator("#bad-rows")).to_contain_text("bad name")
    expect(page.locator("#bad-rows tbody tr")).to_have_count(2)
    assert not Account.objects.filter(name="anna").exists()  # a check makes nothing
    _fits(page)
    _shot(page, f"import-check-{width}-{scheme}")

    page.get_by_role("button", name="Import the good rows").click()
    expect(page.locator("#progress")).to_contain_text("100%")
    expect(page.locator("#progress")).to_contain_text("2 account(s) created, 2 bad line(s)")
    assert Account.objects.get(name="boris").settings["RealName"] == "Борис"
    _fits(page)
    _shot(page, f"import-done-{width}-{scheme}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the rejected rows (CSV)").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[:2] for row in rows] == [["Name", "RealName"], ["bad name", "Bad"], ["anna", "Twice"]]
    assert rows[0][2] == "Reason" and all(row[2] for row in rows[1:])
    context.close()


def test_a_running_import_page_updates_in_place_then_shows_its_report(page: Page, live_server, personas):
    job = AccountImport.objects.create(domain=personas.client1, actor_name="postmaster", text="Name\n",
                                       status=AccountImport.Status.RUNNING, total=1000, processed=100,
                                       run_started=timezone.now() - datetime.timedelta(seconds=10))
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, f"{IMPORT}/{job.pk}")
    expect(page.locator("#progress")).to_contain_text("10%")
    expect(page.locator("#progress .time-left")).to_contain_text("left")
    page.evaluate("window.loadedOnce = true")

    AccountImport.objects.filter(pk=job.pk).update(processed=750)
    expect(page.locator("#progress")).to_contain_text("75%", timeout=10_000)
    assert page.evaluate("window.loadedOnce === true")  # swapped in, not reloaded
    _shot(page, "import-running-1280-light")

    AccountImport.objects.filter(pk=job.pk).update(status=AccountImport.Status.DONE, processed=1000,
                                                   created_count=1000)
    expect(page.locator("#progress")).to_contain_text("Done", timeout=10_000)
    expect(page.locator("#progress .time-left")).to_have_count(0)
