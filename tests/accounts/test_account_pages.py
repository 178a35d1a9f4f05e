"""A domain's Accounts page and each account's Settings and Preferences pages."""

import pytest

from accounts.models import Account, AccountAlias
from accounts.services import account_set_aliases, account_update_settings
from domains.models import Domain
from domains.services import account_defaults_update, account_template_update
from logs.models import AuditEntry
from realms.auth import check_login
from tests.factories import make_account
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db


def accounts_url(domain: str = "client1.test", scheme: str = "/Master/Users") -> str:
    return f"{scheme}/Domains/{domain}/Accounts"


def account_url(name: str, domain: str = "client1.test", scheme: str = "/Master/Users") -> str:
    return f"{scheme}/Domains/{domain}/Accounts/{name}"


@pytest.fixture
def admin(postmaster, expert):
    return expert(postmaster)


# --- the Accounts list ---------------------------------------------------------------------------


def test_the_list_shows_each_account_with_type_real_name_and_aliases(admin, client1, as_basic):
    jane = make_account(client1, "jane", RealName="Jane Doe")
    account_set_aliases(actor=None, account=jane, aliases=["j.doe", "jd"])
    make_account(client1, "bob")

    page = main_of(as_basic(admin).get(accounts_url()))

    assert 'href="/Master/Users/Domains/client1.test/Accounts/jane"' in page
    assert "Jane Doe" in page and "j.doe, jd" in page and "MultiMailbox" in page and ">bob<" in page
    assert "1-2 of 2" in page


def test_the_filter_and_paging_by_name(admin, client1, as_basic):
    for name in ("ann", "anna", "bert", "hannah", "zed"):
        make_account(client1, name)
    client = as_basic(admin)

    filtered = main_of(client.get(accounts_url(), {"filter": "ANN"}))
    assert ">ann<" in filtered and ">anna<" in filtered and ">hannah<" in filtered and ">bert<" not in filtered

    first = main_of(client.get(accounts_url(), {"limit": 2}))
    assert ">ann<" in first and ">anna<" in first and ">bert<" not in first and "after=anna" in first
    second = main_of(client.get(accounts_url(), {"limit": 2, "after": "anna"}))
    assert ">bert<" in second and ">hannah<" in second and ">ann<" not in second and "before=bert" in second
    filtered_second = main_of(client.get(accounts_url(), {"limit": 2, "after": "anna", "filter": "ann"}))
    assert ">hannah<" in filtered_second and ">bert<" not in filtered_second


# HTTP Basic login (1: the credential cache re-reads the account), the domain, the page, its aliases,
# the server name. Storage comes from the account's column (no mailbox query, no file read), the quotas'
# server documents from the shared cache.
ACCOUNTS_PAGE_QUERIES = 5


@pytest.mark.parametrize(("size", "sort"), [(2, "name"), (50, "name"), (50, "-storage"), (50, "-login")])
def test_the_accounts_page_costs_the_same_queries_whatever_its_size(
    admin, client1, as_basic, size, sort, django_assert_num_queries
):
    for index in range(60):
        account = make_account(client1, f"user{index:02d}", RealName=f"User {index}")
        if index % 3 == 0:
            account_set_aliases(actor=None, account=account, aliases=[f"alias{index:02d}"])
    client = as_basic(admin)
    client.get(accounts_url())

    with django_assert_num_queries(ACCOUNTS_PAGE_QUERIES):
        response = client.get(accounts_url(), {"limit": size, "sort": sort})

    assert main_of(response).count("/Accounts/user") == size


# --- Create Account ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "inbox"), [("MultiMailbox", "mbox"), ("TextMailbox", "mbox"),
                                             ("MailDirMailbox", "mdir"), ("SlicedMailbox", "mbox"),
                                             ("AGrade", "mbox"), ("BGrade", "mbox"), ("CGrade", "mbox")])
