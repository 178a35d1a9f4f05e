"""The General page: settings, validation, renaming the Main Domain, information, Refresh."""

import pytest

from domains.models import Domain
from logs.models import AuditEntry
from server import documents
from server.selectors import server_settings
from tests.factories import make_domain

pytestmark = pytest.mark.django_db
GENERAL = "/Master/Settings/General"


def _form(**changes):
    values = {
        "action": "update",
        "s_DomainName": "mail.example.test",
        "s_ContactPerson": "",
        "s_ServerLocation": "",
        "s_SNMPCommunity": "public",
        "s_LogLevel": "2",
        "s_CrashRecovery": "YES",
        "s_SeparateAdminRealms": "NO",
        "s_RequireAdminTOTP": "NO",
    }
    values.update(changes)
    return values


@pytest.fixture
def expert_postmaster(postmaster):
    from accounts.services import account_update_webadmin_prefs

    account_update_webadmin_prefs(actor=postmaster, account=postmaster, updates={"InterfaceType": "Expert"})
    postmaster.refresh_from_db()
    return postmaster


def test_the_page_shows_every_setting_and_the_information_fields(expert_postmaster, as_basic):
    page = as_basic(expert_postmaster).get(GENERAL).content.decode()

    for label in ("Main Domain Name", "Contact Person", "Server Location", "Server Internals Log",
                  "Crash Recovery", "Separate WebAdmin Realms", "Server Time", "Server Up-time", "Server OS",
                  "Server Hardware", "Server Version", "IPv6 Support", "Name Server(s)", "Server IP Address(es)",
                  "Startup Parameters"):
        assert label in page, label
    assert 'value="mail.example.test"' in page


def test_basic_interface_type_hides_what_is_not_essential(postmaster, as_basic):
    page = as_basic(postmaster).get(GENERAL).content.decode()

    assert "Contact Person" in page
    assert "Crash Recovery" not in page  # an Expert setting


def test_updating_settings_saves_them_and_records_an_audit_entry(expert_postmaster, as_basic):
    client = as_basic(expert_postmaster)
    response = client.post(GENERAL, _form(s_ContactPerson="Jane Admin <jane@example.test>", s_LogLevel="4"))

    assert response.status_code == 302
    settings = server_settings()
    assert settings["ContactPerson"] == "Jane Admin <jane@example.test>"
    assert settings["LogLevel"] == 4
    entry = AuditEntry.objects.get(event="server.settings")
    assert entry.actor == expert_postmaster
    assert entry.interface == "WebAdmin"
    assert "ContactPerson" in entry.after and "LogLevel" in entry.before


def test_changing_the_main_domain_name_renames_the_main_domain(expert_postmaster, as_basic):
    response = as_basic(expert_postmaster).post(GENERAL, _form(s_DomainName="Company.COM"))

    assert response.status_code == 302
    main = Domain.objects.get(is_main=True)
    assert main.name == "company.com"
    assert main.accounts.filter(name="postmaster").exists()
    assert AuditEntry.objects.filter(event="domain.rename", object_name="company.com").exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("compañía.com", "national symbols"),
        ("bad name.com", "only letters, digits and inner hyphens"),
        ("", "Main Domain Name is empty"),
        ("a" * 64 + ".com", "longer than 63"),
    ],
)
def test_an_invalid_main_domain_name_is_refused_and_nothing_is_saved(expert_postmaster, as_basic, name, message):
    response = as_basic(expert_postmaster).post(GENERAL, _form(s_DomainName=name, s_ContactPerson="Someone"))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert Domain.objects.get(is_main=True).name == "mail.example.test"
    assert server_settings()["ContactPerson"] == ""  # the valid field was not saved either
    assert not AuditEntry.objects.filter(event="server.settings").exists()


def test_a_name_taken_by_another_domain_is_refused(expert_postmaster, as_basic):
    make_domain("client1.test")

    response = as_basic(expert_postmaster).post(GENERAL, _form(s_DomainName="client1.test"))

    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_the_server_internals_log_is_a_select_of_level_names(expert_postmaster, as_basic):
    import re

    page = as_basic(expert_postmaster).get(GENERAL).content.decode()

    select = re.search(r'<select name="s_LogLevel".*?</select>', page, re.S).group(0)
    options = re.findall(r'<option value="(\d)"( selected)?>([^<]+)</option>', select)
    assert [(number, name) for number, _, name in options] == [
        ("0", "None"), ("1", "Crashes"), ("2", "Major"), ("3", "Problems"), ("4", "Low-Level"), ("5", "All Info")]
    assert [name for _, selected, name in options if selected] == ["Major"]


def test_a_bad_log_level_is_refused_next_to_its_field(expert_postmaster, as_basic):
    response = as_basic(expert_postmaster).post(GENERAL, _form(s_LogLevel="9"))

    assert response.status_code == 400
    assert "not a log level" in response.content.decode()


def test_refresh_reads_addresses_in_a_task_and_shows_assigned_domains(
    expert_postmaster, as_basic, django_capture_on_commit_callbacks
):
    from server import osinfo

    local = osinfo.local_ip_addresses()[0]
    make_domain("client1.test", IPAddresses=[local])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_basic(expert_postmaster).post(GENERAL, {"action": "refresh"})

    assert response.status_code == 302
    network = documents.read(documents.NETWORK)
    assert local in network["LocalIPs"]
    assert AuditEntry.objects.filter(event="server.refresh").exists()
    page = as_basic(expert_postmaster).get(GENERAL).content.decode()
    link = '<a href="/Master/Users/Domains/client1.test/Settings">client1.test</a>'
    assert f"<td>[{local}]</td><td>{link}</td>" in page


def test_dns_assigned_domains_are_looked_up_on_refresh(expert_postmaster, settings):
    from server.dns import StaticResolver
    from server.selectors import ip_assignments
    from server.services import network_refresh

    StaticResolver.table = {"MX:client2.test": ["mx.client2.test"], "mx.client2.test": ["192.0.2.25"]}
    make_domain("client2.test", IPAddresses="Using DNS A/MX Records")

    network_refresh()

    assert ip_assignments()["192.0.2.25"] == "client2.test"


def test_the_settings_realm_right_is_needed_to_change_them(personas, as_basic):
    from tests.helpers import set_separate_realms

    set_separate_realms(True)
    response = as_basic(personas.monitor).post("/Settings/General", _form(s_ContactPerson="intruder"))

    assert response.status_code == 403
    assert server_settings()["ContactPerson"] == ""
