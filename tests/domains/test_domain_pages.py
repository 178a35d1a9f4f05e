"""The Domains page and each domain's Settings page, as administrators use them."""

import pytest

from domains.models import Domain, DomainAlias
from domains.services import domain_defaults_update, domain_set_aliases
from domains.settings_schema import USING_DNS
from logs.models import AuditEntry
from tests.factories import make_account, make_domain
from tests.webforms import form_with, main_of

pytestmark = pytest.mark.django_db
DOMAINS = "/Master/Users/Domains"


def settings_url(name: str, scheme: str = "/Master/Users") -> str:
    return f"{scheme}/Domains/{name}/Settings"


@pytest.fixture
def admin(postmaster, expert):
    return expert(postmaster)


# --- the Domains list ----------------------------------------------------------------------------


def test_the_list_shows_each_domain_with_its_ip_addresses_accounts_and_settings_link(admin, client1, as_basic):
    make_account(client1, "jane")
    make_account(client1, "bob")
    make_domain("listed.test", IPAddresses=["192.0.2.7"])

    page = as_basic(admin).get(DOMAINS).content.decode()

    assert "client1.test" in page and "mail.example.test" in page
    row = page[page.index(">client1.test<"):]
    assert '<td class="number">2</td>' in row[:400]
    assert 'href="/Master/Users/Domains/client1.test/Settings"' in page
    assert 'href="/Master/Users/Domains/client1.test/Accounts"' in page
    assert "[192.0.2.7]" in page


def test_the_filter_keeps_only_domains_containing_the_text(admin, as_basic):
    for name in ("alpha.test", "beta.test", "alphabet.example"):
        make_domain(name)

    page = as_basic(admin).get(DOMAINS, {"filter": "ALPHA"}).content.decode()

    assert "alpha.test" in page and "alphabet.example" in page
    assert "beta.test" not in page


def test_the_list_pages_by_name_forward_and_back(admin, as_basic):
    for index in range(7):
        make_domain(f"d{index}.test")  # with mail.example.test: 8 domains
    client = as_basic(admin)

    first = client.get(DOMAINS, {"limit": 3}).content.decode()
    assert ">d0.test<" in first and ">d2.test<" in first and ">d3.test<" not in first
    assert "after=d2.test" in first
    second = client.get(DOMAINS, {"limit": 3, "after": "d2.test"}).content.decode()
    assert ">d3.test<" in second and ">d5.test<" in second and ">d2.test<" not in second
    assert "before=d3.test" in second
    back = client.get(DOMAINS, {"limit": 3, "before": "d3.test"}).content.decode()
    assert ">d0.test<" in back and ">d2.test<" in back and ">d3.test<" not in back
    last = client.get(DOMAINS, {"limit": 3, "after": "d5.test"}).content.decode()
    assert ">mail.example.test<" in last and "after=" not in last


# HTTP Basic login (1: the credential cache re-reads the account), the page, the DNS findings, the
# server name.
DOMAINS_PAGE_QUERIES = 4


@pytest.mark.parametrize("size", [2, 25])
def test_the_domains_page_costs_the_same_queries_whatever_its_size(admin, as_basic, size, django_assert_num_queries):
    for index in range(30):
        make_domain(f"q{index:02d}.test", IPAddresses=["192.0.2.1"] if index % 2 else USING_DNS)
    client = as_basic(admin)
    client.get(DOMAINS)  # warm the connection

    with django_assert_num_queries(DOMAINS_PAGE_QUERIES):
        response = client.get(DOMAINS, {"limit": size})

    assert response.content.decode().count('class="number"') == size + 1


# --- Create Domain -------------------------------------------------------------------------------


def test_create_domain_opens_its_settings_and_records_who_did_it(admin, as_basic):
    response = as_basic(admin).post(DOMAINS, {"action": "create", "name": "Client3.TEST"})

    assert response.status_code == 302
    assert response["Location"] == settings_url("client3.test")
    assert Domain.objects.filter(name="client3.test").exists()
    assert AuditEntry.objects.get(event="domain.create", object_name="client3.test").actor == admin


