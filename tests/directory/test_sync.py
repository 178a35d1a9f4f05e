"""The Central Directory follows every account change, per domain's CentralDirectory setting."""

import pytest

from accounts.services import account_delete, account_rename, account_set_aliases, account_update_settings
from directory.models import DirectoryRecord
from directory.services import directory_public_info_update
from domains.services import domain_defaults_update, domain_delete, domain_rename, domain_update_settings
from tests.factories import make_account, make_domain

pytestmark = pytest.mark.django_db


def _record(domain, name):
    return DirectoryRecord.objects.filter(domain=domain, name_key=name).first()


def _names(domain):
    return sorted(DirectoryRecord.objects.filter(domain=domain).values_list("name", flat=True))


def test_the_first_start_puts_postmaster_in_the_directory(postmaster):
    record = _record(postmaster.domain, "postmaster")

    assert record.email == "postmaster@mail.example.test"
    assert record.account == postmaster
    assert record.domain_name == "mail.example.test"


def test_a_new_account_gets_a_record_with_its_real_name(client1):
    jane = make_account(client1, "jane", RealName="Jane Doe")

    record = _record(client1, "jane")
    assert (record.name, record.real_name, record.email, record.account) == (
        "jane", "Jane Doe", "jane@client1.test", jane)


def test_settings_changes_update_the_record_and_public_info_follows_the_publicinfo_list(client1):
    jane = make_account(client1, "jane", RealName="Jane Doe", title="Engineer", secret="x")
    directory_public_info_update(actor=None, names=["title", "telephoneNumber"])
    assert _record(client1, "jane").public == {"title": "Engineer"}

    account_update_settings(actor=None, account=jane,
                            updates={"RealName": "Jane Roe", "telephoneNumber": "+1 555", "title": "default"})

    record = _record(client1, "jane")
    assert record.real_name == "Jane Roe"
    assert record.real_name_key == "jane roe"
    assert record.public == {"telephoneNumber": "+1 555"}  # never "secret": it is not public info


def test_rename_moves_the_record_and_delete_removes_it(client1, client2):
    jane = make_account(client1, "jane", RealName="Jane")

    account_rename(actor=None, account=jane, new_address="janet")
    assert _names(client1) == ["janet"]
    assert _record(client1, "janet").email == "janet@client1.test"

    account_rename(actor=None, account=jane, new_address="janet@client2.test")
    assert _names(client1) == []
    assert _record(client2, "janet").email == "janet@client2.test"

    account_delete(actor=None, account=jane)
    assert _names(client2) == []


def test_aliases_are_part_of_the_record(client1):
    jane = make_account(client1, "jane")

    account_set_aliases(actor=None, account=jane, aliases=["jd", "doe"])

    assert _record(client1, "jane").aliases == ["doe", "jd"]


def test_a_dont_update_domain_keeps_its_records_as_they_are_and_gets_no_new_ones(client1):
    jane = make_account(client1, "jane", RealName="Jane")
    domain_update_settings(actor=None, domain=client1, updates={"CentralDirectory": "Don't Update"})

    account_update_settings(actor=None, account=jane, updates={"RealName": "Changed"})
    make_account(client1, "bob")
    account_delete(actor=None, account=jane)

    record = _record(client1, "jane")
    assert record.real_name == "Jane"  # as it was
    assert record.account is None  # the account is gone, the record stays
    assert _names(client1) == ["jane"]  # bob was not added


def test_turning_keep_in_sync_back_on_recreates_the_domains_records(client1):
    domain_update_settings(actor=None, domain=client1, updates={"CentralDirectory": "Don't Update"})
    make_account(client1, "bob", RealName="Bob")

    domain_update_settings(actor=None, domain=client1, updates={"CentralDirectory": "Keep in Sync"})

    assert _names(client1) == ["bob"]
    assert _record(client1, "bob").real_name == "Bob"


def test_the_domain_defaults_setting_applies_to_domains_without_their_own(client1, client2):
    domain_update_settings(actor=None, domain=client2, updates={"CentralDirectory": "Keep in Sync"})
    domain_defaults_update(actor=None, updates={"CentralDirectory": "Don't Update"})
    make_account(client1, "ann")
    make_account(client2, "ann")
    assert _names(client1) == []
    assert _names(client2) == ["ann"]

    domain_defaults_update(actor=None, updates={"CentralDirectory": "default"})

    assert _names(client1) == ["ann"]


def test_a_renamed_domain_keeps_its_unit_and_its_records_take_the_new_addresses(client1):
    make_account(client1, "jane")

    domain_rename(actor=None, domain=client1, new_name="renamed.test")

    record = _record(client1, "jane")
    assert (record.email, record.email_key, record.domain_name) == (
        "jane@renamed.test", "jane@renamed.test", "renamed.test")


def test_a_removed_domain_takes_its_unit_with_it(client1):
    make_account(client1, "jane")

    domain_delete(actor=None, domain=client1, force=True)

    assert not DirectoryRecord.objects.filter(domain_name="client1.test").exists()


def test_a_failed_account_change_leaves_the_directory_as_it_was(client1):
    from cgadmin.errors import CGError

    jane = make_account(client1, "jane", RealName="Jane")
    with pytest.raises(CGError):
        account_update_settings(actor=None, account=jane, updates={"RealName": "New", "MaxAccountSize": "lots"})

    assert _record(client1, "jane").real_name == "Jane"


def test_an_idn_domain_and_unicode_names_are_kept(postmaster):
    domain = make_domain("bücher.test")
    make_account(domain, "anna", RealName="Ånna Öberg")

    record = _record(domain, "anna")
    assert record.email == "anna@bücher.test"
    assert record.real_name_key == "ånna öberg"
