"""Password policy (MinPasswordLength, PasswordComplexity): every typed password is checked against
its domain's policy (WebAdmin, CLI, imports with clear passwords); stored forms never are."""

from __future__ import annotations

import pytest

from accounts import services as S
from accounts.csvformat import CsvRow
from accounts.models import Account
from cgadmin.errors import InvalidInput
from domains.services import domain_defaults_update, domain_update_settings
from realms.auth import check_login
from tests.factories import make_account
from tests.webforms import main_of

pytestmark = pytest.mark.django_db

TEN = "the password must be at least 10 characters long"


@pytest.fixture
def jane(client1) -> Account:
    return make_account(client1, "jane")  # before the policy: the factory's password is older


@pytest.fixture
def strict(client1, jane):
    domain_update_settings(actor=None, domain=client1,
                           updates={"MinPasswordLength": "10", "PasswordComplexity": "letters and digits"})
    client1.refresh_from_db()  # as each request finds the domain
    return client1


def test_account_create_refuses_a_short_password_and_creates_nothing(strict):
    with pytest.raises(InvalidInput, match=TEN):
        S.account_create(actor=None, domain=strict, name="ann", password="short1")
    with pytest.raises(InvalidInput, match=TEN):
        S.account_create(actor=None, domain=strict, name="ann", settings={"Password": "short1"})

    assert not Account.objects.filter(name="ann").exists()
    S.account_create(actor=None, domain=strict, name="ann", password="long-enough-1")
    assert check_login("ann@client1.test", "long-enough-1", address="192.0.2.1") is not None


def test_the_character_rule_is_named(strict):
    with pytest.raises(InvalidInput, match="must contain both letters and digits"):
        S.account_create(actor=None, domain=strict, name="ann", password="only-letters-here")
    domain_update_settings(actor=None, domain=strict, updates={"PasswordComplexity": "letters, digits and symbols"})
    strict.refresh_from_db()
    with pytest.raises(InvalidInput, match="must contain letters, digits and symbols"):
        S.account_create(actor=None, domain=strict, name="ann", password="letters4nddigits")
    S.account_create(actor=None, domain=strict, name="ann", password="l3tters+digits")


def test_an_administrators_password_change_is_checked_and_leaves_the_old_one(strict, jane):
    before = jane.password

    with pytest.raises(InvalidInput, match=TEN):
        S.account_set_password(actor=None, account=jane, password="abc123")

    jane.refresh_from_db()
    assert jane.password == before
    S.account_set_password(actor=None, account=jane, password="abcdefgh123")


def test_the_policy_comes_from_the_server_wide_domain_defaults(client1, client2):
    domain_defaults_update(actor=None, updates={"MinPasswordLength": "12"})

    with pytest.raises(InvalidInput, match="at least 12 characters long"):
        S.account_create(actor=None, domain=client2, name="ann", password="eleven-char")
    domain_update_settings(actor=None, domain=client1, updates={"MinPasswordLength": "0"})
    client1.refresh_from_db()
    S.account_create(actor=None, domain=client1, name="ann", password="x")  # its own setting wins


def test_stored_forms_from_imports_are_not_checked_but_clear_ones_are(strict, jane):
    stored = jane.password
    rows = [CsvRow(2, "ann", None, "short1", []), CsvRow(3, "bob", None, stored, []),
            CsvRow(4, "cat", None, "long-enough-1", [])]

    outcomes = S.accounts_create_batch(actor=None, domain=strict, rows=rows)

    assert outcomes[0] == TEN
    assert [isinstance(outcome, Account) for outcome in outcomes[1:]] == [True, True]
    assert Account.objects.get(name="bob").password == stored


def test_the_setting_is_checked():
    from domains.settings_schema import DOMAIN

    with pytest.raises(InvalidInput, match="MinPasswordLength"):
        DOMAIN.validate_all({"MinPasswordLength": "many"})
    with pytest.raises(InvalidInput, match="PasswordComplexity"):
        DOMAIN.validate_all({"PasswordComplexity": "emoji"})


def test_the_password_page_shows_the_rule(strict, jane, postmaster, expert, as_basic):
    before = jane.password
    client = as_basic(expert(postmaster))

    response = client.post("/Master/Users/Domains/client1.test/Accounts/jane",
                           {"action": "password", "password": "abc123", "confirm": "abc123"})

    assert response.status_code == 400
    assert TEN in main_of(response)
    jane.refresh_from_db()
    assert jane.password == before


def test_the_cli_answers_the_rule(strict, postmaster):
    from cli.session import Session
    from tests import factories

    session = Session(peer="192.0.2.1", session_id=1, host="mail.example.test")
    session.handle(f"AUTH WEBUSER postmaster {factories.POSTMASTER_PASSWORD}")

    answer = session.handle("SetAccountPassword jane@client1.test TO short1").lines[0]
    created = session.handle('CreateAccount ann@client1.test {Password="short1";}').lines[0]

    assert answer.startswith("5") and TEN in answer
    assert created.startswith("5") and TEN in created
    assert session.handle("SetAccountPassword jane@client1.test TO longer-one-1").lines == ["200 OK"]


def test_the_account_page_offers_a_generator_for_the_domains_policy(strict, jane, postmaster, expert, as_basic):
    page = main_of(as_basic(expert(postmaster)).get("/Master/Users/Domains/client1.test/Accounts/jane"))

    assert "The domain asks for at least 10 characters." in page
    assert "The domain asks for these characters: letters and digits." in page
    button = page[page.index("data-generate-for="):][:600]
    assert 'data-min-length="10"' in button and 'data-confirm-field="id_confirm"' in button
    assert " hidden>" in button  # only the script shows it: without scripts the form is as before


def test_the_domain_settings_page_sets_the_policy(client1, postmaster, expert, as_basic):
    from tests.webforms import form_with

    client = as_basic(expert(postmaster))
    url = "/Master/Users/Domains/client1.test/Settings"
    page = client.get(url).content.decode()
    assert "<legend>Passwords</legend>" in page and "Minimum Password Length" in page

    response = client.post(url, form_with(page, "update", s_MinPasswordLength="12", d_MinPasswordLength=None,
                                          s_PasswordComplexity="letters and digits", d_PasswordComplexity=None))

    assert response.status_code == 302
    client1.refresh_from_db()
    assert client1.settings == {"MinPasswordLength": 12, "PasswordComplexity": "letters and digits"}
    with pytest.raises(InvalidInput, match="at least 12 characters long"):
        S.account_create(actor=None, domain=client1, name="ann", password="abc123def45")


def test_create_account_on_the_list_states_the_policy_and_refuses_a_short_password(strict, postmaster, expert,
                                                                                   as_basic):
    client = as_basic(expert(postmaster))
    url = "/Master/Users/Domains/client1.test/Accounts"
    page = main_of(client.get(url, {"create": "1"}))  # the list's Create Account link
    assert "The domain asks for at least 10 characters." in page
    assert 'data-min-length="10"' in page[page.index("data-generate-for="):][:300]

    response = client.post(url, {"action": "create", "name": "ann", "kind": "MultiMailbox", "password": "abc123"})

    assert response.status_code == 400
    assert TEN in main_of(response)
    assert not Account.objects.filter(name="ann").exists()
