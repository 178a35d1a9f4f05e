"""Classes of Service: an account naming a class gets its settings over the template and under its own
values, everywhere the server reads settings (CLI, pages, delivery)."""

import pytest

from cgadmin.dataformat import loads
from cli.dispatch import execute
from domains.services import domain_defaults_update, service_class_create, service_class_update
from tests.factories import make_account

pytestmark = pytest.mark.django_db


def _effective(postmaster, address: str) -> dict:
    answer = execute(f"GetAccountEffectiveSettings {address}", actor=postmaster)
    assert answer.code in (200, 201), answer.text
    return loads(answer.data)


@pytest.fixture
def gold(client1):
    domain_defaults_update(actor=None, updates={"ServiceClasses": {"gold": {"MaxAccountSize": "1G"}}})
    return "gold"


def test_an_account_gets_its_class_settings_over_the_domain_template(postmaster, client1, gold):
    from domains.services import account_template_update

    account_template_update(actor=None, domain=client1, updates={"MaxAccountSize": "100M"})
    make_account(client1, "goldie", ServiceClass="gold")
    make_account(client1, "plain")

    assert _effective(postmaster, "goldie@client1.test")["MaxAccountSize"] == "1G"
    assert _effective(postmaster, "plain@client1.test")["MaxAccountSize"] == "100M"


def test_the_accounts_own_value_wins_over_its_class(postmaster, client1, gold):
    make_account(client1, "goldie", ServiceClass="gold", MaxAccountSize="5M")

    assert _effective(postmaster, "goldie@client1.test")["MaxAccountSize"] == "5M"


def test_a_domains_own_class_replaces_the_servers_class_of_that_name(postmaster, client1, client2, gold):
    service_class_create(actor=None, domain=client1, name="gold")
    service_class_update(actor=None, domain=client1, name="gold", updates={"MaxAccountSize": "2G"})
    make_account(client1, "one", ServiceClass="gold")
    make_account(client2, "two", ServiceClass="gold")

    assert _effective(postmaster, "one@client1.test")["MaxAccountSize"] == "2G"
    assert _effective(postmaster, "two@client2.test")["MaxAccountSize"] == "1G"


def test_a_class_named_by_the_template_applies_to_every_account_of_the_domain(postmaster, client1, gold):
    from domains.services import account_template_update

    account_template_update(actor=None, domain=client1, updates={"ServiceClass": "gold"})
    make_account(client1, "anyone")

    assert _effective(postmaster, "anyone@client1.test")["MaxAccountSize"] == "1G"


def test_the_settings_page_shows_the_class_as_the_source(postmaster, client1, gold, as_basic, expert):
    account = make_account(client1, "goldie", ServiceClass="gold")
    from accounts.selectors import account_settings_effective

    assert account_settings_effective(account)["MaxAccountSize"].source == "class gold"
    page = as_basic(expert(postmaster)).get("/Master/Users/Domains/client1.test/Accounts/goldie").content.decode()
    row = page[page.index('name="s_MaxAccountSize"') - 2000:page.index('name="s_MaxAccountSize"') + 2000]
    assert "class gold" in row


def test_the_cli_refuses_classes_that_are_not_account_settings(postmaster, client1):
    answer = execute('UpdateDomainSettings client1.test {ServiceClasses={gold={MaxAccountSize=lots;};};}',
                     actor=postmaster)

    assert answer.code == 500 and "class 'gold'" in answer.text and "MaxAccountSize" in answer.text
    assert "ServiceClasses" not in loads(execute("GetDomainSettings client1.test", actor=postmaster).data)


CLASSES = "/Master/Users/ServiceClasses"


def test_the_classes_page_creates_edits_renames_and_removes_a_class(postmaster, client1, as_basic, expert):
    from server import documents

    browser = as_basic(expert(postmaster))

    created = browser.post(CLASSES, {"action": "create", "name": "gold"})
    assert created.status_code == 302 and created["Location"] == f"{CLASSES}/gold"
    page = browser.get(f"{CLASSES}/gold").content.decode()
    assert 'name="s_MaxAccountSize"' in page and 'name="s_ServiceClass"' in page
    edited = browser.post(f"{CLASSES}/gold", {"s_MaxAccountSize": "1G"})
    assert edited.status_code == 302
    assert documents.read(documents.DOMAIN_DEFAULTS)["ServiceClasses"] == {"gold": {"MaxAccountSize": "1G"}}
    listed = browser.get(CLASSES).content.decode()
    assert 'href="/Master/Users/ServiceClasses/gold"' in listed and "MaxAccountSize" in listed

    unconfirmed = browser.post(CLASSES, {"action": "remove", "name": "gold"})
    assert unconfirmed.status_code == 400 and "Tick the box" in unconfirmed.content.decode()
    renamed = browser.post(CLASSES, {"action": "rename", "name": "gold", "new_name": "platinum"})
    assert renamed.status_code == 302
    removed = browser.post(CLASSES, {"action": "remove", "name": "platinum", "confirm": "on"})
    assert removed.status_code == 302
    assert "ServiceClasses" not in documents.read(documents.DOMAIN_DEFAULTS)


def test_a_class_in_use_is_not_removed_and_the_page_says_why(postmaster, client1, gold, as_basic, expert):
    make_account(client1, "goldie", ServiceClass="gold")

    refused = as_basic(expert(postmaster)).post(CLASSES, {"action": "remove", "name": "gold", "confirm": "on"})

    assert refused.status_code == 400
    assert "1 account name it" in refused.content.decode()


def test_a_domain_administrator_with_the_right_manages_the_domains_classes(personas, as_basic):
    from tests.factories import make_domain_admin

    admin = make_domain_admin(personas.client1, "classadmin", "ServiceClasses")
    url = "/Domain/Domains/client1.test/ServiceClasses"
    browser = as_basic(admin)

    assert browser.post(url, {"action": "create", "name": "silver"}).status_code == 302
    assert browser.post(f"{url}/silver", {"s_MaxAccountSize": "2G"}).status_code == 302
    assert as_basic(personas.domain_admin_with_right).post(url, {"action": "create", "name": "x"}).status_code == 403
    personas.client1.refresh_from_db()
    assert personas.client1.settings["ServiceClasses"] == {"silver": {"MaxAccountSize": "2G"}}
