"""The layers accounts and domains inherit: server and domain Account Defaults, the Account Template,
Default Preferences, and the server-wide Domain Defaults, each shown with where its values come from."""

import pytest

from accounts.models import Account
from accounts.selectors import account_effective_values, account_prefs_effective
from domains.selectors import domain_settings_with_inherited
from logs.models import AuditEntry
from server import documents
from tests.factories import make_account
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
SERVER_DEFAULTS = "/Master/Users/AccountDefaults"
SERVER_PREFS = "/Master/Users/AccountPreferences"
DOMAIN_DEFAULTS = "/Master/Users/DomainDefaults"


def domain_page(page: str, domain: str = "client1.test", scheme: str = "/Master/Users") -> str:
    return f"{scheme}/Domains/{domain}/{page}"


def source_of(page: str, name: str) -> str:
    row = page[page.index(f'data-setting="{name}"'):]
    return row[row.index('class="badge'):][:80]


@pytest.fixture
def admin(postmaster, expert):
    return expert(postmaster)


def _post(client, url, **changes):
    return client.post(url, form_with(client.get(url).content.decode(), None, **changes))


def test_the_layers_stack_up_and_each_page_shows_where_values_come_from(admin, client1, as_basic):
    client = as_basic(admin)
    jane = make_account(client1, "jane")

    assert _post(client, SERVER_DEFAULTS, s_MaxAccountSize="1G", d_MaxAccountSize=None, s_MaxMailboxes="100",
                 d_MaxMailboxes=None).status_code == 302
    assert _post(client, domain_page("AccountDefaults"), s_MaxMailboxes="40", d_MaxMailboxes=None,
                 s_RulesAllowed="None", d_RulesAllowed=None).status_code == 302
    assert _post(client, domain_page("AccountTemplate"), s_RulesAllowed="Filter Only",
                 d_RulesAllowed=None).status_code == 302

    effective = account_effective_values(Account.objects.get(pk=jane.pk))
    assert (effective["MaxAccountSize"], effective["MaxMailboxes"], effective["RulesAllowed"]) == (
        "1G", "40", "Filter Only")
    template = main_of(client.get(domain_page("AccountTemplate")))
    assert ">server defaults<" in source_of(template, "MaxAccountSize")
    assert ">domain defaults<" in source_of(template, "MaxMailboxes")
    assert ">explicit<" in source_of(template, "RulesAllowed")
    assert "server defaults → domain defaults → this page" in template
    defaults = main_of(client.get(domain_page("AccountDefaults")))
    assert ">server defaults<" in source_of(defaults, "MaxAccountSize")
    assert ">explicit<" in source_of(defaults, "MaxMailboxes")
    assert documents.read(documents.ACCOUNT_DEFAULTS) == {"MaxAccountSize": "1G", "MaxMailboxes": "100"}
    assert AuditEntry.objects.filter(event="account_template.update").count() == 1


def test_default_restores_the_value_of_the_layer_below(admin, client1, as_basic):
    client = as_basic(admin)
    _post(client, domain_page("AccountDefaults"), s_MaxAccountSize="5M", d_MaxAccountSize=None)
    client1.refresh_from_db()
    assert client1.account_defaults == {"MaxAccountSize": "5M"}

    _post(client, domain_page("AccountDefaults"), d_MaxAccountSize="on")

    client1.refresh_from_db()
    assert client1.account_defaults == {}


def test_an_invalid_default_is_refused_next_to_it_and_nothing_is_saved(admin, client1, as_basic):
    response = _post(as_basic(admin), domain_page("AccountTemplate"), s_MaxAccountSize="huge",
                     d_MaxAccountSize=None, s_RulesAllowed="None", d_RulesAllowed=None)

    assert response.status_code == 400
    page = main_of(response)
    assert "is not a size" in page[page.index('data-setting="MaxAccountSize"'):][:3000]
    client1.refresh_from_db()
    assert client1.template == {}


