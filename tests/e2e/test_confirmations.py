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