def test_create_account_of_each_type_with_a_password(admin, client1, as_basic, kind, inbox):
    response = as_basic(admin).post(accounts_url(), {"action": "create", "name": "New.User", "kind": kind,
                                                     "password": "s3cret-pass"})

    assert response.status_code == 302
    assert response["Location"] == account_url("new.user")
    account = Account.objects.get(domain=client1, name="new.user")
    assert account.kind == kind
    assert [(box.name, box.format) for box in account.mailboxes.all()] == [("INBOX", inbox)]
    assert check_login("new.user@client1.test", "s3cret-pass", address="192.0.2.1") == account
    client1.refresh_from_db()
    assert client1.account_count == 1
    assert AuditEntry.objects.get(event="account.create", object_name="new.user@client1.test").actor == admin


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad name", "may hold only letters, digits, dots, hyphens and underscores"),
        ("bad/name", "may hold only letters"),
        ("a" * 65, "longer than 64 characters"),
        ("all", "reserved name"),
        ("jane", "already exists"),
        ("jd", "already exists"),
        ("", "This field is required"),
    ],
)
def test_a_bad_account_name_is_refused_next_to_the_field(admin, client1, as_basic, name, message):
    jane = make_account(client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["jd"])

    response = as_basic(admin).post(accounts_url(), {"action": "create", "name": name, "kind": "MultiMailbox",
                                                     "password": "s3cret-pass"})

    assert response.status_code == 400
    page = main_of(response)
    assert message in page
    field = page.index('name="name"')
    assert 0 < page.index(message, field) - field < 400
    assert Account.objects.filter(domain=client1).count() == 1


# --- the Account Settings page -------------------------------------------------------------------


def test_the_settings_page_shows_every_setting_with_the_layer_it_comes_from(admin, client1, as_basic):
    from accounts.settings_schema import ACCOUNT

    account_defaults_update(actor=None, domain=None, updates={"MaxAccountSize": "100M", "MaxMailboxes": "50"})
    account_defaults_update(actor=None, domain=client1, updates={"MaxMailboxes": "20", "RulesAllowed": "None"})
    account_template_update(actor=None, domain=client1, updates={"RulesAllowed": "Filter Only",
                                                                   "MaxWebSize": "5M"})
    make_account(client1, "jane", MaxWebSize="9M")

    page = main_of(as_basic(admin).get(account_url("jane")))

    for entry in ACCOUNT:
        assert f'data-setting="{entry.name}"' in page, entry.name

    def source_of(name):
        row = page[page.index(f'data-setting="{name}"'):]
        return row[row.index('class="badge'):][:80]

    assert "server defaults" in source_of("MaxAccountSize")
    assert "domain defaults" in source_of("MaxMailboxes")
    assert "template" in source_of("RulesAllowed")
    assert "explicit" in source_of("MaxWebSize")
    assert ">default<" in source_of("MailToAll")


