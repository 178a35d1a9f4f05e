"""Interface Types (Basic, Advanced, Expert) change what an administrator sees, never what is allowed."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Account
from accounts.services import account_update_settings, account_update_webadmin_prefs
from accounts.settings_schema import ACCOUNT, PREFS
from cgadmin.catalogue import Level
from domains.services import domain_update_settings
from domains.settings_schema import DOMAIN
from logs.settings_schema import LOG
from realms.pages import access_of
from server.settings_schema import MAIN
from tests.factories import make_account, make_domain_admin
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
DOMAIN_SETTINGS = "/Master/Users/Domains/client1.test/Settings"


def _walk(patterns):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            yield entry


def _every_catalogue():
    """Every Catalogue of every app's settings_schema module, so a new one cannot go unchecked."""
    import importlib
    import importlib.util

    from django.apps import apps

    from cgadmin.catalogue import Catalogue

    for config in apps.get_app_configs():
        if importlib.util.find_spec(f"{config.name}.settings_schema") is None:
            continue
        module = importlib.import_module(f"{config.name}.settings_schema")
        yield from (value for value in vars(module).values() if isinstance(value, Catalogue))


def test_every_catalogue_entry_and_every_realm_page_has_a_level():
    found = list(_every_catalogue())
    assert {id(catalogue) for catalogue in (MAIN, DOMAIN, ACCOUNT, PREFS, LOG)} <= {id(c) for c in found}
    for catalogue in found:
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
    assert 'data-setting="MailToUnknown"' in basic and 'data-setting="ForceSMTPAUTH"' not in basic

    expert = main_of(as_basic(_level(postmaster, "Expert")).get(DOMAIN_SETTINGS))
    assert 'data-setting="MailToUnknown"' in expert and 'data-setting="ForceSMTPAUTH"' in expert


def test_a_setting_hidden_at_basic_is_still_enforced_and_kept_by_a_basic_update(postmaster, client1, as_basic):
    domain_update_settings(actor=postmaster, domain=client1, updates={"ForceSMTPAUTH": "YES"})
    client = as_basic(postmaster)

    form = form_with(client.get(DOMAIN_SETTINGS).content.decode(), "update", s_MailToUnknown="Discarded")
    assert "s_ForceSMTPAUTH" not in form
    assert client.post(DOMAIN_SETTINGS, form).status_code == 302

    client1.refresh_from_db()
    assert client1.settings["ForceSMTPAUTH"] == "YES" and client1.settings["MailToUnknown"] == "Discarded"


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
    tampered = client.post(url, {"action": "update", "s_ForceSMTPAUTH": "YES", "s_MailToUnknown": "Discarded"})
    personas.client1.refresh_from_db()
    assert "ForceSMTPAUTH" not in personas.client1.settings and "MailToUnknown" not in personas.client1.settings
    assert tampered.status_code == 403 and "ForceSMTPAUTH" in tampered.content.decode()
    with pytest.raises(Exception, match="ForceSMTPAUTH"):
        domain_update_settings(actor=admin, domain=personas.client1, updates={"ForceSMTPAUTH": "YES"})
    # The right it holds works at any level.
    account_update_settings(actor=admin, account=personas.plain_user, updates={"RealName": "Jane"})


@pytest.mark.parametrize("level", ["Basic", "Advanced", "Expert"])
def test_a_hidden_setting_posted_by_an_administrator_with_its_right_is_accepted(personas, as_basic, level):
    """The rule the seed implies: the Interface Type filters what is shown, never what is allowed, so a
    setting above the administrator's level, posted anyway (a script, a form saved at Expert), is
    handled as the CLI's UpdateDomainSettings handles it: accepted with the right, refused without."""
    holder = _level(make_domain_admin(personas.client1, "smtpadmin", "ForceSMTPAUTH"), level)
    url = "/Domain/Domains/client1.test/Settings"
    page = main_of(as_basic(holder).get(url))
    assert ('data-setting="ForceSMTPAUTH"' in page) == (level == "Expert")

    accepted = as_basic(holder).post(url, {"action": "update", "s_ForceSMTPAUTH": "clients"})
    refused = as_basic(_level(personas.domain_admin_with_right, level)).post(
        url, {"action": "update", "s_ForceSMTPAUTH": "nobody"})

    assert accepted.status_code == 302 and refused.status_code == 403
    personas.client1.refresh_from_db()
    assert personas.client1.settings == {"ForceSMTPAUTH": "clients"}


def test_a_hidden_account_setting_posted_at_basic_is_accepted_and_one_not_posted_is_kept(postmaster, client1,
                                                                                          as_basic):
    user = make_account(client1, "jane")
    account_update_settings(actor=None, account=user, updates={"RPOPAllowed": "NO"})
    url = "/Master/Users/Domains/client1.test/Accounts/jane"
    client = as_basic(postmaster)  # Basic, the first start's Interface Type
    hidden = [entry.name for entry in ACCOUNT if entry.level > Level.BASIC]
    assert "RPOPAllowed" in hidden and "RequireAPOP" in hidden
    page = client.get(url).content.decode()
    assert 'data-setting="RPOPAllowed"' not in page and 'data-setting="RequireAPOP"' not in page

    data = form_with(page, "update", s_RealName="Jane Doe")
    assert client.post(url, {**data, "s_RequireAPOP": "YES"}).status_code == 302

    user.refresh_from_db()
    assert user.settings["RealName"] == "Jane Doe" and user.settings["RequireAPOP"] == "YES"
    assert user.settings["RPOPAllowed"] == "NO"  # hidden and not posted: kept


def test_basic_hides_pages_and_settings_that_expert_shows_in_every_realm(postmaster, as_basic):
    """Every realm has pages above Basic or settings above Basic, and Basic leaves them out."""
    from realms.pages import REGISTRY

    for realm, registry in REGISTRY.items():
        basic, expert = registry.menu(Level.BASIC), registry.menu(Level.EXPERT)
        assert set(basic) <= set(expert), realm
    hidden_pages = {realm: set(REGISTRY[realm].menu(Level.EXPERT)) - set(REGISTRY[realm].menu(Level.BASIC))
                    for realm in REGISTRY}
    assert any(hidden_pages.values())
    for catalogue in _every_catalogue():
        levels = {entry.level for entry in catalogue}
        assert Level.BASIC in levels, catalogue.object_kind
    for catalogue in (DOMAIN, ACCOUNT):
        assert any(entry.level > Level.BASIC for entry in catalogue), catalogue.object_kind


def test_a_bad_value_for_a_hidden_setting_is_named_above_the_form_and_nothing_changes(postmaster, client1,
                                                                                      as_basic):
    make_account(client1, "jane")
    url = "/Master/Users/Domains/client1.test/Accounts/jane"
    client = as_basic(postmaster)
    data = form_with(client.get(url).content.decode(), "update", s_RealName="Jane Doe")

    response = client.post(url, {**data, "s_RequireAPOP": "maybe"})

    assert response.status_code == 400
    assert "Secure only: " in main_of(response)
    assert "RealName" not in Account.objects.get(name="jane", domain=client1).settings
