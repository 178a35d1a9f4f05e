"""Password storage: Argon2id by default, older hashes upgraded at login, a typed password never kept
as a stored form, and every login paying the same hashing whether the name exists or not."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher, ScryptPasswordHasher, get_hasher
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from accounts.hashers import encode_password
from accounts.models import Account
from accounts.services import account_create, account_set_password, account_update_settings, accounts_import_csv
from cgadmin.errors import CGError
from realms.auth import check_cli_login, check_login
from tests.conftest import basic_auth
from tests.factories import PASSWORD, make_account

pytestmark = pytest.mark.django_db
PRODUCTION_HASHERS = [
    "accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    "accounts.hashers.ACryptHasher",
    "accounts.hashers.ClearHasher",
]


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_the_default_is_argon2id_with_at_least_owasps_minimum_cost(client1):
    account = make_account(client1, "jane")

    assert account.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert check_login("jane@client1.test", PASSWORD, address="192.0.2.1") is not None


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS, PASSWORD_ARGON2_MEMORY_KIB=47104, PASSWORD_ARGON2_TIME_COST=1)
def test_the_cost_is_a_setting(client1):
    assert make_account(client1, "jane").password.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS, PASSWORD_ARGON2_MEMORY_KIB=8192, PASSWORD_ARGON2_TIME_COST=2)
def test_a_cost_below_owasps_minimum_is_refused(client1):
    with pytest.raises(ImproperlyConfigured, match="below OWASP's minimum"):
        make_account(client1, "jane")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
@pytest.mark.parametrize("old", [
    PBKDF2PasswordHasher().encode(PASSWORD, "pbkdf2salt", iterations=1000),
    ScryptPasswordHasher().encode(PASSWORD, "scryptsalt", n=2 ** 10),
], ids=["pbkdf2", "scrypt"])
def test_older_hashes_keep_working_and_are_upgraded_at_the_next_login(client1, old):
    accounts_import_csv(actor=None, domain=client1, text=f"Name,Password\njane,{old}\n")
    assert Account.objects.get(name="jane").password == old

    assert check_login("jane@client1.test", "wrong", address="192.0.2.1") is None
    assert Account.objects.get(name="jane").password == old  # a failed login changes nothing
    assert check_login("jane@client1.test", PASSWORD, address="192.0.2.1") is not None
    upgraded = Account.objects.get(name="jane").password
    assert upgraded.startswith("argon2$argon2id$")
    assert check_login("jane@client1.test", PASSWORD, address="192.0.2.1") is not None


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_argon2id_hash_of_a_lower_cost_is_upgraded_at_login(client1):
    with override_settings(PASSWORD_ARGON2_MEMORY_KIB=47104, PASSWORD_ARGON2_TIME_COST=1):
        make_account(client1, "jane")

    check_login("jane@client1.test", PASSWORD, address="192.0.2.1")

    assert Account.objects.get(name="jane").password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS)
def test_an_account_that_chose_pbkdf2_keeps_it(client1):
    account = make_account(client1, "jane", PasswordEncryption="PBKDF2")
    assert account.password.startswith("pbkdf2_sha256$")

    check_login("jane@client1.test", PASSWORD, address="192.0.2.1")

    assert Account.objects.get(name="jane").password == account.password


# --- issue 16.13: a typed password is a password, whatever it looks like ---------------------------

LOOKALIKES = ["clear$ab", PBKDF2PasswordHasher().encode("other", "salt", iterations=1), "{PLAIN}other",
              "$6$rounds=5000$iRedMailSalt0001$WeuC085J69cWDR2gbYo.F8DIQNGOkVTyUy/vg7IoCrUM7unijMQZeHFeU5MxVKHEtISFYQ8joLn2O6iwsO3t.."]


@pytest.mark.parametrize("typed", LOOKALIKES)
def test_set_account_password_encodes_a_typed_stored_form_as_text(client1, typed):
    account = make_account(client1, "jane")

    account_set_password(actor=None, account=account, password=typed)

    account.refresh_from_db()
    assert account.password != typed
    assert account.check_password(typed)  # the text itself is the password now
    assert not account.check_password("other") and not account.check_password("ab")


@pytest.mark.parametrize("typed", LOOKALIKES)
def test_create_account_and_settings_encode_a_typed_stored_form_as_text(client1, typed):
    created = account_create(actor=None, domain=client1, name="jane", password=typed)
    via_settings = account_create(actor=None, domain=client1, name="joe", settings={"Password": typed})
    updated = make_account(client1, "bob")
    account_update_settings(actor=None, account=updated, updates={"Password": typed})
    updated.refresh_from_db()

    for account in (created, via_settings, updated):
        assert account.password != typed and account.check_password(typed)


def test_a_users_own_newpass_with_a_stored_form_is_checked_by_the_policy(client1):
    jane = make_account(client1, "jane")

    with pytest.raises(CGError, match="at least 6"):
        account_set_password(actor=jane, account=jane, password="$6$ab")  # the policy applies to the text
    account_set_password(actor=jane, account=jane, password="clear$ab-long")
    jane.refresh_from_db()
    assert jane.password != "clear$ab-long" and jane.check_password("clear$ab-long")


def test_the_password_page_encodes_a_typed_stored_form(client1, postmaster):
    from tests.factories import POSTMASTER_PASSWORD

    make_account(client1, "jane")
    browser = Client(**basic_auth("postmaster", POSTMASTER_PASSWORD))
    response = browser.post("/Master/Users/Domains/client1.test/Accounts/jane",
                            {"action": "password", "password": "clear$ab-long", "confirm": "clear$ab-long"})
    jane = Account.objects.get(name="jane")

    assert response.status_code == 302
    assert jane.password != "clear$ab-long" and jane.check_password("clear$ab-long")


# --- issue 16.8: an unknown name costs what a known one does --------------------------------------


class CountingHasher(MD5PasswordHasher):
    """The test default hash, counting its verifications (the work a login does)."""

    calls = 0

    def verify(self, password: str, encoded: str) -> bool:
        CountingHasher.calls += 1
        return super().verify(password, encoded)


COUNTING = ["tests.accounts.test_password_hashing.CountingHasher", *PRODUCTION_HASHERS]


def _hash_calls(login, *args, **kwargs) -> int:
    CountingHasher.calls = 0
    login(*args, **kwargs)
    return CountingHasher.calls


@override_settings(PASSWORD_HASHERS=COUNTING)
def test_every_login_verifies_the_default_hash_exactly_once(client1):
    assert get_hasher("default").algorithm == CountingHasher.algorithm
    make_account(client1, "hashed")
    make_account(client1, "acrypt", PasswordEncryption="A-crpt")
    make_account(client1, "clear", PasswordEncryption="clear")
    make_account(client1, "nopass").__class__.objects.filter(name="nopass").update(password="!")
    attempts = {
        "unknown": "nobody@client1.test", "unknown domain": "nobody@nowhere.test", "hashed": "hashed@client1.test",
        "A-crpt": "acrypt@client1.test", "clear": "clear@client1.test", "no password": "nopass@client1.test",
    }

    for password in (PASSWORD, "wrong-password"):
        for kind, name in attempts.items():
            assert _hash_calls(check_login, name, password, address="192.0.2.9") == 1, (kind, password)
            assert _hash_calls(check_cli_login, name, password, address="192.0.2.9") == 1, (kind, password)


@override_settings(PASSWORD_HASHERS=COUNTING)
def test_basic_requests_of_known_and_unknown_names_verify_the_same(client1):
    make_account(client1, "acrypt", PasswordEncryption="A-crpt")
    for name in ("acrypt@client1.test", "nobody@client1.test"):
        calls = _hash_calls(Client(**basic_auth(name, "wrong-password")).get, "/Master/Settings/General")
        assert calls == 1, name


def test_encode_password_follows_password_encryption():
    assert encode_password("x", "clear") == "clear$x"
    assert encode_password("x", "A-crpt").startswith("A-crpt$")
    assert encode_password("x", "PBKDF2").startswith("pbkdf2_sha256$")
    assert encode_password("x", "Argon2id").startswith(get_hasher("default").algorithm + "$")

