"""The account settings that act at login: LogLogin (a Server Log record of each login and logout)
and UseAppPassword (NO: the account's password opens nothing), through the real login paths."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client

from accounts.services import account_update_settings
from cli.session import Session
from logs import serverlog
from tests.conftest import basic_auth
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db
GENERAL = "/Master/Settings/General"
# A page jane may not open: 403 says her login was accepted, 401 that it was refused.
PAGE = GENERAL


@pytest.fixture
def log_folder(settings, tmp_path):
    settings.CGATE_BASE = tmp_path
    serverlog.forget_levels()
    yield tmp_path / "SystemLogs"
    serverlog.forget_levels()


def records(folder) -> list[str]:
    return [line for item in reversed(serverlog.log_files(folder)) for line in item.path.read_text().splitlines()]


def form_login(name: str, password: str = PASSWORD) -> tuple[Client, int]:
    browser = Client()
    response = browser.post("/login/", {"name": name, "password": password, "next": "/"})
    return browser, response.status_code


def cli_login(name: str, password: str = PASSWORD) -> list[str]:
    return Session(peer="192.0.2.7", session_id=7, host="mail.example.test").handle(
        f"AUTH WEBUSER {name} {password}").lines


def test_log_login_records_each_login_and_logout_of_that_account_only(log_folder, postmaster, client1):
    make_account(client1, "jane", rights=[], LogLogin="YES")
    make_account(client1, "joe", rights=[])

    browser, status = form_login("jane@client1.test")
    assert status == 302
    assert browser.post("/logout/").status_code == 302
    assert form_login("joe@client1.test")[1] == 302
    assert cli_login("jane@client1.test") == ["200 login OK, proceed"]
    form_login("jane@client1.test", "wrong")

    logged = [line for line in records(log_folder) if "LogLogin" in line]
    assert len(logged) == 3
    assert " 2 HTTPA(" in logged[0] and "jane@client1.test logged in (WebAdmin, LogLogin)" in logged[0]
    assert "jane@client1.test logged out (WebAdmin, LogLogin)" in logged[1]
    assert " 2 CLI" in logged[2] and "jane@client1.test logged in (CLI, LogLogin)" in logged[2]
    assert not any("joe@client1.test" in line for line in logged)


def test_log_login_from_the_account_defaults_applies_to_every_account(log_folder, postmaster, client1):
    from domains.services import account_defaults_update

    account_defaults_update(actor=None, domain=client1, updates={"LogLogin": "YES"})
    make_account(client1, "joe", rights=[])

    assert Client(**basic_auth("joe@client1.test")).get(PAGE).status_code == 403
    assert any("joe@client1.test logged in (WebAdmin, LogLogin)" in line for line in records(log_folder))


def test_use_app_password_no_refuses_the_password_on_every_login_path(postmaster, client1):
    jane = make_account(client1, "jane", rights=["BasicSettings"], UseAppPassword="NO", PasswordEncryption="clear")

    assert form_login("jane@client1.test")[1] == 200  # the form again, with its failure text
    assert Client(**basic_auth("jane@client1.test")).get(PAGE).status_code == 401
    assert cli_login("jane@client1.test")[0].startswith("515 ")
    session = Session(peer="192.0.2.7", session_id=8, host="mail.example.test")
    session.greeting()
    digest = hashlib.md5((session.challenge + PASSWORD).encode()).hexdigest()
    assert not session.handle(f"APOP jane@client1.test {digest}").lines[0].startswith("200")

    account_update_settings(actor=None, account=jane, updates={"UseAppPassword": "YES"})
    assert form_login("jane@client1.test")[1] == 302
    assert Client(**basic_auth("jane@client1.test")).get(PAGE).status_code == 403
    assert cli_login("jane@client1.test") == ["200 login OK, proceed"]
    session = Session(peer="192.0.2.7", session_id=9, host="mail.example.test")
    session.greeting()
    digest = hashlib.md5((session.challenge + PASSWORD).encode()).hexdigest()
    assert session.handle(f"APOP jane@client1.test {digest}").lines == ["200 login OK, proceed"]


def test_use_app_password_no_ends_a_remembered_http_basic_credential(postmaster, client1):
    jane = make_account(client1, "jane", rights=["BasicSettings"])
    client = Client(**basic_auth("jane@client1.test"))
    assert client.get(PAGE).status_code == 403  # verified, and remembered (realms.basic_cache)

    account_update_settings(actor=None, account=jane, updates={"UseAppPassword": "NO"})

    assert client.get(PAGE).status_code == 401
