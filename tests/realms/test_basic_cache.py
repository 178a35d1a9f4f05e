"""HTTP Basic's credential cache (issue 18.5): a script's repeated requests pay one password hash,
and a password change, a disabled account, a rights change or KillAccountSessions end it at once."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from accounts.services import (
    account_kill_sessions,
    account_set_password,
    account_set_server_rights,
    account_update_settings,
)
from realms import basic_cache, throttle
from tests.accounts.test_password_hashing import COUNTING, CountingHasher
from tests.conftest import basic_auth
from tests.factories import make_account

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("postmaster")]
PAGE = "/Settings/General"
PASSWORD = "script-pass-1"


def _get(name: str, password: str, address: str = "192.0.2.20") -> tuple[int, int]:
    """(status, password hashes verified) of one Basic request: 200 when the credential opened a
    session-less request (the page sends this administrator on to its realm's scheme), else 401."""
    CountingHasher.calls = 0
    status = Client(REMOTE_ADDR=address, **basic_auth(name, password)).get(PAGE).status_code
    return (200 if status == 302 else status), CountingHasher.calls


@pytest.fixture
def admin():
    with override_settings(PASSWORD_HASHERS=COUNTING):
        account = make_account(None, "scripts", rights=["Settings"])
        account_set_password(actor=None, account=account, password=PASSWORD)
        yield account


def test_a_repeated_basic_request_pays_no_hash(admin):
    assert _get("scripts", PASSWORD) == (200, 1)
    assert _get("scripts", PASSWORD) == (200, 0)
    assert _get("scripts", PASSWORD, address="198.51.100.8") == (200, 0)


def test_the_cache_keeps_no_password(admin):
    _get("scripts", PASSWORD)

    stored = repr(basic_cache._entries).encode()
    assert PASSWORD.encode() not in stored and b"scripts" not in stored
    assert len(basic_cache._entries) == 1


def test_a_wrong_password_is_never_cached_and_still_counted(admin):
    _get("scripts", PASSWORD)
    for _ in range(3):
        assert _get("scripts", "wrong-pass", address="203.0.113.70") == (401, 1)

    assert throttle._read_counts([f"cg:fail:acct:id:{admin.pk}"]) == {f"cg:fail:acct:id:{admin.pk}": 3}
    assert len(basic_cache._entries) == 1


def test_a_password_change_ends_it_at_once(admin):
    _get("scripts", PASSWORD)
    account_set_password(actor=None, account=admin, password="new-pass-22")

    assert _get("scripts", PASSWORD) == (401, 1)
    assert _get("scripts", "new-pass-22") == (200, 1)


def test_disabling_the_account_ends_it_at_once(admin):
    _get("scripts", PASSWORD)
    account_update_settings(actor=None, account=admin, updates={"AccessModes": "None"})

    assert _get("scripts", PASSWORD)[0] == 401


def test_a_rights_change_makes_it_verify_again(admin):
    _get("scripts", PASSWORD)
    account_set_server_rights(actor=None, account=admin, rights=["Settings", "Monitor"])

    assert _get("scripts", PASSWORD) == (200, 1)


def test_kill_account_sessions_makes_it_verify_again(admin):
    _get("scripts", PASSWORD)
    account_kill_sessions(actor=None, account=admin)

    assert _get("scripts", PASSWORD) == (200, 1)


@override_settings(BASIC_AUTH_CACHE_SECONDS=0)
def test_the_cache_can_be_turned_off(admin):
    assert _get("scripts", PASSWORD) == (200, 1)
    assert _get("scripts", PASSWORD) == (200, 1)
