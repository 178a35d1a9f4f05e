"""The optional TOTP second factor of administrators: set up on the Preferences page, asked at the
login form, refused over HTTP Basic, and required of every server administrator by a server setting."""

import time

import pyotp
import pytest
from django.test import Client

from cgadmin.errors import GeneralError, InvalidInput
from realms import second_factor as totp
from realms.models import SecondFactor
from server.services import server_settings_update
from tests.conftest import basic_auth
from tests.factories import POSTMASTER_PASSWORD, make_account

pytestmark = pytest.mark.django_db
PREFS = "/Master/Settings/Preferences"
GENERAL = "/Master/Settings/General"
HTML = {"HTTP_ACCEPT": "text/html"}
FAILED = "Incorrect password or account name."


def _code(secret: str, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + offset)


def _login(code: str = "", password: str = POSTMASTER_PASSWORD, name: str = "postmaster") -> tuple[Client, object]:
    browser = Client()
    response = browser.post("/login/", {"name": name, "password": password, "code": code, "next": GENERAL})
    return browser, response


def _enrol(account) -> str:
    secret = totp.second_factor_begin(actor=account, account=account)
    totp.second_factor_confirm(actor=account, account=account, code=_code(secret, -30))
    return secret


def test_enrolment_on_the_preferences_page(postmaster):
    browser, _ = _login()
    browser.post(PREFS, {"action": "totp_begin"})
    page = browser.get(PREFS).content.decode()
    secret = SecondFactor.objects.get(account=postmaster).secret
    assert secret in page and "otpauth://totp/" in page

    wrong = browser.post(PREFS, {"action": "totp_confirm", "code": "000000"})
    assert wrong.status_code == 302 and not totp.enrolled(postmaster)
    browser.post(PREFS, {"action": "totp_confirm", "code": _code(secret)})

    assert totp.enrolled(postmaster)
    shown_once = browser.get(PREFS).content.decode()
    assert "Second factor: on" in shown_once
    assert shown_once.count('<li><code>') == totp.RECOVERY_CODES
    assert '<li><code>' not in browser.get(PREFS).content.decode()


def test_the_set_up_shows_a_qr_code_of_the_authenticator_address_drawn_here(postmaster):
    browser, _ = _login()
    browser.post(PREFS, {"action": "totp_begin"})
    page = browser.get(PREFS).content.decode()
    qr = page[page.index('<figure class="qr">'):page.index("</figure>")]
    browser.post(PREFS, {"action": "totp_begin"})  # a new key draws another code
    again = browser.get(PREFS).content.decode()

    assert "<svg" in qr and "<path" in qr and "http" not in qr.replace("http://www.w3.org/2000/svg", "")
    assert qr not in again


def test_a_recovery_code_logs_in_once_in_place_of_the_authenticators_code(postmaster):
    secret = totp.second_factor_begin(actor=postmaster, account=postmaster)
    recovery = totp.second_factor_confirm(actor=postmaster, account=postmaster, code=_code(secret, -30))
    stored = SecondFactor.objects.get(account=postmaster).recovery_codes

    assert len(set(recovery)) == totp.RECOVERY_CODES and not set(recovery) & set(stored)
    assert _login(recovery[0].upper())[1].status_code == 302  # typed as printed, in capitals or not
    assert _login(recovery[0])[1].status_code == 200  # used up
    assert _login(recovery[1].replace("-", " "))[1].status_code == 302
    assert len(SecondFactor.objects.get(account=postmaster).recovery_codes) == totp.RECOVERY_CODES - 2


def test_with_a_second_factor_the_login_form_needs_the_code_and_says_nothing_more(postmaster):
    secret = _enrol(postmaster)

    for code in ("", "123456", _code(secret, -3600)):
        _, refused = _login(code)
        assert refused.status_code == 200 and FAILED in refused.content.decode()
    _, wrong_password = _login(_code(secret), password="wrong")
    assert FAILED in wrong_password.content.decode()

    browser, accepted = _login(_code(secret))
    assert accepted.status_code == 302
    assert browser.get(GENERAL, **HTML).status_code == 200


def test_a_code_is_good_only_once(postmaster):
    secret = _enrol(postmaster)
    code = _code(secret)

    assert _login(code)[1].status_code == 302
    assert _login(code)[1].status_code == 200  # replayed


def test_http_basic_is_refused_for_an_account_with_a_second_factor(postmaster):
    basic = Client(**basic_auth("postmaster", POSTMASTER_PASSWORD))
    assert basic.get(GENERAL).status_code == 200

    _enrol(postmaster)

    assert basic.get(GENERAL).status_code == 401


def test_the_server_setting_sends_unenrolled_administrators_to_enrol_first(postmaster):
    server_settings_update(actor=postmaster, updates={"RequireAdminTOTP": "YES"})
    browser, response = _login()
    assert response.status_code == 302

    sent = browser.get(GENERAL, **HTML)
    assert sent.status_code == 302 and sent["Location"] == PREFS
    assert Client(**basic_auth("postmaster", POSTMASTER_PASSWORD)).get(GENERAL).status_code == 401

    browser.post(PREFS, {"action": "totp_begin"})
    secret = SecondFactor.objects.get(account=postmaster).secret
    browser.post(PREFS, {"action": "totp_confirm", "code": _code(secret)})
    assert browser.get(GENERAL, **HTML).status_code == 200
    with pytest.raises(GeneralError, match="requires a second factor"):
        totp.second_factor_remove(actor=postmaster, account=postmaster, code=_code(secret, 30))


def test_the_requirement_leaves_accounts_without_server_rights_alone(personas):
    server_settings_update(actor=None, updates={"RequireAdminTOTP": "YES"})

    assert not totp.must_enrol(personas.domain_admin_with_right)
    assert totp.must_enrol(personas.settings_admin)


def test_removal_needs_a_current_code_or_an_administrator(postmaster):
    helper = make_account(None, "helper", rights=["Monitor"])
    secret = _enrol(helper)

    with pytest.raises(InvalidInput):
        totp.second_factor_remove(actor=helper, account=helper, code="000000")
    totp.second_factor_remove(actor=helper, account=helper, code=_code(secret, 30))
    assert not totp.enrolled(helper)

    _enrol(helper)
    totp.second_factor_remove(actor=postmaster, account=helper)  # a lost phone
    assert not totp.enrolled(helper)