def test_an_idn_domain_is_stored_and_shown_in_unicode(admin, as_basic):
    client = as_basic(admin)
    response = client.post(DOMAINS, {"action": "create", "name": "Пример.испытание"})

    assert response.status_code == 302
    domain = Domain.objects.get(name="пример.испытание")
    assert domain.ascii_name == "xn--e1afmkfd.xn--80akhbyknj4f"
    assert "пример.испытание" in client.get(DOMAINS).content.decode()
    assert client.get(settings_url("пример.испытание")).status_code == 200


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("bad name.test", "only letters, digits and inner hyphens"),
        ("bad_name.test", "only letters, digits and inner hyphens"),
        ("a" * 64 + ".test", "longer than 63"),
        ("a..test", "empty part"),
        ("", "This field is required"),
        ("client1.test", "already exists"),
        ("alias.client1.test", "already exists"),
    ],
)
def test_a_bad_domain_name_is_refused_next_to_the_field(admin, client1, as_basic, name, message):
    domain_set_aliases(actor=None, domain=client1, aliases=["alias.client1.test"])
    before = Domain.objects.count()

    response = as_basic(admin).post(DOMAINS, {"action": "create", "name": name})

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    field = page.index('name="name"')
    assert page.index('class="error"', field) - field < 400  # the message stands next to the field
    assert Domain.objects.count() == before


# --- the Domain Settings page --------------------------------------------------------------------


def test_the_settings_page_shows_every_catalogue_setting_grouped_with_sources(admin, client1, as_basic):
    from domains.settings_schema import DOMAIN

    page = as_basic(admin).get(settings_url("client1.test")).content.decode()

    for entry in DOMAIN:
        assert f'data-setting="{entry.name}"' in page or entry.name == "IPAddresses", entry.name
    for group in ("Enabled Services", "Unknown Names", "Large Domains", "SMTP Receiving"):
        assert f"<legend>{group}</legend>" in page
    foldering = page[page.index('data-setting="Foldering"'):]
    foldering = foldering[:foldering.index('class="setting')]
    assert '<option value="flat" selected>flat</option>' in foldering
    assert 'class="badge source-default"' in foldering  # where the value in force comes from
    assert "Foldering Method: use the default" in foldering  # the switch, named for screen readers
    for developer_word in (">enum", ">string", ">dictionary", "YES/NO"):
        assert developer_word not in page
    assert "Administrator Domain Name" in page and "Domain Aliases" in page and "Assigned IP Addresses" in page


def test_basic_interface_type_shows_only_the_essential_settings(postmaster, client1, as_basic):
    page = as_basic(postmaster).get(settings_url("client1.test")).content.decode()

    assert 'data-setting="MailToUnknown"' in page
    assert 'data-setting="AutoSignup"' not in page


def test_updating_settings_saves_only_what_changed(admin, client1, as_basic):
    client = as_basic(admin)
    page = client.get(settings_url("client1.test")).content.decode()

    response = client.post(settings_url("client1.test"), form_with(
        page, "update", s_MailToUnknown="Rerouted", d_MailToUnknown=None, s_MailRerouteAddress="catch@client1.test",
        d_MailRerouteAddress=None))

    assert response.status_code == 302
    client1.refresh_from_db()
    assert client1.settings == {"MailToUnknown": "Rerouted", "MailRerouteAddress": "catch@client1.test"}
    entry = AuditEntry.objects.get(event="domain.settings")
    assert "MailToUnknown" in entry.after and "Foldering" not in entry.after


def test_an_invalid_value_is_refused_next_to_its_field_and_nothing_is_saved(admin, client1, as_basic):
    client = as_basic(admin)
    page = client.get(settings_url("client1.test")).content.decode()

    response = client.post(settings_url("client1.test"), form_with(
        page, "update", s_AdministratorDomainName="not a domain", d_AdministratorDomainName=None,
        s_MailToUnknown="Rerouted", d_MailToUnknown=None))

    assert response.status_code == 400
    body = response.content.decode()
    setting = body[body.index('data-setting="AdministratorDomainName"'):]
    assert "only letters, digits and inner hyphens" in setting[:2000]
    client1.refresh_from_db()
    assert client1.settings == {}


