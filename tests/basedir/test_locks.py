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


def test_a_full_export_in_several_processes_writes_the_same_tree(settings, tmp_path):
    from django.core.management import call_command

    from basedir.check import check
    from basedir.export import export_full
    from tests.basedir.tree import snapshot as whole_snapshot

    def snapshot(base):
        return {name: data for name, data in whole_snapshot(base).items() if not name.startswith("SystemLogs")}

    settings.CGATE_BASE = tmp_path / "CommuniGate"
    initialize_server()
    for number in range(4):
        domain = make_domain(f"client{number}.test")
        for name in ("ann", "bob", "eve"):
            make_account(domain, name, RealName=f"{name} of {domain.name}")
    export_full()
    written_alone = snapshot(settings.CGATE_BASE)
    for folder in (settings.CGATE_BASE / "Domains").iterdir():
        for account in folder.glob("*.macnt"):
            (account / "account.settings").unlink()
    (settings.CGATE_BASE / "Domains" / "client2.test" / "bob.macnt" / "account.prefs").write_text("{torn")

    result = export_full(jobs=2)

    assert result.domains == 5 and result.accounts == 13  # the Main Domain's postmaster too
    assert result.files_written == 13  # the 12 removed files and the torn one
    assert snapshot(settings.CGATE_BASE) == written_alone
    assert check() == []
    call_command("basedir", "export", "--full", "--jobs", "2")
    assert snapshot(settings.CGATE_BASE) == written_alone