def test_default_preferences_at_server_domain_and_account_level(admin, client1, as_basic):
    client = as_basic(admin)
    jane = make_account(client1, "jane")

    page = main_of(client.get(SERVER_PREFS))
    assert "no daylight saving time" in page
    for label in ("Language", "Preferred Character set", "Use UTF-8", "Time Zone", "INBOX display name",
                  "MAPI Outbox display name", "Sent", "Drafts", "Notes", "Trash", "Contacts", "Calendar", "Tasks"):
        assert f">{label}" in page, label
    _post(client, SERVER_PREFS, s_Language="Japanese", d_Language=None, s_PreferredCharset="iso-2022-jp",
          d_PreferredCharset=None, s_UseUTF8="Reading and Composing", d_UseUTF8=None)
    _post(client, domain_page("AccountPreferences"), s_TimeZone="Asia/Tokyo", d_TimeZone=None,
          s_SentBox="送信済み", d_SentBox=None)

    prefs = account_prefs_effective(Account.objects.get(pk=jane.pk))
    assert (prefs["Language"].value, prefs["Language"].source) == ("Japanese", "server defaults")
    assert (prefs["TimeZone"].value, prefs["TimeZone"].source) == ("Asia/Tokyo", "domain defaults")
    assert prefs["SentBox"].value == "送信済み"
    page = main_of(client.get(domain_page("AccountPreferences")))
    assert ">server defaults<" in source_of(page, "Language") and ">explicit<" in source_of(page, "TimeZone")


def test_server_domain_defaults_show_on_each_domains_settings(admin, client1, as_basic):
    client = as_basic(admin)

    assert _post(client, DOMAIN_DEFAULTS, s_MailToUnknown="Discarded", d_MailToUnknown=None).status_code == 302

    client1.refresh_from_db()
    values, _ = domain_settings_with_inherited(client1)
    assert (values["MailToUnknown"].value, values["MailToUnknown"].source) == ("Discarded", "server defaults")
    page = main_of(client.get(domain_page("Settings")))
    assert ">server defaults<" in source_of(page, "MailToUnknown")


def test_server_wide_layers_are_read_only_without_all_domains(personas, as_basic, expert):
    from tests.helpers import set_separate_realms

    set_separate_realms(True)
    client = as_basic(expert(personas.domains_read))
    page = main_of(client.get("/Users/AccountDefaults"))
    assert "Update</button>" not in page and "disabled" in page[page.index('name="s_MaxAccountSize"') - 300:][:400]

    client.post("/Users/AccountDefaults", {"s_MaxAccountSize": "1K"})

    assert documents.read(documents.ACCOUNT_DEFAULTS) == {}


def test_a_domain_administrator_changes_only_the_defaults_it_has_rights_for(personas, as_basic, expert):
    admin = expert(personas.domain_admin_with_right)  # BasicSettings covers RealName, not MaxAccountSize
    client = as_basic(admin)
    url = domain_page("AccountDefaults", scheme="/Domain")
    page = client.get(url).content.decode()
    assert "disabled" in page[page.index('name="s_MaxAccountSize"') - 300:][:400]

    data = form_with(page, None, s_RealName="Client One User", d_RealName=None)
    assert client.post(url, data).status_code == 302
    personas.client1.refresh_from_db()
    assert personas.client1.account_defaults == {"RealName": "Client One User"}

    # A doctored form that changes a read-only setting too is refused whole: nothing is saved.
    data = form_with(client.get(url).content.decode(), None, s_RealName="Another Name")
    data.update({"s_MaxAccountSize": "1K", "d_MaxAccountSize": ""})
    refused = client.post(url, data)
    assert refused.status_code == 403 and "MaxAccountSize" in refused.content.decode()
    personas.client1.refresh_from_db()
    assert personas.client1.account_defaults == {"RealName": "Client One User"}
    assert client.get(domain_page("AccountDefaults", "client2.test", "/Domain")).status_code == 403


def test_a_domain_administrator_neither_sees_nor_changes_server_layers(personas, as_basic):
    client = as_basic(personas.domain_admin_with_right)

    assert client.get("/Domain/AccountDefaults").status_code == 403  # DomainsRead needed, as in the CLI
    assert client.post("/Domain/AccountPreferences", {"s_Language": "German"}).status_code == 403

    assert documents.read(documents.ACCOUNT_PREFS) == {}
