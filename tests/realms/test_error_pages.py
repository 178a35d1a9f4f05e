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


def _crash(request):
    raise RuntimeError("a bug")


def test_a_server_error_is_a_webadmin_page_with_the_navigation_in_the_administrators_language(
        postmaster, settings, monkeypatch):
    """Django's own 500 view draws the page without the request: no navigation, no language."""
    import sys
    import types

    from django.urls import path

    from accounts.services import account_update_prefs
    from cgadmin import urls
    from realms import pages

    crashing = types.ModuleType("tests_crash_urls")
    crashing.urlpatterns = [path("crash", pages.authenticated(_crash)), *urls.urlpatterns]
    crashing.handler500 = urls.handler500
    monkeypatch.setitem(sys.modules, "tests_crash_urls", crashing)
    settings.ROOT_URLCONF = "tests_crash_urls"
    account_update_prefs(actor=None, account=postmaster, updates={"Language": "German"})
    browser = Client(raise_request_exception=False, **basic_auth("postmaster", POSTMASTER_PASSWORD))

    response = browser.get("/crash", **HTML)

    page = response.content.decode()
    assert response.status_code == 500
    assert "Serverfehler" in page and 'lang="de"' in page
    assert 'aria-label="Bereiche"' in page and 'href="/"' in page and "webadmin.css" in page
    assert "a bug" not in page


def test_a_foreign_domain_is_refused_in_plain_words_with_a_way_back(personas, as_basic):
    response = as_basic(personas.domain_admin_with_right).get("/Domain/Domains/client2.test/Settings", **HTML)

    page = response.content.decode()
    assert response.status_code == 403
    assert "Your account may not open this page" in page and ">not enough access rights<" not in page
    assert 'href="/"' in page.split('id="content"')[1]  # the way back is in the page, not only the header