def test_values_show_where_they_come_from_and_default_restores_the_inherited_one(admin, client1, as_basic):
    domain_defaults_update(actor=None, updates={"MailToUnknown": "Discarded"})
    client = as_basic(admin)
    page = client.get(settings_url("client1.test")).content.decode()
    setting = page[page.index('data-setting="MailToUnknown"'):][:2000]
    assert "server defaults" in setting and 'selected>Discarded' in setting

    client.post(settings_url("client1.test"), form_with(page, "update", s_MailToUnknown="Accepted and Bounced",
                                                        d_MailToUnknown=None))
    client1.refresh_from_db()
    assert client1.settings["MailToUnknown"] == "Accepted and Bounced"
    page = client.get(settings_url("client1.test")).content.decode()
    assert "source-explicit" in page[page.index('data-setting="MailToUnknown"'):][:2000]

    client.post(settings_url("client1.test"), form_with(page, "update", d_MailToUnknown="on"))
    client1.refresh_from_db()
    assert "MailToUnknown" not in client1.settings


def test_the_administrator_domain_name_is_kept_for_sub_domain_administrators(admin, client1, client2, as_basic):
    client = as_basic(admin)
    page = client.get(settings_url("client2.test")).content.decode()

    client.post(settings_url("client2.test"), form_with(page, "update", s_AdministratorDomainName="client1.test",
                                                        d_AdministratorDomainName=None))

    client2.refresh_from_db()
    assert client2.administrator_domain == "client1.test"


# --- aliases -------------------------------------------------------------------------------------


def test_aliases_are_added_and_removed(admin, client1, as_basic):
    client = as_basic(admin)

    response = client.post(settings_url("client1.test"),
                           {"action": "aliases", "aliases": "mail.client1.test\nC1.test\n"})
    assert response.status_code == 302
    assert sorted(client1.aliases.values_list("name", flat=True)) == ["c1.test", "mail.client1.test"]
    page = client.get(settings_url("client1.test")).content.decode()
    assert "mail.client1.test\nc1.test" in page or "c1.test\nmail.client1.test" in page

    client.post(settings_url("client1.test"), {"action": "aliases", "aliases": "c1.test"})
    assert list(client1.aliases.values_list("name", flat=True)) == ["c1.test"]


def test_the_main_domain_has_aliases_too(admin, main, as_basic):
    response = as_basic(admin).post(settings_url(main.name), {"action": "aliases", "aliases": "server.example.test"})

    assert response.status_code == 302
    assert DomainAlias.objects.get(name="server.example.test").domain == main


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ("client2.test", "already exists"),
        ("taken.client2.test", "already exists"),
        ("fine.test\nfine.test", "listed twice"),
        ("client1.test", "the domain's own name"),
        ("bad alias.test", "only letters, digits and inner hyphens"),
    ],
)
def test_a_clashing_alias_is_refused_and_nothing_is_saved(admin, client1, client2, as_basic, aliases, message):
    domain_set_aliases(actor=None, domain=client2, aliases=["taken.client2.test"])
    domain_set_aliases(actor=None, domain=client1, aliases=["kept.client1.test"])

    response = as_basic(admin).post(settings_url("client1.test"),
                                    {"action": "aliases", "aliases": f"new.client1.test\n{aliases}"})

    assert response.status_code == 400
    page = main_of(response)
    assert message in page
    assert page.index(message) > page.index('id="aliases"')
    assert list(client1.aliases.values_list("name", flat=True)) == ["kept.client1.test"]


# --- Assigned IP Addresses -----------------------------------------------------------------------


def test_assigned_addresses_are_listed_or_looked_up_in_dns(admin, client1, as_basic):
    client = as_basic(admin)

    client.post(settings_url("client1.test"), {"action": "addresses", "mode": "listed",
                                               "addresses": "192.0.2.10\n[2001:db8::1]"})
    client1.refresh_from_db()
    assert client1.settings["IPAddresses"] == ["192.0.2.10", "2001:db8::1"]

    client.post(settings_url("client1.test"), {"action": "addresses", "mode": "dns", "addresses": ""})
    client1.refresh_from_db()
    assert client1.settings["IPAddresses"] == USING_DNS
    page = client.get(settings_url("client1.test")).content.decode()
    assert "Using DNS A/MX Records" in page and "Refresh on the General page" in page


