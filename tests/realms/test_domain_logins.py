"""Domain Administrators log in with their short name where they reach the server under their domain's
name (the Host header) or its assigned address; name@domain works everywhere."""

import pytest
from django.test import Client

from domains.services import domain_set_aliases, domain_update_settings
from tests.cli.live import LineClient, live_cli  # noqa: F401 (live_cli: a fixture)
from tests.conftest import basic_auth
from tests.factories import PASSWORD, POSTMASTER_PASSWORD, make_domain_admin

pytestmark = pytest.mark.django_db
DOMAIN_PAGE = "/Domain/Domains/client1.test/Settings"


@pytest.fixture
def admin(client1):
    return make_domain_admin(client1, "boss", "CanCreateAccounts")


def _form_login(host: str, name: str, password: str = PASSWORD) -> Client:
    browser = Client(HTTP_HOST=host)
    response = browser.post("/login/", {"name": name, "password": password, "next": DOMAIN_PAGE})
    assert response.status_code in (200, 302)
    return browser


def test_a_short_name_typed_at_the_domains_host_name_opens_its_account(admin):
    browser = _form_login("client1.test:8010", "boss")

    assert browser.get(DOMAIN_PAGE).status_code == 200


def test_a_domain_alias_as_the_host_name_works_too(admin, client1):
    domain_set_aliases(actor=None, domain=client1, aliases=["mail.client1.test"])

    assert _form_login("mail.client1.test", "boss").get(DOMAIN_PAGE).status_code == 200


def test_http_basic_takes_the_short_name_at_the_domains_host_name(admin):
    at_domain = Client(HTTP_HOST="client1.test", **basic_auth("boss"))
    at_main = Client(HTTP_HOST="mail.example.test", **basic_auth("boss"))

    assert at_domain.get(DOMAIN_PAGE).status_code == 200
    assert at_main.get(DOMAIN_PAGE).status_code == 401  # there, "boss" is a Main Domain name


def test_the_full_name_works_at_any_host_and_main_domain_names_at_the_main_host(postmaster, admin):
    assert Client(HTTP_HOST="client1.test", **basic_auth("boss@client1.test")).get(DOMAIN_PAGE).status_code == 200
    main = Client(HTTP_HOST="mail.example.test", **basic_auth("postmaster", POSTMASTER_PASSWORD))
    assert main.get("/Master/Settings/General").status_code == 200
    at_domain = Client(HTTP_HOST="client1.test", **basic_auth("postmaster@mail.example.test", POSTMASTER_PASSWORD))
    assert at_domain.get("/Master/Settings/General").status_code == 200


def test_a_short_name_at_the_domains_assigned_address_logs_into_the_cli(live_cli, client1):  # noqa: F811
    make_domain_admin(client1, "boss", "CanCreateAccounts")
    domain_update_settings(actor=None, domain=client1, updates={"IPAddresses": ["127.0.0.1"]})

    with LineClient(live_cli.port) as cli:
        cli.login("boss", PASSWORD)
        assert cli.ask("GetAccountSettings boss@client1.test").startswith("200")
