"""WebAdmin sessions end after 30 minutes idle, 12 hours after login however busy, and at once when
the account is disabled or its sessions are killed."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import account_kill_sessions, account_update_settings
from realms.middleware import LAST_SEEN_RESOLUTION, SESSION_LAST_SEEN, SESSION_LOGIN_TIME
from tests.factories import POSTMASTER_PASSWORD, make_account

pytestmark = pytest.mark.django_db
GENERAL = "/Master/Settings/General"
HTML = {"HTTP_ACCEPT": "text/html"}


def _browser(name: str = "postmaster", password: str = POSTMASTER_PASSWORD) -> Client:
    browser = Client()
    response = browser.post("/login/", {"name": name, "password": password, "next": GENERAL})
    assert response.status_code == 302 and response["Location"] == GENERAL
    return browser


def _shift(browser: Client, **ages: int) -> None:
    """Pretend the login (or the last request) happened this many seconds ago."""
    session = browser.session
    now = int(time.time())
    for key, age in ages.items():
        session[key] = now - age
    session.save()


def _logged_out(browser: Client) -> bool:
    response = browser.get(GENERAL, **HTML)
    return response.status_code == 302 and response["Location"].startswith("/login/?next=")


def test_a_session_idle_for_thirty_minutes_ends(postmaster):
    browser = _browser()
    _shift(browser, **{SESSION_LAST_SEEN: 29 * 60})
    assert not _logged_out(browser)

    _shift(browser, **{SESSION_LAST_SEEN: 31 * 60})
    assert _logged_out(browser)


def test_a_page_view_writes_the_session_once_a_minute_at_most(postmaster):
    browser = _browser()
    _shift(browser, **{SESSION_LAST_SEEN: LAST_SEEN_RESOLUTION - 5})
    seen = browser.session[SESSION_LAST_SEEN]

    with CaptureQueriesContext(connection) as queries:
        assert not _logged_out(browser)
    assert not [query for query in queries if "UPDATE" in query["sql"]]
    assert browser.session[SESSION_LAST_SEEN] == seen

    _shift(browser, **{SESSION_LAST_SEEN: LAST_SEEN_RESOLUTION + 1})
    assert not _logged_out(browser)
    assert browser.session[SESSION_LAST_SEEN] >= int(time.time()) - 1


def test_a_busy_session_still_ends_twelve_hours_after_login(postmaster):
    browser = _browser()
    _shift(browser, **{SESSION_LOGIN_TIME: 11 * 3600 + 3000, SESSION_LAST_SEEN: 10})
    assert not _logged_out(browser)

    _shift(browser, **{SESSION_LOGIN_TIME: 12 * 3600 + 1, SESSION_LAST_SEEN: 10})
    assert _logged_out(browser)


def test_disabling_the_account_ends_its_sessions_at_once(postmaster):
    make_account(None, "helper", rights=["Master"])
    browser = _browser("helper", "correct horse")
    assert not _logged_out(browser)

    helper = postmaster.__class__.objects.get(name="helper")
    account_update_settings(actor=postmaster, account=helper, updates={"AccessModes": "None"})

    assert _logged_out(browser)


def test_kill_account_sessions_ends_them_at_once_and_a_new_login_works(postmaster):
    browser = _browser()
    account_kill_sessions(actor=None, account=postmaster)

    assert _logged_out(browser)
    assert not _logged_out(_browser())
