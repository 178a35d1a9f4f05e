"""Error pages are WebAdmin pages: the navigation, plain words, a way back."""

import pytest
from django.test import Client

from tests.conftest import basic_auth
from tests.factories import POSTMASTER_PASSWORD

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html"}


def test_an_unknown_address_is_a_styled_page_with_the_navigation(postmaster):
    response = Client(**basic_auth("postmaster", POSTMASTER_PASSWORD)).get("/Master/Users/NoSuchPage", **HTML)

    page = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in page and "/Master/Users/NoSuchPage" in page
    assert 'aria-label="Realms"' in page and 'href="/"' in page and "webadmin.css" in page


def test_an_unknown_queue_answers_the_same_page(postmaster):
    browser = Client(**basic_auth("postmaster", POSTMASTER_PASSWORD))

    response = browser.get("/Master/Monitors/Queues/SMTP/nowhere", **HTML)

    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_an_expired_form_is_explained_in_plain_words(postmaster):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(postmaster, backend="realms.auth.AccountBackend")  # a session whose form went stale

    response = browser.post("/Master/Settings/General", {"action": "update"}, **HTML)

    page = response.content.decode()
    assert response.status_code == 403
    assert "The form has expired" in page and "Nothing was changed" in page
    assert "DEBUG" not in page
    assert 'href="/"' in page