def test_a_bad_address_is_refused_next_to_the_field(admin, client1, as_basic):
    response = as_basic(admin).post(settings_url("client1.test"),
                                    {"action": "addresses", "mode": "listed", "addresses": "192.0.2.300"})

    assert response.status_code == 400
    page = response.content.decode()
    assert "is not an IP address" in page
    assert page.index("is not an IP address") > page.index('id="addresses"')
    client1.refresh_from_db()
    assert "IPAddresses" not in client1.settings


def test_dns_found_addresses_show_on_the_domains_page_after_refresh(admin, as_basic):
    from server.dns import StaticResolver
    from server.services import network_refresh

    StaticResolver.table = {"MX:dns.test": ["mx.dns.test"], "mx.dns.test": ["192.0.2.53"]}
    make_domain("dns.test", IPAddresses=USING_DNS)
    client = as_basic(admin)
    assert "DNS, not looked up yet" in client.get(DOMAINS).content.decode()

    network_refresh()

    assert "[192.0.2.53]" in client.get(DOMAINS).content.decode()


# --- rename, suspend, resume, remove -------------------------------------------------------------


def test_rename_moves_the_page_to_the_new_name(admin, client1, as_basic):
    response = as_basic(admin).post(settings_url("client1.test"), {"action": "rename", "new_name": "renamed.test"})

    assert response.status_code == 302
    assert response["Location"] == settings_url("renamed.test")
    client1.refresh_from_db()
    assert client1.name == "renamed.test"


@pytest.mark.parametrize(("new_name", "message"), [("client2.test", "already exists"),
                                                    ("no way.test", "only letters")])
def test_a_bad_new_name_is_refused_next_to_the_field(admin, client1, client2, as_basic, new_name, message):
    response = as_basic(admin).post(settings_url("client1.test"), {"action": "rename", "new_name": new_name})

    assert response.status_code == 400
    page = response.content.decode()
    assert page.index(message) > page.index('name="new_name"') - 300
    client1.refresh_from_db()
    assert client1.name == "client1.test"


def test_suspend_and_resume(admin, client1, as_basic):
    client = as_basic(admin)

    client.post(settings_url("client1.test"), {"action": "suspend", "confirm": "on"})
    client1.refresh_from_db()
    assert client1.suspended
    assert "suspended" in client.get(DOMAINS).content.decode()

    client.post(settings_url("client1.test"), {"action": "resume"})
    client1.refresh_from_db()
    assert not client1.suspended


def test_suspend_asks_with_the_account_count_and_changes_nothing_unticked(admin, client1, as_basic):
    make_account(client1, "jane")
    make_account(client1, "joe")
    client = as_basic(admin)
    assert "Yes, suspend client1.test: its 2 account(s) can no longer log in or get mail" in client.get(
        settings_url("client1.test")).content.decode()

    refused = client.post(settings_url("client1.test"), {"action": "suspend"})

    assert refused.status_code == 400
    assert 'role="alert">Tick the box to confirm: nothing was changed.' in refused.content.decode()
    client1.refresh_from_db()
    assert not client1.suspended


def test_a_domain_with_accounts_is_removed_only_with_the_confirmation(admin, client1, as_basic):
    make_account(client1, "jane")
    client = as_basic(admin)

    refused = client.post(settings_url("client1.test"), {"action": "remove"})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Yes, remove client1.test with its 1 account(s) and their mailboxes" in page
    assert 'role="alert">Tick the box to confirm: nothing was changed.' in page
    assert Domain.objects.filter(name="client1.test").exists()

    removed = client.post(settings_url("client1.test"), {"action": "remove", "confirm": "on"})
    assert removed.status_code == 302 and removed["Location"] == DOMAINS
    assert not Domain.objects.filter(name="client1.test").exists()


def test_an_empty_domain_is_removed_after_the_confirmation_too(admin, client2, as_basic):
    assert as_basic(admin).post(settings_url("client2.test"), {"action": "remove"}).status_code == 400
    assert Domain.objects.filter(name="client2.test").exists()
    assert as_basic(admin).post(settings_url("client2.test"), {"action": "remove", "confirm": "on"}).status_code == 302
    assert not Domain.objects.filter(name="client2.test").exists()


