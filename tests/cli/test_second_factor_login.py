"""The CLI is no way around the second factor (issue 5): an account with TOTP logs in with USER/PASS
or AUTH WEBUSER giving its password followed by the current code, never with APOP or HTTP Basic
(POST /CLI/); a server administrator whom RequireAdminTOTP obliges to set one up cannot log into
the CLI until it has. Every refusal is the same 515 as a wrong password."""

from __future__ import annotations

import hashlib
import time

import pyotp
import pytest
from django.test import Client

from cli.session import Session
from realms import second_factor as totp
from server.services import server_settings_update
from tests import factories
from tests.conftest import basic_auth

pytestmark = pytest.mark.django_db
PM = factories.POSTMASTER_PASSWORD
OK = ["200 login OK, proceed"]
FAILED = ["515 incorrect password or account name"]


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _enrol(account) -> str:
    secret = totp.second_factor_begin(actor=account, account=account)
    totp.second_factor_confirm(actor=account, account=account, code=_code(secret, -30))
    return secret


def _session(peer: str = "192.0.2.1") -> Session:
    return Session(peer=peer, session_id=1, host="mail.example.test")


def _user_pass(name: str, password: str, peer: str = "192.0.2.1") -> list[str]:
    session = _session(peer)
    assert session.handle(f"USER {name}").lines[0].startswith("300 ")
    return session.handle(f"PASS {password}").lines


def test_with_a_second_factor_the_password_alone_is_refused_and_password_plus_code_admitted(postmaster):
    secret = _enrol(postmaster)

    assert _user_pass("postmaster", PM) == FAILED
    assert _user_pass("postmaster", PM + "000000") == FAILED  # a wrong code
    assert _user_pass("postmaster", "wrong" + _code(secret)) == FAILED  # the right code, a wrong password
    assert _user_pass("postmaster", PM + _code(secret)) == OK


def test_each_code_opens_one_session_only(postmaster):
    secret = _enrol(postmaster)
    code = _code(secret)

    assert _user_pass("postmaster", PM + code) == OK
    assert _user_pass("postmaster", PM + code) == FAILED  # replayed
    assert _session().handle(f"AUTH WEBUSER postmaster {PM}{_code(secret, 30)}").lines == OK  # the next one


def test_apop_cannot_carry_a_code_so_it_never_opens_an_account_with_a_second_factor(postmaster, client1):
    admin = factories.make_domain_admin(client1, "admin", "BasicSettings")
    from accounts.services import account_update_settings

    account_update_settings(actor=None, account=admin, updates={"PasswordEncryption": "A-crpt",
                                                                "Password": factories.PASSWORD})

    def apop() -> list[str]:
        session = _session()
        challenge = session.challenge
        digest = hashlib.md5((challenge + factories.PASSWORD).encode()).hexdigest()
        return session.handle(f"APOP admin@client1.test {digest}").lines

    assert apop() == OK
    _enrol(admin)
    assert apop() == FAILED


def test_a_server_administrator_obliged_to_set_up_a_factor_cannot_log_in_until_it_has(postmaster, client1):
    factories.make_account(client1, "user")
    server_settings_update(actor=None, updates={"RequireAdminTOTP": "YES"})

    assert _user_pass("postmaster", PM) == FAILED
    assert _session().handle(f"AUTH WEBUSER postmaster {PM}").lines == FAILED
    assert _user_pass("user@client1.test", factories.PASSWORD) == OK  # no server right: not concerned

    secret = _enrol(postmaster)
    assert _user_pass("postmaster", PM + _code(secret)) == OK


def test_without_a_second_factor_a_password_ending_in_digits_is_just_a_password(client1):
    from accounts.services import account_set_password

    account_set_password(actor=None, account=factories.make_account(client1, "digits"), password="secret123456")

    assert _user_pass("digits@client1.test", "secret123456") == OK
    assert _user_pass("digits@client1.test", "secret") == FAILED


def test_refusals_for_want_of_the_code_count_as_failed_logins(postmaster):
    secret = _enrol(postmaster)
    attacker = "198.51.100.9"
    for _ in range(40):  # the right password again and again, without the code
        assert _user_pass("postmaster", PM, peer=attacker) == FAILED

    assert _user_pass("postmaster", PM + _code(secret), peer=attacker) == FAILED  # this address is blocked now
    assert _user_pass("postmaster", PM + _code(secret), peer="192.0.2.1") == OK


def test_the_http_cli_refuses_basic_credentials_of_an_account_with_a_second_factor(postmaster):
    secret = _enrol(postmaster)

    for password in (PM, PM + _code(secret)):
        response = Client(**basic_auth("postmaster", password)).post("/CLI/", {"command": "ListDomains"})
        assert response.status_code == 401
