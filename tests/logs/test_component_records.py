"""What the components write to the Server Log on their own: WebAdmin logins and committed changes."""

from __future__ import annotations

import pytest
from django.db import transaction

from logs.services import log_settings_update
from realms.auth import check_login
from tests import factories
from tests.logs.conftest import records

pytestmark = pytest.mark.django_db


def test_webadmin_logins_are_recorded_under_httpa_by_level(postmaster, log_folder, committed):
    with committed():
        log_settings_update(actor=None, updates={"Levels": {"HTTPA": 3}})

    check_login("postmaster", "wrong", address="192.0.2.7")
    check_login("postmaster", factories.POSTMASTER_PASSWORD, address="192.0.2.7")

    httpa = [line for line in records(log_folder) if " HTTPA" in line]
    assert len(httpa) == 1  # the failure is a Problem (3); a success is All Info (5), above this level
    assert " 3 HTTPA(192.0.2.7) login failed for 'postmaster'" in httpa[0]


def test_a_committed_account_change_is_recorded_and_a_rolled_back_one_is_not(
        postmaster, client1, log_folder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.make_account(client1, "kept")
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        factories.make_account(client1, "undone")
        raise RuntimeError

    account_lines = [line for line in records(log_folder) if " ACCOUNT" in line]
    assert any(" 2 ACCOUNT" in line and "kept@client1.test" in line and "(shell)" in line for line in account_lines)
    assert not any("undone" in line for line in account_lines)
