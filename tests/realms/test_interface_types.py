"""Interface Types (Basic, Advanced, Expert) change what an administrator sees, never what is allowed."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.services import account_update_settings, account_update_webadmin_prefs
from accounts.settings_schema import ACCOUNT, PREFS
from cgadmin.catalogue import Level
from domains.services import domain_update_settings
from domains.settings_schema import DOMAIN
from logs.settings_schema import LOG
from realms.pages import access_of
from server.settings_schema import MAIN
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
DOMAIN_SETTINGS = "/Master/Users/Domains/client1.test/Settings"


def _walk(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def test_every_catalogue_entry_and_every_realm_page_has_a_level():
    for catalogue in (MAIN, DOMAIN, ACCOUNT, PREFS, LOG):
        assert all(isinstance(entry.level, Level) for entry in catalogue), catalogue.object_kind
    for pattern in _walk(get_resolver().url_patterns):
        declared = access_of(pattern.callback)
        assert declared is not None and isinstance(declared.level, Level), pattern


def _level(account, level: str):
    account_update_webadmin_prefs(actor=account, account=account, updates={"InterfaceType": level})
    account.refresh_from_db()
    return account


def test_basic_shows_the_essential_settings_and_expert_all_of_them(postmaster, client1, as_basic):
    basic = main_of(as_basic(postmaster).get(DOMAIN_SETTINGS))
    assert 'data-setting="MailToUnknown"' in basic and 'data-setting="ForceSMTPAuth"' not in basic

    expert = main_of(as_basic(_level(postmaster, "Expert")).get(DOMAIN_SETTINGS))
    assert 'data-setting="MailToUnknown"' in expert and 'data-setting="ForceSMTPAuth"' in expert


def test_a_setting_hidden_at_basic_is_still_enforced_and_kept_by_a_basic_update(postmaster, client1, as_basic):
    domain_update_settings(actor=postmaster, domain=client1, updates={"ForceSMTPAuth": "YES"})
    client = as_basic(postmaster)

    form = form_with(client.get(DOMAIN_SETTINGS).content.decode(), "update", s_MailToUnknown="Discarded")
    assert "s_ForceSMTPAuth" not in form
    assert client.post(DOMAIN_SETTINGS, form).status_code == 302

    client1.refresh_from_db()
    assert client1.settings["ForceSMTPAuth"] == "YES" and client1.settings["MailToUnknown"] == "Discarded"


def test_a_page_above_the_interface_type_leaves_the_menu_but_still_opens(postmaster, client1, as_basic):
    client = as_basic(postmaster)
    menu = client.get("/Master/Users/Domains").content.decode()
    assert "/Master/Users/DomainDefaults" not in menu  # Advanced
    assert client.get("/Master/Users/DomainDefaults").status_code == 200
    assert "/Accounts" in main_of(client.get(DOMAIN_SETTINGS))
    assert "AccountTemplate" not in main_of(client.get(DOMAIN_SETTINGS))  # Advanced

    _level(postmaster, "Advanced")
    assert "/Master/Users/DomainDefaults" in client.get("/Master/Users/Domains").content.decode()
    assert "AccountTemplate" in main_of(client.get(DOMAIN_SETTINGS))


@pytest.mark.parametrize("level", ["Basic", "Expert"])
def test_the_level_never_changes_what_a_domain_administrator_may_do(personas, as_basic, level):
    admin = _level(personas.domain_admin_with_right, level)
    client = as_basic(admin)
    url = "/Domain/Domains/client1.test/Settings"

    # An Expert-level setting without the right: refused at any level, by the page and by the service.
    tampered = client.post(url, {"action": "update", "s_ForceSMTPAuth": "YES", "s_MailToUnknown": "Discarded"})
    personas.client1.refresh_from_db()
    assert "ForceSMTPAuth" not in personas.client1.settings
    assert tampered.status_code in (302, 403)
    with pytest.raises(Exception, match="ForceSMTPAuth"):
        domain_update_settings(actor=admin, domain=personas.client1, updates={"ForceSMTPAuth": "YES"})
    # The right it holds works at any level.
    account_update_settings(actor=admin, account=personas.plain_user, updates={"RealName": "Jane"})
