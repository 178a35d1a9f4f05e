"""One object is exported by one worker at a time: a worker leaves a busy object to its holder."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from accounts.services import account_update_settings
from basedir.export import _NS_OBJECT, _try_lock, drain
from basedir.models import ExportOutbox
from tests.factories import initialize_server, make_account, make_domain

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_account_another_worker_holds_is_left_to_it_and_written_after(settings, tmp_path):
    settings.CGATE_BASE = tmp_path / "CommuniGate"
    initialize_server()
    jane = make_account(make_domain("client1.test"), "jane")
    holding, release = threading.Event(), threading.Event()

    def other_worker() -> None:
        try:
            with transaction.atomic():
                assert _try_lock(_NS_OBJECT, f"account:{jane.pk}")
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    settings_file = settings.CGATE_BASE / "Domains" / "client1.test" / "jane.macnt" / "account.settings"
    assert settings_file.is_file()  # written after the creation's commit (tasks run eagerly here)
    thread = threading.Thread(target=other_worker)
    thread.start()
    assert holding.wait(30)
    try:
        account_update_settings(actor=None, account=jane, updates={"RealName": "Jane Roe"})  # its drain: busy
        result = drain()
    finally:
        release.set()
        thread.join(30)

    assert result.busy_or_failed == 1
    assert "Jane Roe" not in settings_file.read_text()
    assert ExportOutbox.objects.filter(kind="account", key=str(jane.pk)).exists()

    drain()  # what the holder does after its commit
    assert "Jane Roe" in settings_file.read_text()
    assert not ExportOutbox.objects.filter(kind="account").exists()
