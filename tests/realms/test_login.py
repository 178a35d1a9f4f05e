"""Logging in to the WebAdmin by form (a browser session) and by HTTP Basic on every page."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from domains.selectors import main_domain_name
from server import strings
from server.services import server_strings_update
from tests.conftest import basic_auth
from tests.factories import PASSWORD, POSTMASTER_PASSWORD, make_account

pytestmark = pytest.mark.django_db
GENERAL = "/Master/Settings/General"
HTML = {"HTTP_ACCEPT": "text/html"}


def test_a_browser_without_a_session_is_sent_to_the_login_form(postmaster):
    response = Client().get(GENERAL, **HTML)

    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=%2FMaster%2FSettings%2FGeneral")


def test_a_script_without_credentials_gets_a_basic_challenge(postmaster):
    response = Client().get(GENERAL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="CommuniGate Pro Master"')


def test_form_login_opens_the_page_and_logout_ends_the_session(postmaster):
    browser = Client()
    page = browser.get("/login/?next=/Master/Settings/General")
    assert b'name="password"' in page.content

    response = browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": GENERAL})
    assert response.status_code == 302 and response["Location"] == GENERAL
    general = browser.get(GENERAL, **HTML)
    assert general.status_code == 200
    assert b"Main Domain Name" in general.content
    assert b"postmaster@mail.example.test" in general.content  # every page names its administrator

    assert browser.post("/logout/").status_code == 302
    assert browser.get(GENERAL, **HTML).status_code == 302


def test_basic_authentication_opens_any_page_without_a_session(postmaster):
    response = Client(**basic_auth("postmaster", POSTMASTER_PASSWORD)).get(GENERAL)

    assert response.status_code == 200
    assert b"Main Domain Name" in response.content


def test_wrong_basic_credentials_are_refused(postmaster):
    assert Client(**basic_auth("postmaster", "wrong")).get(GENERAL).status_code == 401


def test_secondary_domain_accounts_log_in_as_name_at_domain(client1):
    make_account(client1, "jane", rights=[])
    browser = Client()

    assert browser.post("/login/", {"name": "jane", "password": PASSWORD}).status_code == 200
    response = browser.post("/login/", {"name": "jane@client1.test", "password": PASSWORD, "next": "/"})
    assert response.status_code == 302


def test_the_answer_never_tells_whether_the_account_exists(postmaster):
    wrong_password = Client().post("/login/", {"name": "postmaster", "password": "nope"})
    unknown_name = Client().post("/login/", {"name": "nobody", "password": "nope"})

    assert wrong_password.status_code == unknown_name.status_code == 200
    assert b"Incorrect password or account name." in wrong_password.content
    assert b"Incorrect password or account name." in unknown_name.content


def test_repeated_failures_lock_out_that_address_only(postmaster):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):  # postmaster's FailedLoginFlow: 10 failures in 10 minutes
        attacker.post("/login/", {"name": "postmaster", "password": "guess"})

    refused = attacker.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "/"})
    assert refused.status_code == 200  # even the right password is refused from there for now
    other_address = Client(REMOTE_ADDR="198.51.100.7")
    accepted = other_address.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "/"})
    assert accepted.status_code == 302


def test_login_does_not_redirect_off_site(postmaster):
    response = Client().post(
        "/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_login_records_last_login_in_the_account_info(postmaster):
    Client(REMOTE_ADDR="192.0.2.4").post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD})

    postmaster.refresh_from_db()
    assert postmaster.info["LastAddress"] == "192.0.2.4"
    assert "LastLogin" in postmaster.info
    # the Accounts list sorts by the column: the same moment as the info's LastLogin (UTC)
    assert postmaster.last_login.replace(tzinfo=None) == postmaster.info["LastLogin"]


def test_the_login_page_and_the_basic_challenge_use_the_webadmin_server_strings(postmaster):
    default_page = Client().get("/login/").content.decode()
    assert "Log in to the WebAdmin of " in default_page

    server_strings_update(actor=postmaster, updates={
        "WebAdminLoginPrompt": "Welcome to ^0 administration", "WebAdminLoginFailed": "No entry.",
        "WebAdminRealm": 'Mail "^0"'})
    strings.forget()
    page = Client().get("/login/").content.decode()
    failed = Client().post("/login/", {"name": "postmaster", "password": "wrong"}).content.decode()
    challenge = Client().get(GENERAL)["WWW-Authenticate"]

    assert f"Welcome to {main_domain_name()} administration" in page
    assert "No entry." in failed and "Incorrect password" not in failed
    assert challenge.startswith('Basic realm="Mail \\"Master\\""')


def test_logging_out_says_so_on_the_login_page(postmaster):
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": GENERAL})

    response = browser.post("/logout/", follow=True)

    assert "You have logged out." in response.content.decode()


def test_a_form_sent_after_the_session_ended_is_reported_as_not_saved(postmaster):
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": GENERAL})
    Session.objects.all().delete()  # the session ends while the form is open

    sent = browser.post(GENERAL, {"ServerName": "changed.test"}, **HTML)
    login_page = browser.get(sent["Location"]).content.decode()
    again = browser.post(sent["Location"], {"name": "postmaster", "password": POSTMASTER_PASSWORD,
                                            "unsaved": "1", "next": GENERAL}, follow=True)

    assert sent.status_code == 302 and "unsaved=1" in sent["Location"]
    assert "the change you sent was not saved" in login_page
    assert again.redirect_chain[-1][0] == GENERAL
    assert "was not saved: make it again." in again.content.decode()