def test_an_unknown_domain_is_a_clear_404(admin, as_basic):
    response = as_basic(admin).get(settings_url("nowhere.test"))

    assert response.status_code == 404
    assert "unknown domain name" in response.content.decode()


# --- Domain Administrators and read-only server administrators ------------------------------------


def test_domain_administrators_see_only_their_domains(personas, as_basic, expert):
    client = as_basic(expert(personas.sub_domain_admin))

    page = main_of(client.get("/Domain/Domains"))

    assert ">client1.test<" in page and ">sub.client1-family.test<" in page
    assert ">client2.test<" not in page and ">mail.example.test<" not in page
    assert "Create Domain" not in page
    assert client.get(settings_url("client2.test", "/Domain")).status_code == 403
    assert client.get(settings_url("nowhere.test", "/Domain")).status_code == 403  # no hint it does not exist


def test_a_domain_administrator_changes_only_the_settings_it_has_the_right_for(personas, as_basic, expert):
    admin = expert(personas.domain_admin_with_right)  # has MailToUnknown, not AutoSignup
    client = as_basic(admin)
    url = settings_url("client1.test", "/Domain")
    page = client.get(url).content.decode()
    assert 'name="s_MailToUnknown"' in page
    auto = page[page.index('data-setting="AutoSignup"'):][:1500]
    assert "disabled" in auto and "read-only" in auto

    tampered = form_with(page, "update", s_MailToUnknown="Discarded", d_MailToUnknown=None)
    tampered.update({"s_AutoSignup": "YES", "d_AutoSignup": ""})  # tampering with a read-only field
    refused = client.post(url, tampered)

    assert refused.status_code == 403 and "AutoSignup" in refused.content.decode()
    personas.client1.refresh_from_db()
    assert personas.client1.settings == {}  # refused whole: not even the setting it may change
    same = form_with(page, "update", s_MailToUnknown="Discarded", d_MailToUnknown=None)
    same.update({"s_AutoSignup": "NO", "d_AutoSignup": "on"})  # a read-only setting posted as it is: no change
    assert client.post(url, same).status_code == 302
    personas.client1.refresh_from_db()
    assert personas.client1.settings == {"MailToUnknown": "Discarded"}


@pytest.mark.parametrize(
    "post",
    [
        {"action": "aliases", "aliases": "stolen.test"},
        {"action": "rename", "new_name": "stolen.test"},
        {"action": "remove", "confirm": "on"},
        {"action": "suspend", "confirm": "on"},
        {"action": "addresses", "mode": "listed", "addresses": "192.0.2.1"},
    ],
)
def test_domain_administrators_cannot_manage_the_domain_by_tampering(personas, as_basic, post):
    client = as_basic(personas.domain_admin_with_right)
    domain = personas.client1

    response = client.post(settings_url("client1.test", "/Domain"), post)

    assert response.status_code == 403  # refused for want of a right
    assert "not enough access rights" in main_of(response)
    refreshed = Domain.objects.get(pk=domain.pk)
    assert (refreshed.name, refreshed.suspended, refreshed.settings) == ("client1.test", False, {})
    assert not DomainAlias.objects.exists()


def test_domain_administrators_cannot_create_domains_by_tampering(personas, as_basic):
    response = as_basic(personas.domain_admin_with_right).post("/Domain/Domains", {"action": "create",
                                                                                   "name": "new.test"})

    assert response.status_code == 403  # refused for want of a right
    assert "AllDomains right is needed" in main_of(response)
    assert not Domain.objects.filter(name="new.test").exists()


def test_domains_read_sees_everything_and_changes_nothing(personas, as_basic, expert):
    from tests.helpers import set_separate_realms

    set_separate_realms(True)
    reader = expert(personas.domains_read)
    client = as_basic(reader)
    page = client.get("/Users/Domains/client2.test/Settings").content.decode()
    assert "Rename Domain" not in page and "disabled" in page[page.index('name="s_MailToUnknown"') - 200:][:400]

    response = client.post("/Users/Domains/client2.test/Settings", {"action": "suspend", "confirm": "on"})

    assert response.status_code == 403  # refused for want of a right
    personas.client2.refresh_from_db()
    assert not personas.client2.suspended
