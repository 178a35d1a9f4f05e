"""Realm access by right under both URL schemes ("Separate WebAdmin Realms" off and on)."""

import pytest
from django.test import Client

from tests.conftest import basic_auth, login_name
from tests.factories import PASSWORD, POSTMASTER_PASSWORD
from tests.helpers import set_separate_realms

pytestmark = pytest.mark.django_db
HTML = {"HTTP_ACCEPT": "text/html"}
REALM_PAGES = {
    "Settings": "Settings/General",
    "Users": "Users/Domains",
    "Monitors": "Monitors/Audit",
    "Directory": "Directory/Units",
    "Master": "Master/Rights",
}


def _master_url(realm):
    return f"/Master/{REALM_PAGES[realm]}"


def _separate_url(realm):
    return f"/{REALM_PAGES[realm]}"


def test_master_scheme_needs_the_master_right(personas, as_basic):
    for realm in REALM_PAGES:
        assert as_basic(personas.postmaster).get(_master_url(realm)).status_code == 200, realm
        assert as_basic(personas.settings_admin).get(_master_url(realm)).status_code == 403, realm


def test_master_scheme_redirects_separate_urls_to_master_ones(postmaster, as_basic):
    response = as_basic(postmaster).get("/Settings/General")

    assert response.status_code == 302
    assert response["Location"] == "/Master/Settings/General"


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("postmaster", {"Settings", "Users", "Monitors", "Directory", "Master"}),
        ("settings_admin", {"Settings"}),
        ("domains_read", {"Users"}),
        ("all_domains", {"Users"}),
        ("monitor", {"Monitors"}),
        ("directory_admin", {"Directory"}),
        ("plain_user", set()),
        ("domain_admin_with_right", set()),
    ],
)
def test_separate_realms_need_each_realms_own_right(personas, as_basic, persona, allowed):
    set_separate_realms(True)
    account = getattr(personas, persona)
    for realm in REALM_PAGES:
        expected = 200 if realm in allowed else 403
        assert as_basic(account).get(_separate_url(realm)).status_code == expected, realm


def test_separate_scheme_redirects_master_urls(postmaster, as_basic):
    set_separate_realms(True)

    assert as_basic(postmaster).get("/Master/Settings/General")["Location"] == "/Settings/General"
    assert as_basic(postmaster).get("/Master/Master/Rights")["Location"] == "/Master/Rights"


def test_each_separate_realm_asks_for_its_own_login(personas):
    set_separate_realms(True)
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "/Settings/General"})

    assert browser.get("/Settings/General", **HTML).status_code == 200
    users = browser.get("/Users/Domains", **HTML)
    assert users.status_code == 302
    assert "realm=Users" in users["Location"]
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "/Users/Domains"})
    assert browser.get("/Users/Domains", **HTML).status_code == 200


def test_one_master_login_opens_every_realm(personas):
    browser = Client()
    browser.post("/login/", {"name": "postmaster", "password": POSTMASTER_PASSWORD, "next": "/"})

    for realm in REALM_PAGES:
        assert browser.get(_master_url(realm), **HTML).status_code == 200, realm


def test_a_realm_root_opens_its_first_page(postmaster, as_basic):
    assert as_basic(postmaster).get("/Master/Settings/")["Location"] == "/Master/Settings/General"


def test_the_root_links_the_realms_the_account_may_use(personas, as_basic):
    set_separate_realms(True)
    overview = as_basic(personas.monitor).get("/")

    assert overview.status_code == 200 and overview.context["links"] == {"Monitors": "/Monitors/"}
    assert as_basic(personas.plain_user).get("/").status_code == 403


def test_domain_administrators_use_the_domain_webadmin(personas, as_basic):
    admin = personas.domain_admin_with_right

    response = as_basic(admin).get("/Domain/Domains")
    assert response.status_code == 200
    assert b"client1.test" in response.content
    assert b"client2.test" not in response.content
    assert as_basic(personas.plain_user).get("/Domain/Domains").status_code == 403
    assert login_name(admin) == "admin@client1.test"


def test_navigation_lists_only_the_realms_the_account_may_open(personas, as_basic):
    set_separate_realms(True)
    page = as_basic(personas.monitor).get("/Monitors/Audit").content.decode()

    assert 'href="/Monitors/"' in page
    assert 'href="/Settings/"' not in page
    assert PASSWORD not in page


def test_a_wrong_password_is_challenged_with_the_pages_own_realm(personas):
    set_separate_realms(True)
    wrong = Client(**basic_auth("postmaster", "not-the-password"))

    for realm in REALM_PAGES:
        response = wrong.get(_separate_url(realm))
        assert response.status_code == 401, realm
        assert response["WWW-Authenticate"].startswith(f'Basic realm="CommuniGate Pro {realm}"'), realm
    assert wrong.get("/Domain/").get("WWW-Authenticate", "").startswith('Basic realm="CommuniGate Pro Domain"')


def test_a_wrong_password_under_the_master_scheme_is_challenged_with_master(personas):
    response = Client(**basic_auth("postmaster", "not-the-password")).get(_master_url("Users"))

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith('Basic realm="CommuniGate Pro Master"')