def test_updating_a_setting_and_restoring_its_default(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    client = as_basic(admin)
    page = client.get(account_url("jane")).content.decode()

    response = client.post(account_url("jane"), form_with(page, "update", s_RealName="Jane Doe", d_RealName=None,
                                                          s_MaxAccountSize="2G", d_MaxAccountSize=None))
    assert response.status_code == 302
    jane.refresh_from_db()
    assert jane.settings == {"RealName": "Jane Doe", "MaxAccountSize": "2G"}

    page = client.get(account_url("jane")).content.decode()
    client.post(account_url("jane"), form_with(page, "update", d_MaxAccountSize="on"))
    jane.refresh_from_db()
    assert jane.settings == {"RealName": "Jane Doe"}


@pytest.mark.parametrize(("field", "value", "message"), [("MaxAccountSize", "lots", "is not a size"),
                                                         ("MailInpFlow", "(10", "MailInpFlow"),
                                                         ("QuotaNotice", "140%", "percentage")])
def test_an_invalid_setting_is_refused_next_to_it_and_nothing_is_saved(admin, client1, as_basic, field, value,
                                                                      message):
    jane = make_account(client1, "jane")
    client = as_basic(admin)
    page = client.get(account_url("jane")).content.decode()

    response = client.post(account_url("jane"), form_with(page, "update", s_RealName="Changed", d_RealName=None,
                                                          **{f"s_{field}": value, f"d_{field}": None}))

    assert response.status_code == 400
    body = main_of(response)
    assert message in body[body.index(f'data-setting="{field}"'):][:3000]
    jane.refresh_from_db()
    assert jane.settings == {}


def test_the_password_is_changed_under_the_accounts_encryption(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    client = as_basic(admin)

    response = client.post(account_url("jane"), {"action": "password", "password": "n3w-password",
                                                  "confirm": "n3w-password"})

    assert response.status_code == 302
    assert check_login("jane@client1.test", "n3w-password", address="192.0.2.1") == jane
    assert "n3w-password" not in main_of(client.get(account_url("jane")))


def test_a_clear_text_password_encryption_is_warned_about(admin, client1, as_basic):
    make_account(client1, "jane", PasswordEncryption="clear")
    client = as_basic(admin)
    assert "stored as clear text" in main_of(client.get(account_url("jane")))

    client.post(account_url("jane"), {"action": "password", "password": "visible-pw", "confirm": "visible-pw"})

    assert Account.objects.get(name="jane").password == "clear$visible-pw"


def test_mismatched_passwords_are_refused(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    before = jane.password

    response = as_basic(admin).post(account_url("jane"), {"action": "password", "password": "n3w-password",
                                                          "confirm": "other-one"})

    assert response.status_code == 400
    assert "the two passwords differ" in main_of(response)
    jane.refresh_from_db()
    assert jane.password == before


def test_aliases_are_set_and_clashes_refused(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    make_account(client1, "bob")
    client = as_basic(admin)

    assert client.post(account_url("jane"), {"action": "aliases", "aliases": "j.doe\nJD"}).status_code == 302
    assert sorted(jane.aliases.values_list("name", flat=True)) == ["j.doe", "jd"]

    response = client.post(account_url("jane"), {"action": "aliases", "aliases": "j.doe\nbob"})
    assert response.status_code == 400
    page = main_of(response)
    assert page.index("already exists") > page.index('id="aliases"')
    assert sorted(jane.aliases.values_list("name", flat=True)) == ["j.doe", "jd"]


def test_an_alias_in_the_url_opens_the_account_itself(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    account_set_aliases(actor=None, account=jane, aliases=["jd"])

    assert as_basic(admin).get(account_url("jd"))["Location"] == account_url("jane")


def test_rename_within_and_across_domains(admin, client1, client2, as_basic):
    jane = make_account(client1, "jane")
    client = as_basic(admin)

    response = client.post(account_url("jane"), {"action": "rename", "new_name": "janet"})
    assert response["Location"] == account_url("janet")
    response = client.post(account_url("janet"), {"action": "rename", "new_name": "janet@client2.test"})
    assert response["Location"] == account_url("janet", "client2.test")
    jane.refresh_from_db()
    assert (jane.name, jane.domain) == ("janet", client2)
    assert Domain.objects.get(pk=client1.pk).account_count == 0
    assert Domain.objects.get(pk=client2.pk).account_count == 1


def test_a_clashing_new_name_is_refused(admin, client1, as_basic):
    make_account(client1, "jane")
    make_account(client1, "bob")

    response = as_basic(admin).post(account_url("jane"), {"action": "rename", "new_name": "bob"})

    assert response.status_code == 400
    assert "already exists" in main_of(response)
    assert Account.objects.filter(domain=client1, name="jane").exists()


def test_remove_needs_the_confirmation(admin, client1, as_basic):
    make_account(client1, "jane")
    client = as_basic(admin)

    refused = client.post(account_url("jane"), {"action": "remove"})
    assert refused.status_code == 400
    assert Account.objects.filter(name="jane").exists()

    removed = client.post(account_url("jane"), {"action": "remove", "confirm": "on"})
    assert removed["Location"] == accounts_url()
    assert not Account.objects.filter(name="jane").exists()
    assert Domain.objects.get(pk=client1.pk).account_count == 0


def test_the_account_type_changes_but_not_the_storage_of_a_single_mailbox_account(admin, client1, as_basic):
    from accounts.services import account_create

    make_account(client1, "jane")
    account_create(actor=None, domain=client1, name="box", kind="TextMailbox")
    client = as_basic(admin)

    assert client.post(account_url("jane"), {"action": "type", "kind": "AGrade"}).status_code == 302
    assert Account.objects.get(name="jane").kind == "AGrade"
    refused = client.post(account_url("box"), {"action": "type", "kind": "MultiMailbox"})
    assert refused.status_code == 400
    assert "storage format cannot be changed" in main_of(refused)


# --- Preferences ---------------------------------------------------------------------------------


def test_preferences_show_their_sources_and_the_hostos_note(admin, client1, as_basic):
    from accounts.services import account_update_prefs
    from domains.services import account_default_prefs_update

    account_default_prefs_update(actor=None, domain=None, updates={"Language": "German"})
    account_default_prefs_update(actor=None, domain=client1, updates={"TimeZone": "Europe/Berlin"})
    jane = make_account(client1, "jane")
    account_update_prefs(actor=None, account=admin, updates={"Language": "English"})  # the reader's own language
    client = as_basic(admin)
    url = account_url("jane") + "/Preferences"
    page = main_of(client.get(url))

    assert "no daylight saving time" in page and "HostOS" in page
    for name, source in (("Language", "server defaults"), ("TimeZone", "domain defaults"), ("SentBox", "default")):
        row = page[page.index(f'data-setting="{name}"'):]
        assert f">{source}<" in row[row.index('class="badge'):][:80], name

    response = client.post(url, form_with(client.get(url).content.decode(), None, s_Language="Russian",
                                          d_Language=None, s_PreferredCharset="koi8-r", d_PreferredCharset=None))
    assert response.status_code == 302
    jane.refresh_from_db()
    assert jane.prefs == {"Language": "Russian", "PreferredCharset": "koi8-r"}


def test_an_unknown_time_zone_is_refused(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    url = account_url("jane") + "/Preferences"
    client = as_basic(admin)

    response = client.post(url, form_with(client.get(url).content.decode(), None, s_TimeZone="Mars/Olympus",
                                          d_TimeZone=None))

    assert response.status_code == 400
    assert "Mars/Olympus" in main_of(response)
    jane.refresh_from_db()
    assert jane.prefs == {}


# --- Domain Administrators -----------------------------------------------------------------------


def test_a_domain_administrator_reaches_only_its_domains_accounts(personas, as_basic):
    make_account(personas.client2, "victim")
    client = as_basic(personas.domain_admin_with_right)

    assert client.get(accounts_url("client1.test", "/Domain")).status_code == 200
    assert client.get(accounts_url("client2.test", "/Domain")).status_code == 403
    assert client.get(account_url("victim", "client2.test", "/Domain")).status_code == 403
    assert client.get(account_url("nobody", "client2.test", "/Domain")).status_code == 403
    assert client.get(account_url("nobody", "client1.test", "/Domain")).status_code == 404


def test_without_can_create_accounts_the_form_is_absent_and_tampering_fails(personas, as_basic):
    client = as_basic(personas.domain_admin_without_right)
    assert "Create Account" not in main_of(client.get(accounts_url("client1.test", "/Domain")))

    response = client.post(accounts_url("client1.test", "/Domain"), {"action": "create", "name": "sneaky",
                                                                       "kind": "MultiMailbox"})

    assert response.status_code == 403
    assert "CanCreateAccounts right is needed" in main_of(response)
    assert not Account.objects.filter(name="sneaky").exists()


def test_settings_without_the_right_are_read_only_and_tampering_changes_nothing(personas, as_basic, expert):
    admin = expert(personas.domain_admin_with_right)  # BasicSettings, not MaxAccountSize
    user = personas.plain_user
    client = as_basic(admin)
    url = account_url(user.name, "client1.test", "/Domain")
    page = client.get(url).content.decode()
    size = page[page.index('data-setting="MaxAccountSize"'):][:1500]
    assert "disabled" in size and "read-only" in size

    data = form_with(page, "update", s_RealName="Renamed User", d_RealName=None)
    data.update({"s_MaxAccountSize": "100G", "d_MaxAccountSize": ""})
    refused = client.post(url, data)
    assert refused.status_code == 403 and "MaxAccountSize" in refused.content.decode()
    user.refresh_from_db()
    assert user.settings == {}

    assert client.post(url, form_with(page, "update", s_RealName="Renamed User", d_RealName=None)).status_code == 302
    user.refresh_from_db()
    assert user.settings == {"RealName": "Renamed User"}


def test_a_domain_administrator_cannot_touch_a_server_administrators_account(personas, as_basic, main):
    helper = make_account(main, "helper", rights=["Domain", "CanCreateAccounts", "BasicSettings"])
    before = personas.settings_admin.password

    response = as_basic(helper).post(account_url("settingsadmin", main.name, "/Domain"),
                                     {"action": "password", "password": "taken-over", "confirm": "taken-over"})

    assert response.status_code == 403
    assert Account.objects.get(pk=personas.settings_admin.pk).password == before


def test_removing_or_renaming_by_tampering_without_the_right_changes_nothing(personas, as_basic):
    client = as_basic(personas.domain_admin_without_right)
    url = account_url("user", "client1.test", "/Domain")

    for post in ({"action": "remove", "confirm": "on"}, {"action": "rename", "new_name": "other"},
                 {"action": "aliases", "aliases": "x1"}):
        response = client.post(url, post)
        assert response.status_code == 403, post
        assert "not enough access rights" in main_of(response)
    assert Account.objects.filter(domain=personas.client1, name="user").exists()
    assert not AccountAlias.objects.exists()


def test_updates_through_the_service_are_shown_as_explicit(admin, client1, as_basic):
    jane = make_account(client1, "jane")
    account_update_settings(actor=None, account=jane, updates={"RulesAllowed": "None"})

    page = main_of(as_basic(admin).get(account_url("jane")))
    row = page[page.index('data-setting="RulesAllowed"'):]

    assert ">explicit<" in row[row.index('class="badge'):][:80]
