"""Rules in the base directory where CommuniGate keeps them: an account's in account.settings, a
domain's in Domain.settings, the server's in Settings/Rules.settings; a restore reads them back."""

from __future__ import annotations

from pathlib import Path

import pytest

from accounts.models import Account
from basedir import paths
from basedir.layout import ensure_layout
from basedir.services import backup_create, restore_account, restore_domain, restore_settings
from cgadmin.dataformat import load_settings_file, loads
from domains.selectors import account_foldering, find_domain
from mailrules.services import account_rules_set, domain_rules_set, server_rules, server_rules_set
from tests import factories
from tests.basedir.tree import write_account, write_all, write_domain

pytestmark = pytest.mark.django_db

RULES = loads('((5, "Junk", ((Subject, is, "*[SPAM]*")), (("Store in", Junk), ("Stop Processing"))))')
STORED = [["5", "Junk", [["Subject", "is", "*[SPAM]*"]], [["Store in", "Junk"], ["Stop Processing"]]]]


@pytest.fixture
def base(settings, tmp_path) -> Path:
    settings.CGATE_BASE = tmp_path / "base"
    ensure_layout(settings.CGATE_BASE)
    return settings.CGATE_BASE


def test_rules_are_written_where_communigate_keeps_them(base, postmaster, client1):
    jane = factories.make_account(client1, "jane")
    account_rules_set(actor=None, account=jane, rules=RULES)
    domain_rules_set(actor=None, domain=client1, rules=RULES)
    server_rules_set(actor=None, rules=RULES)

    write_all()

    account_file = paths.account_path(jane, account_foldering(jane)) / "account.settings"
    assert load_settings_file(account_file.read_text())["Rules"] == STORED
    assert load_settings_file((base / "Domains" / "client1.test" / "Settings" / "Domain.settings").read_text())[
        "Rules"] == STORED
    assert load_settings_file((base / "Settings" / "Rules.settings").read_text()) == {"Rules": STORED}


def test_a_settings_restore_brings_the_server_rules_back(base, postmaster, tmp_path):
    server_rules_set(actor=None, rules=RULES)
    write_all()
    archive = tmp_path / "settings.tar.gz"
    backup_create(actor=None, output=archive, kind="settings")
    server_rules_set(actor=None, rules=[])

    restore_settings(actor=None, archive_path=archive)

    assert server_rules() == STORED


def test_an_account_restore_brings_its_rules_back(base, client1, tmp_path):
    jane = factories.make_account(client1, "jane")
    account_rules_set(actor=None, account=jane, rules=RULES)
    write_account(jane)
    archive = tmp_path / "jane.tar.gz"
    backup_create(actor=None, output=archive, kind="account", account=jane)
    account_rules_set(actor=None, account=jane, rules=[])
    write_account(jane)

    restore_account(actor=None, archive_path=archive, account=jane)

    assert Account.objects.get(pk=jane.pk).settings["Rules"] == STORED


def test_a_domain_restored_under_another_name_keeps_its_and_its_accounts_rules(base, postmaster, client1, tmp_path):
    jane = factories.make_account(client1, "jane")
    account_rules_set(actor=None, account=jane, rules=RULES)
    domain_rules_set(actor=None, domain=client1, rules=RULES)
    write_domain(client1)
    archive = tmp_path / "client1.tar.gz"
    backup_create(actor=None, output=archive, kind="domain", domain=client1)

    restore_domain(actor=None, archive_path=archive, name="client1.test", new_name="restored.test")

    restored = find_domain("restored.test")
    assert restored is not None and restored.settings["Rules"] == STORED
    assert restored.accounts.get(name="jane").settings["Rules"] == STORED
