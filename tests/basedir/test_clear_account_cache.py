"""ClearAccountCache: account.settings and account.info re-read from the base directory."""

from __future__ import annotations

import datetime

import pytest

from accounts.models import Account
from basedir import paths
from basedir.reload import account_clear_cache
from cgadmin.errors import AccessDenied, GeneralError, InvalidInput
from cli.dispatch import execute
from logs.models import AuditEntry
from tests import factories
from tests.basedir.tree import write_account, write_settings
from tests.webforms import form_with, main_of


@pytest.fixture
def jane(base, client1) -> Account:
    account = factories.make_account(client1, "jane", RealName="Jane Doe")
    write_account(account)
    return account


def edit_files(account: Account, **settings: object) -> None:
    path = paths.account_settings_file(account)
    from cgadmin.dataformat import load_settings_file

    values = load_settings_file(path.read_text())
    write_settings(path, {**values, **settings})


def test_settings_and_info_are_read_back_into_the_database(jane):
    edit_files(jane, RealName="Jane Restored")
    login = datetime.datetime(2026, 11, 1, 8, 30)
    write_settings(paths.account_info_file(jane), {"#LastLogin": login, "#LastAddress": "192.0.2.7"})

    cleared = account_clear_cache(actor=None, account=jane)

    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Restored"
    assert jane.info == {"LastLogin": login, "LastAddress": "192.0.2.7"}
    assert cleared.settings == ("RealName",) and cleared.info == ("LastAddress", "LastLogin")
    entry = AuditEntry.objects.get(event="account.clear_cache")
    assert entry.after == "{Info=(LastAddress,LastLogin);Settings=(RealName);}"


def test_settings_missing_from_the_file_go_back_to_their_defaults(jane):
    path = paths.account_settings_file(jane)
    write_settings(path, {"Password": jane.password})
    account_clear_cache(actor=None, account=jane)
    jane.refresh_from_db()
    assert "RealName" not in jane.settings
    assert jane.check_password(factories.PASSWORD)  # the stored password form read back unchanged


def test_a_restored_password_replaces_the_current_one(jane):
    from accounts.services import account_set_password

    account_set_password(actor=None, account=jane, password="changed since the backup")  # files keep the old one
    account_clear_cache(actor=None, account=jane)
    jane.refresh_from_db()
    assert jane.check_password(factories.PASSWORD)
    assert AuditEntry.objects.filter(event="account.password", object_name=jane.address).count() == 2


def test_passwords_are_written_in_communigates_forms_and_every_form_is_read_back(base, client1):
    from accounts.hashers import recover_password
    from basedir.export import export_full

    clear = factories.make_account(client1, "clear", PasswordEncryption="clear")
    kept = factories.make_account(client1, "kept", PasswordEncryption="A-crpt")
    hashed = factories.make_account(client1, "hashed")
    export_full()
    on_disk = {account.name: load(paths.account_settings_file(account))["Password"]
               for account in (clear, kept, hashed)}

    assert on_disk["clear"] == factories.PASSWORD  # `clear`: the text itself, as CommuniGate writes it
    assert on_disk["kept"] == "\x01" + kept.password and on_disk["hashed"] == "\x01" + hashed.password
    assert '"\\001' in paths.account_settings_file(hashed).read_text()  # written "\001...", never clear text

    # read back: CommuniGate's clear text and marked forms, and cgadmin's earlier unmarked ones
    for account, password in ((clear, "new clear one"), (kept, "\x01" + kept.password), (hashed, hashed.password)):
        account_set_password_to(account, "changed since the backup")
        edit_files(account, Password=password)
        account_clear_cache(actor=None, account=account)
        account.refresh_from_db()
    assert clear.check_password("new clear one") and clear.password.startswith("clear$")
    assert recover_password(kept.password) == factories.PASSWORD
    assert hashed.check_password(factories.PASSWORD)

    edit_files(hashed, Password="\x01 an encryption nobody here knows")
    with pytest.raises(InvalidInput, match="cannot check"):
        account_clear_cache(actor=None, account=hashed)


def load(path):
    from cgadmin.dataformat import load_settings_file

    return load_settings_file(path.read_text())


def account_set_password_to(account: Account, password: str) -> None:
    from accounts.services import account_set_password

    account_set_password(actor=None, account=account, password=password)


def test_a_file_that_does_not_parse_changes_nothing(jane):
    paths.account_settings_file(jane).write_text("{RealName = \"unterminated;\n")
    with pytest.raises(InvalidInput, match=r"Domains/client1\.test/jane\.macnt/account\.settings does not parse"):
        account_clear_cache(actor=None, account=jane)
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Doe"
    assert not AuditEntry.objects.filter(event="account.clear_cache").exists()


def test_a_bad_value_changes_nothing(jane):
    edit_files(jane, RealName="Changed", MaxAccountSize="lots")
    with pytest.raises(InvalidInput, match="MaxAccountSize"):
        account_clear_cache(actor=None, account=jane)
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Doe"


def test_missing_files_are_a_clear_error(jane):
    paths.account_settings_file(jane).unlink()
    with pytest.raises(GeneralError, match=r"account\.settings does not exist"):
        account_clear_cache(actor=None, account=jane)


def test_rights_are_checked_in_the_service(jane, personas):
    with pytest.raises(AccessDenied):
        account_clear_cache(actor=personas.domain_admin_without_right, account=jane)
    account_clear_cache(actor=personas.domain_admin_with_right, account=jane)  # BasicSettings


def test_the_cli_verb(jane, postmaster):
    edit_files(jane, RealName="From Disk")
    answer = execute("ClearAccountCache jane@client1.test", actor=postmaster, logged_in=True, peer="192.0.2.1")
    assert answer.ok
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "From Disk"


def test_the_account_page_button(jane, postmaster, expert, as_basic):
    admin = expert(postmaster)
    client = as_basic(admin)
    url = "/Master/Users/Domains/client1.test/Accounts/jane"
    page = client.get(url).content.decode()
    assert "Clear Account Cache" in page
    edit_files(jane, RealName="From Disk")

    response = client.post(url, form_with(page, "clearcache"), follow=True)

    assert "Account cache cleared" in main_of(response)
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "From Disk"


def test_the_button_reports_a_refusal(jane, postmaster, expert, as_basic):
    client = as_basic(expert(postmaster))
    url = "/Master/Users/Domains/client1.test/Accounts/jane"
    page = client.get(url).content.decode()
    paths.account_settings_file(jane).write_text("not a dictionary")
    response = client.post(url, form_with(page, "clearcache"), follow=True)
    assert "does not parse" in main_of(response)


def test_the_button_needs_a_post_with_the_csrf_token(jane, postmaster):
    from django.test import Client

    from tests.conftest import basic_auth

    client = Client(enforce_csrf_checks=True, **basic_auth("postmaster", factories.POSTMASTER_PASSWORD))
    edit_files(jane, RealName="From Disk")
    response = client.post("/Master/Users/Domains/client1.test/Accounts/jane", {"action": "clearcache"})
    assert response.status_code == 403
    jane.refresh_from_db()
    assert jane.settings["RealName"] == "Jane Doe"


def test_the_button_is_shown_only_with_the_right(jane, personas, as_basic):
    page = as_basic(personas.domain_admin_with_right).get("/Domain/Domains/client1.test/Accounts/jane")
    assert "Clear Account Cache" in page.content.decode()
    page = as_basic(personas.domain_admin_without_right).get("/Domain/Domains/client1.test/Accounts/jane")
    assert page.status_code == 200
    assert "Clear Account Cache" not in page.content.decode()
