"""A browser keeps HTTP Basic credentials and attaches them to every request for the WebAdmin's
origin, even those a page of another site makes (a hidden form posting to /CLI/, an <img> asking
for GET /CLI/?command=...). Such requests are refused before the credentials are looked at; a
script (curl, the vendor's HTTP clients) sends no Origin and is served as before."""

from __future__ import annotations

import pytest
from django.test import Client

from domains.models import Domain
from tests import factories
from tests.conftest import basic_auth

pytestmark = pytest.mark.django_db
PM = factories.POSTMASTER_PASSWORD
REFUSED = b"403 cross-origin requests with HTTP Basic credentials are refused\n"


def browser(**headers: str) -> Client:
    return Client(**basic_auth("postmaster", PM), **headers)


def test_a_form_of_another_site_posting_to_the_cli_is_refused_and_runs_nothing(postmaster):
    answer = browser(HTTP_ORIGIN="https://evil.example").post("/CLI/", {"command": "CreateDomain evil.test"})

    assert (answer.status_code, answer.content) == (403, REFUSED)
    assert not Domain.objects.filter(name="evil.test").exists()


def test_an_image_of_another_site_asking_the_cli_by_get_is_refused_even_as_a_navigation(postmaster):
    for mode in ("no-cors", "navigate"):
        answer = browser(HTTP_SEC_FETCH_SITE="cross-site", HTTP_SEC_FETCH_MODE=mode).get(
            "/CLI/", {"command": "CreateDomain evil.test"})
        assert answer.status_code == 403
    assert not Domain.objects.filter(name="evil.test").exists()


def test_a_sibling_site_and_an_opaque_origin_are_foreign_too(postmaster):
    assert browser(HTTP_SEC_FETCH_SITE="same-site").post("/CLI/", {"command": "NOOP"}).status_code == 403
    assert browser(HTTP_ORIGIN="null").post("/CLI/", {"command": "NOOP"}).status_code == 403


def test_the_webadmins_own_pages_and_scripts_still_use_the_cli(postmaster):
    own = browser(HTTP_ORIGIN="http://testserver", HTTP_SEC_FETCH_SITE="same-origin")
    assert own.post("/CLI/", {"command": "CreateDomain own.test"}).content == b"200 OK\r\n"
    assert browser().post("/CLI/", {"command": "CreateDomain script.test"}).content == b"200 OK\r\n"
    assert browser(HTTP_SEC_FETCH_SITE="none").get("/CLI/", {"command": "NOOP"}).status_code == 200


def test_basic_credentials_on_a_page_post_from_another_site_are_refused(postmaster):
    answer = browser(HTTP_ORIGIN="https://evil.example").post("/Master/Users/Domains", {"name": "evil.test"})

    assert (answer.status_code, answer.content) == (403, REFUSED)
    assert not Domain.objects.filter(name="evil.test").exists()


def test_a_link_from_another_site_still_opens_a_page(postmaster):
    answer = browser(HTTP_SEC_FETCH_SITE="cross-site", HTTP_SEC_FETCH_MODE="navigate").get("/Master/Settings/General")

    assert answer.status_code == 200
