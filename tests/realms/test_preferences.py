"""WebAdmin Preferences of each realm: objects per page, Monitors refresh period, character set and the
Interface Type, kept in the administrator's WebAdminPrefs; every page names the administrator and
links to them."""

from urllib.parse import urlencode

import pytest

from accounts.services import account_update_webadmin_prefs
from cgadmin.errors import InvalidInput
from server.selectors import server_settings
from tests.factories import make_account, make_domain
from tests.helpers import set_objects_per_page, table_rows
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db


def _prefs(account) -> dict:
    account.refresh_from_db()
    return account.settings["WebAdminPrefs"]


def test_each_realm_has_its_own_preferences_and_the_interface_type_is_shared(postmaster, as_basic):
    client = as_basic(postmaster)
    users = client.post("/Master/Users/Preferences", {"InterfaceType": "Advanced", "ObjectsPerPage": "2",
                                                      "Charset": "utf-8"})
    monitors = client.post("/Master/Monitors/Preferences", {"InterfaceType": "Advanced", "ObjectsPerPage": "50",
                                                            "RefreshRate": "120", "Charset": "koi8-r"})

    assert users.status_code == 302 and monitors.status_code == 302
    assert _prefs(postmaster) == {"InterfaceType": "Advanced", "Users": {"ObjectsPerPage": "2"},
                                  "Monitors": {"RefreshRate": "120", "Charset": "koi8-r"}}


def test_list_pages_show_the_chosen_number_of_objects(postmaster, as_basic):
    for name in ("a.test", "b.test", "c.test"):
        make_domain(name)
    account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={"ObjectsPerPage": "2"},
                                  realm="Users")

    page = main_of(as_basic(postmaster).get("/Master/Users/Domains"))

    assert ">a.test<" in page and ">b.test<" in page and ">c.test<" not in page and "after=b.test" in page


def test_a_domain_administrators_account_list_shows_its_own_objects_per_page(personas, as_basic):
    admin = personas.domain_admin_with_right
    for name in ("ann", "bob", "cid"):
        make_account(personas.client1, name)
    set_objects_per_page(personas.postmaster, "Users", 50)
    set_objects_per_page(admin, "Users", 2)

    mine = as_basic(admin).get("/Domain/Domains/client1.test/Accounts").content.decode()
    postmasters = as_basic(personas.postmaster).get("/Master/Users/Domains/client1.test/Accounts").content.decode()

    assert len(table_rows(mine)) == 2 and 'rel="next"' in mine
    assert len(table_rows(postmasters)) == 7 and 'rel="next"' not in postmasters  # four personas and three more


def test_every_page_ends_with_the_administrator_and_a_preferences_link(personas, as_basic):
    page = as_basic(personas.postmaster).get("/Master/Settings/General").content.decode()
    footer = page[page.index('<footer'):]
    assert "postmaster@mail.example.test" in footer and 'href="/Master/Settings/Preferences"' in footer

    domain_page = as_basic(personas.domain_admin_with_right).get("/Domain/Domains").content.decode()
    footer = domain_page[domain_page.index('<footer'):]
    assert "admin@client1.test" in footer and 'href="/Domain/Preferences"' in footer


def test_monitors_pages_refresh_at_the_chosen_period(postmaster, as_basic):
    account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={"RefreshRate": "2m"},
                                  realm="Monitors")
    client = as_basic(postmaster)
    page = client.get("/Master/Monitors/Preferences").content.decode()
    queues = client.get("/Master/Monitors/Queues").content.decode()

    assert 'name="RefreshRate"' in page and '<option value="120" selected>' in page
    assert 'data-refresh="120"' in queues and "cgadmin/refresh.js" in queues
    assert '<noscript><meta http-equiv="refresh" content="120"></noscript>' in queues  # without scripts
    assert "data-refresh" not in page  # only the Monitors pages of data refresh themselves


def test_pages_are_sent_in_the_chosen_character_set(postmaster, as_basic):
    account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={"Charset": "KOI8-R"},
                                  realm="Settings")
    client = as_basic(postmaster)

    response = client.get("/Master/Settings/General")

    assert response["Content-Type"] == "text/html; charset=koi8-r"
    assert b'<meta charset="koi8-r">' in response.content
    assert '<form accept-charset="utf-8" method="post"' in response.content.decode("koi8-r")
    form = form_with(response.content.decode("koi8-r"), "update", s_ContactPerson="Иван Петров")
    posted = client.post("/Master/Settings/General", urlencode(form),  # as the form's accept-charset asks
                         content_type="application/x-www-form-urlencoded")

    assert posted.status_code == 302
    assert server_settings()["ContactPerson"] == "Иван Петров"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("InterfaceType", "Guru", "Interface Type"), ("ObjectsPerPage", "0", "objects per page"),
    ("RefreshRate", "1s", "refresh period"), ("Charset", "ebcdic", "character set"),
    ("Colour", "red", "unknown WebAdmin Preference"),
])
def test_bad_preferences_are_refused_naming_the_problem(postmaster, key, value, message):
    before = dict(postmaster.settings)
    with pytest.raises(InvalidInput, match=message):
        account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={key: value}, realm="Users")
    postmaster.refresh_from_db()
    assert postmaster.settings == before


def test_an_administrator_changes_only_its_own_preferences(personas):
    from cgadmin.errors import AccessDenied

    with pytest.raises(AccessDenied):
        account_update_webadmin_prefs(actor=personas.domain_admin_with_right, account=personas.plain_user,
                                      updates={"InterfaceType": "Expert"})


def test_the_preferences_page_sets_the_webadmin_language_for_every_realm(postmaster, as_basic):
    client = as_basic(postmaster)
    page = client.get("/Master/Users/Preferences").content.decode()
    assert '<option value="German">Deutsch</option>' in page

    saved = client.post("/Master/Users/Preferences", {"Language": "German", "InterfaceType": "Expert",
                                                      "ObjectsPerPage": "20", "Charset": "utf-8"})
    postmaster.refresh_from_db()
    monitors = client.get("/Master/Monitors/Preferences")

    assert saved.status_code == 302
    assert postmaster.prefs["Language"] == "German"
    assert monitors["Content-Language"] == "de"
    assert "Sprache" in monitors.content.decode()
    assert '<option value="German" selected>Deutsch</option>' in monitors.content.decode()
