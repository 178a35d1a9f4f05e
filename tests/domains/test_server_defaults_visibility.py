"""The server-wide Account Defaults, Default Preferences and Domain Defaults: a Domain Administrator
is refused them on the Domain WebAdmin as the CLI refuses them (DomainsRead needed), by one selector
(issue 16, item 19); it still sees its own domains' layers."""

import pytest

from domains.services import account_defaults_update
from tests.faces import cli_http
from tests.factories import make_domain_admin
from tests.webforms import main_of

pytestmark = pytest.mark.django_db

PAGES_AND_VERBS = [
    ("AccountDefaults", "GetServerAccountDefaults"),
    ("AccountPreferences", "GetServerAccountPrefs"),
    ("DomainDefaults", "GetDomainDefaults"),
]


@pytest.fixture
def domain_admin(client1, expert):
    return expert(make_domain_admin(client1, "boss", "CanCreateAccounts", "MaxAccountSize"))


@pytest.mark.parametrize(("page", "verb"), PAGES_AND_VERBS)
def test_a_domain_administrator_is_refused_the_server_wide_layers_on_both_faces(
    page, verb, domain_admin, as_basic
):
    account_defaults_update(actor=None, domain=None, updates={"MaxAccountSize": "77M"})
    client = as_basic(domain_admin)

    response = client.get(f"/Domain/{page}")

    assert response.status_code == 403 and "77M" not in response.content.decode()
    assert "DomainsRead" in main_of(response)
    assert cli_http(domain_admin, verb).startswith("510 ")
    menu = client.get("/Domain/Domains/client1.test/Settings").content.decode()
    assert f'href="/Domain/{page}"' not in menu


@pytest.mark.parametrize(("page", "verb"), PAGES_AND_VERBS)
def test_a_domains_read_administrator_reads_them_on_both_faces(page, verb, personas, as_basic, expert):
    reader = expert(personas.domains_read)

    assert as_basic(reader).get(f"/Users/{page}").status_code == 302  # Separate Realms off: to /Master/
    assert cli_http(reader, verb).startswith("201 ")
    assert f'href="/Domain/{page}"' in as_basic(reader).get("/Domain/Domains").content.decode()


def test_the_domain_administrator_still_edits_its_domains_account_defaults(domain_admin, as_basic):
    page = as_basic(domain_admin).get("/Domain/Domains/client1.test/AccountDefaults")

    assert page.status_code == 200 and "MaxAccountSize" in page.content.decode()
