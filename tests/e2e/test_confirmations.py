"""Destructive actions ask first, in a real browser: an unticked confirmation changes nothing, its
error is announced (role=alert) and the focus moves to the box the user has to tick."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from domains.models import Domain
from tests import factories
from tests.e2e.test_first_day import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_suspend_domain_unticked_is_reported_at_the_box_and_changes_nothing(page: Page, live_server):
    factories.initialize_server()
    domain = factories.make_domain("acme.test")
    for name in ("jane", "joe", "ivan"):
        factories.make_account(domain, name)
    settings = "/Master/Users/Domains/acme.test/Settings"
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, settings)

    box = page.get_by_label("Yes, suspend acme.test: its 3 account(s) can no longer log in or get mail")
    expect(box).not_to_be_checked()
    page.get_by_role("button", name="Suspend Domain").click()

    alert = page.get_by_role("alert").filter(has_text="Tick the box to confirm")
    expect(alert).to_be_visible()
    box = page.get_by_label("Yes, suspend acme.test: its 3 account(s) can no longer log in or get mail")
    expect(box).to_be_focused()
    assert not Domain.objects.get(name="acme.test").suspended

    page.keyboard.press("Space")  # the focus is on the box: the keyboard user ticks it at once
    page.get_by_role("button", name="Suspend Domain").click()
    expect(page.get_by_role("button", name="Resume Domain")).to_be_visible()
    assert Domain.objects.get(name="acme.test").suspended


def test_drop_root_asks_on_a_page_of_its_own(page: Page, live_server):
    from server import documents, privilege

    factories.initialize_server()
    documents.write(documents.RUNTIME, {"RootPrivilege": privilege.ROOT})
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Settings/General")

    page.get_by_role("button", name="Drop Root").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Drop Root")
    page.get_by_role("button", name="Drop Root").click()  # unticked

    expect(page.get_by_role("alert").filter(has_text="nothing was changed")).to_be_visible()
    expect(page.get_by_label("Yes, drop root", exact=False)).to_be_focused()
    assert "RootPrivilegeRequest" not in documents.read(documents.RUNTIME)
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("General")


def test_bulk_removal_lists_the_accounts_and_asks_first(page: Page, live_server):
    from accounts.models import Account

    factories.initialize_server()
    domain = factories.make_domain("acme.test")
    for name in ("anna", "bob", "carl"):
        factories.make_account(domain, name)
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD,
           "/Master/Users/Domains/acme.test/Accounts")

    page.get_by_label("Select anna").check()
    page.get_by_label("Select carl").check()
    page.get_by_label("Action").select_option("remove")
    page.get_by_role("button", name="Apply…").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Remove: 2 account(s)")
    expect(page.get_by_role("listitem").filter(has_text="anna@acme.test")).to_be_visible()
    page.get_by_role("button", name="Apply to the selected accounts").click()  # unticked
    expect(page.get_by_role("alert").filter(has_text="nothing was changed")).to_be_visible()
    box = page.get_by_label("Yes, do this to the 2 account(s) listed: Remove")
    expect(box).to_be_focused()
    assert Account.objects.filter(domain__name="acme.test").count() == 3

    page.keyboard.press("Space")
    page.get_by_role("button", name="Apply to the selected accounts").click()
    expect(page.get_by_text("Done for 2 account(s).")).to_be_visible()
    assert list(Account.objects.filter(domain__name="acme.test").values_list("name", flat=True)) == ["bob"]


def test_removing_an_alert_or_a_subscriber_asks_first_and_an_unticked_box_changes_nothing(page: Page, live_server):
    from lists.models import Subscriber
    from lists.services import list_create, list_subscribe
    from logs.alerts import DOMAIN, alerts_read
    from logs.services import alert_post

    factories.initialize_server()
    domain = factories.make_domain("acme.test")
    factories.make_account(domain, "owner")
    stamp = alert_post(actor=None, scope=DOMAIN, name="acme.test", text="Maintenance at noon")
    staff = list_create(actor=None, domain=domain, name="staff", owner="owner")
    list_subscribe(actor=None, mailing_list=staff, operation="feed", subscriber="ann@remote.example")
    log_in(page, live_server.url, "postmaster", factories.POSTMASTER_PASSWORD, "/Master/Users/Domains/acme.test/Alerts")

    expect(page.get_by_role("columnheader", name="Actions")).to_be_attached()
    page.get_by_role("button", name=f"Remove the alert posted {stamp}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove Alert")
    expect(page.get_by_role("listitem").filter(has_text="Maintenance at noon")).to_be_visible()
    page.get_by_role("button", name="Remove Alert").click()  # unticked
    expect(page.get_by_role("alert").filter(has_text="nothing was changed")).to_be_visible()
    expect(page.get_by_label(f"Yes, remove the alert posted {stamp}")).to_be_focused()
    assert alerts_read(None, DOMAIN, "acme.test")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Remove Alert").click()
    expect(page.locator("ul.messages")).to_contain_text("Alert removed.")
    assert not alerts_read(None, DOMAIN, "acme.test")

    page.goto(f"{live_server.url}/Master/Users/Domains/acme.test/Lists/staff")
    page.get_by_role("button", name="Remove ann@remote.example").click()
    page.get_by_role("button", name="Remove Subscriber").click()  # unticked
    expect(page.get_by_role("alert").filter(has_text="nothing was changed")).to_be_visible()
    box = page.get_by_label("Yes, remove ann@remote.example from staff@acme.test")
    expect(box).to_be_focused()
    assert Subscriber.objects.filter(address="ann@remote.example").exists()
    box.check()
    page.get_by_role("button", name="Remove Subscriber").click()
    expect(page.locator("ul.messages")).to_contain_text("Subscriber removed.")
    assert not Subscriber.objects.exists()
