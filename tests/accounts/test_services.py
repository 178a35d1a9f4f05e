"""accounts.services called directly, as the personas of tests/conftest.py: the allowed actor changes
the row, the refused one gets AccessDenied with nothing changed, and each change is audited and marked
for the exporter (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from accounts import services as S
from accounts.csvformat import CsvRow
from accounts.models import Account, AccountAlias, AccountImport, Mailbox
from basedir.outbox import ACCOUNT, DOMAIN
from cgadmin.errors import GeneralError, InvalidInput
from directory.export import OUTBOX_KIND as DIRECTORY
from logs.events import Event
from tests import factories
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db

CSV = "Name,Password,RealName\nann,pass-word-1,Ann Smith\n"


@pytest.fixture
def jane(personas) -> Account:
    return factories.make_account(personas.client1, "jane", RealName="Jane")


def test_account_create(personas):
    p = personas
    call_refused(S.account_create, actor=p.domain_admin_without_right, domain=p.client1, name="bob")
    call_refused(S.account_create, actor=p.other_domain_admin, domain=p.client1, name="bob")
    call_refused(S.account_create, actor=p.plain_user, domain=p.client1, name="bob")

    call = call_allowed(S.account_create, actor=p.domain_admin_with_right, domain=p.client1, name="bob",
                        settings={"RealName": "Bob"})

    bob = Account.objects.get(domain=p.client1, name="bob")
    assert (bob.pk, bob.settings, bob.kind) == (call.result.pk, {"RealName": "Bob"}, "MultiMailbox")
    call.audited(Event.ACCOUNT_CREATE, actor=p.domain_admin_with_right, object_name="bob@client1.test",
                 after={"Type": "MultiMailbox", "RealName": "Bob"})
    call.marked((ACCOUNT, bob.pk), (DIRECTORY, "client1.test"))


def test_account_rename(personas, jane):
    p = personas
    call_refused(S.account_rename, actor=p.domain_admin_without_right, account=jane, new_address="janet")
    call_refused(S.account_rename, actor=p.other_domain_admin, account=jane, new_address="janet@client1.test")
    call_refused(S.account_rename, actor=p.domain_admin_with_right, account=jane, new_address="janet@client2.test")

    call = call_allowed(S.account_rename, actor=p.domain_admin_with_right, account=jane, new_address="janet")

    assert Account.objects.get(pk=jane.pk).name == "janet"
    call.audited(Event.ACCOUNT_RENAME, actor=p.domain_admin_with_right, object_name="janet@client1.test",
                 before={"Name": "jane@client1.test"}, after={"Name": "janet@client1.test"})
    call.marked((ACCOUNT, jane.pk), (DIRECTORY, "client1.test"))


def test_account_rename_into_another_domain_marks_both(personas, jane):
    call = call_allowed(S.account_rename, actor=personas.all_domains, account=jane, new_address="jane@client2.test")

    assert Account.objects.get(pk=jane.pk).domain == personas.client2
    call.audited(Event.ACCOUNT_RENAME, actor=personas.all_domains, after={"Name": "jane@client2.test"})
    call.marked((ACCOUNT, jane.pk), (DOMAIN, personas.client1.pk), (DIRECTORY, "client1.test"),
                (DIRECTORY, "client2.test"))


def test_account_delete(personas, jane):
    p = personas
    call_refused(S.account_delete, actor=p.domain_admin_without_right, account=jane)
    call_refused(S.account_delete, actor=p.other_domain_admin, account=jane)
    call_refused(S.account_delete, actor=p.plain_user, account=jane)
    call_refused(S.account_delete, actor=p.domain_admin_with_right, account=p.domain_admin_with_right,
                 error=GeneralError)

    jane_id = jane.pk
    call = call_allowed(S.account_delete, actor=p.domain_admin_with_right, account=jane)

    assert not Account.objects.filter(pk=jane_id).exists()
    call.audited(Event.ACCOUNT_DELETE, actor=p.domain_admin_with_right, object_name="jane@client1.test",
                 before={"Name": "jane@client1.test"})
    call.marked((ACCOUNT, jane_id), (DOMAIN, p.client1.pk), (DIRECTORY, "client1.test"))


def test_account_set_type(personas, jane):
    p = personas
    call_refused(S.account_set_type, actor=p.domain_admin_without_right, account=jane, kind="AGrade")
    call_refused(S.account_set_type, actor=p.other_domain_admin, account=jane, kind="AGrade")

    call = call_allowed(S.account_set_type, actor=p.domain_admin_with_right, account=jane, kind="AGrade")

    assert Account.objects.get(pk=jane.pk).kind == "AGrade"
    call.audited(Event.ACCOUNT_TYPE, actor=p.domain_admin_with_right, before={"Type": "MultiMailbox"},
                 after={"Type": "AGrade"})
    call.marked((ACCOUNT, jane.pk))


def test_account_update_settings(personas, jane):
    p = personas
    call_refused(S.account_update_settings, actor=p.domain_admin_without_right, account=jane,
                 updates={"RealName": "J"})
    call_refused(S.account_update_settings, actor=p.other_domain_admin, account=jane, updates={"RealName": "J"})
    call_refused(S.account_update_settings, actor=p.domain_admin_with_right, account=jane,
                 updates={"MaxMailboxes": 3})  # MaxMailboxes is a right of its own

    call = call_allowed(S.account_update_settings, actor=p.domain_admin_with_right, account=jane,
                        updates={"RealName": "Jane Doe"})

    assert Account.objects.get(pk=jane.pk).settings["RealName"] == "Jane Doe"
    call.audited(Event.ACCOUNT_SETTINGS, actor=p.domain_admin_with_right, object_name="jane@client1.test",
                 before={"RealName": "Jane"}, after={"RealName": "Jane Doe"})
    call.marked((ACCOUNT, jane.pk), (DIRECTORY, "client1.test"))


def test_account_set_password(personas, jane):
    p = personas
    call_refused(S.account_set_password, actor=p.domain_admin_without_right, account=jane, password="new-secret")
    call_refused(S.account_set_password, actor=p.other_domain_admin, account=jane, password="new-secret")
    call_refused(S.account_set_password, actor=p.domain_admin_with_right, account=p.postmaster,
                 password="new-secret")  # a Domain Administrator never takes over a server administrator

    call = call_allowed(S.account_set_password, actor=p.domain_admin_with_right, account=jane,
                        password="new-secret")

    assert Account.objects.get(pk=jane.pk).check_password("new-secret")
    call.audited(Event.ACCOUNT_PASSWORD, actor=p.domain_admin_with_right, after={"Password": "(changed)"})
    call.marked((ACCOUNT, jane.pk))


def test_account_set_password_by_its_own_user(jane):
    call = call_allowed(S.account_set_password, actor=jane, account=jane, password="my-new-secret")

    assert Account.objects.get(pk=jane.pk).check_password("my-new-secret")
    call.audited(Event.ACCOUNT_PASSWORD, actor=jane)
    call.marked((ACCOUNT, jane.pk))


def test_account_verify_password(personas, jane):
    p = personas
    call_refused(S.account_verify_password, actor=p.domain_admin_without_right, account=jane,
                 password=factories.PASSWORD)
    call_refused(S.account_verify_password, actor=p.plain_user, account=jane, password=factories.PASSWORD)

    right = call_allowed(S.account_verify_password, actor=p.domain_admin_with_right, account=jane,
                         password=factories.PASSWORD)
    wrong = call_allowed(S.account_verify_password, actor=p.domain_admin_with_right, account=jane, password="x")

    assert (right.result, wrong.result) == (True, False)
    for call in (right, wrong):
        call.audits_nothing("a check changes nothing")
        call.marks_nothing("a check changes nothing")


def test_account_set_aliases(personas, jane):
    p = personas
    call_refused(S.account_set_aliases, actor=p.domain_admin_without_right, account=jane, aliases=["jd"])
    call_refused(S.account_set_aliases, actor=p.other_domain_admin, account=jane, aliases=["jd"])

    call = call_allowed(S.account_set_aliases, actor=p.domain_admin_with_right, account=jane, aliases=["jd", "j"])

    assert sorted(AccountAlias.objects.filter(account=jane).values_list("name", flat=True)) == ["j", "jd"]
    call.audited(Event.ACCOUNT_ALIASES, actor=p.domain_admin_with_right, before=[], after=["j", "jd"])
    call.marked((ACCOUNT, jane.pk), (DIRECTORY, "client1.test"))


def test_account_set_rights(personas, jane):
    p = personas
    call_refused(S.account_set_rights, actor=p.domain_admin_with_right, account=jane, rights=["Domain"])
    call_refused(S.account_set_rights, actor=p.settings_admin, account=jane, rights=["Domain"])
    call_refused(S.account_set_rights, actor=p.all_domains, account=p.monitor, rights=[])  # server rights: Master

    call = call_allowed(S.account_set_rights, actor=p.all_domains, account=jane,
                        rights=["Domain", "CanCreateAliases"])

    assert Account.objects.get(pk=jane.pk).rights == ["Domain", "CanCreateAliases"]
    call.audited(Event.ACCOUNT_RIGHTS, actor=p.all_domains, before=[], after=["Domain", "CanCreateAliases"])
    call.marked((DOMAIN, p.client1.pk))


def test_account_set_server_rights(personas):
    p = personas
    call_refused(S.account_set_server_rights, actor=p.all_domains, account=p.monitor, rights=["Monitor", "Settings"])
    call_refused(S.account_set_server_rights, actor=p.settings_admin, account=p.monitor, rights=["Settings"])

    call = call_allowed(S.account_set_server_rights, actor=p.postmaster, account=p.monitor,
                        rights=["Monitor", "Settings"])

    assert Account.objects.get(pk=p.monitor.pk).rights == ["Monitor", "Settings"]
    call.audited(Event.ACCOUNT_RIGHTS, actor=p.postmaster, before=["Monitor"], after=["Monitor", "Settings"])
    call.marked((DOMAIN, p.postmaster.domain_id))


def test_account_set_domain_admin_rights(personas, jane):
    p = personas
    call_refused(S.account_set_domain_admin_rights, actor=p.domain_admin_with_right, account=jane,
                 administrator=True, rights=["CanCreateAccounts"])
    call_refused(S.account_set_domain_admin_rights, actor=p.monitor, account=jane, administrator=True, rights=[])

    call = call_allowed(S.account_set_domain_admin_rights, actor=p.all_domains, account=jane, administrator=True,
                        rights=["CanCreateAccounts"])

    assert Account.objects.get(pk=jane.pk).rights == ["Domain", "CanCreateAccounts"]
    call.audited(Event.ACCOUNT_RIGHTS, actor=p.all_domains, before=[], after=["Domain", "CanCreateAccounts"])
    call.marked((DOMAIN, p.client1.pk))


def test_account_update_prefs(personas, jane):
    p = personas
    call_refused(S.account_update_prefs, actor=p.domain_admin_with_right, account=jane, updates={"TimeZone": "UTC"})
    call_refused(S.account_update_prefs, actor=p.plain_user, account=jane, updates={"TimeZone": "UTC"})

    own = call_allowed(S.account_update_prefs, actor=jane, account=jane, updates={"Language": "German"})
    server = call_allowed(S.account_update_prefs, actor=p.all_domains, account=jane, updates={"TimeZone": "UTC"})

    assert Account.objects.get(pk=jane.pk).prefs == {"Language": "German", "TimeZone": "UTC"}
    own.audited(Event.ACCOUNT_PREFS, actor=jane, before={"Language": "default"}, after={"Language": "German"})
    server.audited(Event.ACCOUNT_PREFS, actor=p.all_domains, after={"TimeZone": "UTC"})
    own.marked((ACCOUNT, jane.pk))
    server.marked((ACCOUNT, jane.pk))


def test_account_update_webadmin_prefs(personas):
    p = personas
    admin = p.domain_admin_with_right
    call_refused(S.account_update_webadmin_prefs, actor=p.domain_admin_without_right, account=admin,
                 updates={"InterfaceType": "Expert"})  # no Domain Administrator right covers another's

    call = call_allowed(S.account_update_webadmin_prefs, actor=admin, account=admin,
                        updates={"InterfaceType": "Expert"})

    assert Account.objects.get(pk=admin.pk).settings["WebAdminPrefs"] == {"InterfaceType": "Expert"}
    call.audited(Event.ACCOUNT_SETTINGS, actor=admin, before={"WebAdminPrefs": {}},
                 after={"WebAdminPrefs": {"InterfaceType": "Expert"}})
    call.marked((ACCOUNT, admin.pk))


def test_account_kill_sessions(personas, jane):
    p = personas
    call_refused(S.account_kill_sessions, actor=p.domain_admin_with_right, account=jane)  # no CanCreateWebUserSessions
    call_refused(S.account_kill_sessions, actor=p.plain_user, account=jane)

    call = call_allowed(S.account_kill_sessions, actor=p.all_domains, account=jane)

    assert Account.objects.get(pk=jane.pk).sessions_valid_after is not None
    call.audited(Event.ACCOUNT_KILL_SESSIONS, actor=p.all_domains, object_name="jane@client1.test")
    call.marks_nothing("sessions are not in the base directory")


def test_account_note_login(jane):
    call = call_allowed(S.account_note_login, account=jane, interface="WebAdmin", address="192.0.2.1")

    info = Account.objects.get(pk=jane.pk).info
    assert (info["LastAddress"], info["LastInterface"]) == ("192.0.2.1", "WebAdmin")
    call.audits_nothing("a login is recorded in the account's info, not as an administrative change")
    call.marked((ACCOUNT, jane.pk))


def test_account_rehash_password(jane):
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    old = PBKDF2PasswordHasher().encode(factories.PASSWORD, "oldsalt", iterations=1000)
    Account.objects.filter(pk=jane.pk).update(password=old)
    jane.refresh_from_db()

    call = call_allowed(S.account_rehash_password, account=jane, password=factories.PASSWORD)

    stored = Account.objects.get(pk=jane.pk).password
    assert call.result is True and stored != old and jane.check_password(factories.PASSWORD)
    call.audits_nothing("a login upgrading the stored form is not an administrative change")
    call.marked((ACCOUNT, jane.pk))
    assert S.account_rehash_password(jane, password=factories.PASSWORD) is False  # already current


def test_mailbox_create(personas, jane):
    p = personas
    call_refused(S.mailbox_create, actor=p.domain_admin_with_right, account=jane, name="Work")  # CanAccessMailboxes
    call_refused(S.mailbox_create, actor=p.plain_user, account=jane, name="Work")

    call = call_allowed(S.mailbox_create, actor=jane, account=jane, name="Work")

    assert Mailbox.objects.filter(account=jane, name="Work").exists()
    call.audited(Event.MAILBOX_CREATE, actor=jane, object_name="jane@client1.test/Work")
    call.marked((ACCOUNT, jane.pk))


def test_mailbox_rename(personas, jane):
    S.mailbox_create(actor=None, account=jane, name="Work")
    call_refused(S.mailbox_rename, actor=personas.domain_admin_with_right, account=jane, name="Work", new_name="Job")

    call = call_allowed(S.mailbox_rename, actor=personas.all_domains, account=jane, name="Work", new_name="Job")

    assert list(Mailbox.objects.filter(account=jane).order_by("name").values_list("name", flat=True)) == [
        "INBOX", "Job"]
    call.audited(Event.MAILBOX_RENAME, actor=personas.all_domains, before={"Name": "Work"}, after={"Name": "Job"})
    call.marked((ACCOUNT, jane.pk))


def test_mailbox_delete(personas, jane):
    S.mailbox_create(actor=None, account=jane, name="Work")
    call_refused(S.mailbox_delete, actor=personas.plain_user, account=jane, name="Work")

    call = call_allowed(S.mailbox_delete, actor=jane, account=jane, name="Work")

    assert not Mailbox.objects.filter(account=jane, name="Work").exists()
    call.audited(Event.MAILBOX_DELETE, actor=jane, before={"Name": "Work"})
    call.marked((ACCOUNT, jane.pk))


def test_accounts_import_csv(personas):
    p = personas
    call_refused(S.accounts_import_csv, actor=p.domain_admin_without_right, domain=p.client1, text=CSV)
    call_refused(S.accounts_import_csv, actor=p.other_domain_admin, domain=p.client1, text=CSV)

    call = call_allowed(S.accounts_import_csv, actor=p.domain_admin_with_right, domain=p.client1, text=CSV)

    ann = Account.objects.get(domain=p.client1, name="ann")
    assert (call.result.created, ann.settings["RealName"]) == (1, "Ann Smith")
    call.audited(Event.ACCOUNT_IMPORT, actor=p.domain_admin_with_right, object_name="client1.test",
                 after={"Created": 1, "BadLines": 0})
    call.audited(Event.ACCOUNT_CREATE, actor=p.domain_admin_with_right, object_name="ann@client1.test")
    call.marked((ACCOUNT, ann.pk), (DIRECTORY, "client1.test"))


def test_accounts_create_batch(personas):
    p = personas
    rows = [CsvRow(2, "ann", None, "pass-word-1", ["annie"], {"RealName": "Ann Smith"})]
    call_refused(S.accounts_create_batch, actor=p.domain_admin_without_right, domain=p.client1, rows=rows)
    call_refused(S.accounts_create_batch, actor=p.other_domain_admin, domain=p.client1, rows=rows)

    call = call_allowed(S.accounts_create_batch, actor=p.domain_admin_with_right, domain=p.client1, rows=rows)

    ann = Account.objects.get(domain=p.client1, name="ann")
    assert call.result == [ann] and ann.check_password("pass-word-1") and ann.settings == {"RealName": "Ann Smith"}
    assert list(ann.aliases.values_list("name", flat=True)) == ["annie"]
    call.audited(Event.ACCOUNT_CREATE, actor=p.domain_admin_with_right, object_name="ann@client1.test",
                 after={"Type": "MultiMailbox", "RealName": "Ann Smith"})
    call.audited(Event.ACCOUNT_ALIASES, actor=p.domain_admin_with_right, object_name="ann@client1.test",
                 before=[], after=["annie"])
    call.marked((ACCOUNT, ann.pk), (DIRECTORY, "client1.test"))


def test_account_import_start(personas):
    p = personas
    call_refused(S.account_import_start, actor=p.domain_admin_without_right, domain=p.client1, text=CSV)

    call = call_allowed(S.account_import_start, actor=p.domain_admin_with_right, domain=p.client1, text=CSV,
                        file_name="people.csv")

    job = AccountImport.objects.get(pk=call.result.pk)
    assert (job.status, job.total, job.actor) == (AccountImport.Status.CHECKED, 1, p.domain_admin_with_right)
    call.audits_nothing("the import's run audits it, as accounts_import_csv")
    call.marks_nothing("nothing exported changes until the import runs")


def test_accounts_check_csv(personas):
    p = personas
    text = CSV + "bad name,,\nann,,Twice\n"
    call_refused(S.accounts_check_csv, actor=p.domain_admin_without_right, domain=p.client1, text=text)
    call_refused(S.accounts_check_csv, actor=p.other_domain_admin, domain=p.client1, text=text)

    call = call_allowed(S.accounts_check_csv, actor=p.domain_admin_with_right, domain=p.client1, text=text)

    assert (call.result.total, call.result.bad_count) == (3, 2)
    assert [(line, name) for line, name, _why in call.result.bad] == [(3, "bad name"), (4, "ann")]
    assert "already" in call.result.bad[1][2]  # the row before claims the name, as the import would say
    assert not Account.objects.filter(domain=p.client1, name="ann").exists()
    call.audits_nothing("a check writes nothing")
    call.marks_nothing("a check writes nothing")


def test_account_import_confirm(personas):
    p = personas
    job = S.account_import_start(actor=p.domain_admin_with_right, domain=p.client1, text=CSV)
    call_refused(S.account_import_confirm, actor=p.domain_admin_without_right, job=job)
    call_refused(S.account_import_confirm, actor=p.other_domain_admin, job=job)

    call = call_allowed(S.account_import_confirm, actor=p.domain_admin_with_right, job=job)

    assert call.result.status == AccountImport.Status.WAITING
    call_refused(S.account_import_confirm, error=InvalidInput, actor=p.domain_admin_with_right, job=job)
    call.audits_nothing("the import's run audits it, as accounts_import_csv")
    call.marks_nothing("nothing exported changes until the import runs")


def test_account_import_cancel(personas):
    p = personas
    job = S.account_import_start(actor=p.domain_admin_with_right, domain=p.client1, text=CSV)
    call_refused(S.account_import_cancel, actor=p.domain_admin_without_right, job=job)
    call_refused(S.account_import_cancel, actor=p.other_domain_admin, job=job)

    call = call_allowed(S.account_import_cancel, actor=p.domain_admin_with_right, job=job)

    assert call.result == job.pk and not AccountImport.objects.filter(pk=job.pk).exists()
    call.audits_nothing("nothing was imported")
    call.marks_nothing("nothing was imported")


def test_account_import_run(personas):
    job = S.account_import_start(actor=personas.domain_admin_with_right, domain=personas.client1, text=CSV)
    S.account_import_confirm(actor=personas.domain_admin_with_right, job=job)

    call = call_allowed(S.account_import_run, job_id=job.pk)

    ann = Account.objects.get(domain=personas.client1, name="ann")
    assert (call.result.status, call.result.created_count) == (AccountImport.Status.DONE, 1)
    call.audited(Event.ACCOUNT_IMPORT, actor=personas.domain_admin_with_right, after={"Created": 1, "BadLines": 0})
    call.audited(Event.ACCOUNT_CREATE, actor=personas.domain_admin_with_right, object_name="ann@client1.test")
    call.marked((ACCOUNT, ann.pk), (DIRECTORY, "client1.test"))


def test_account_import_run_as_an_actor_who_lost_the_right_fails_the_job(personas):
    job = S.account_import_start(actor=personas.domain_admin_with_right, domain=personas.client1, text=CSV)
    S.account_import_confirm(actor=personas.domain_admin_with_right, job=job)
    S.account_set_domain_admin_rights(actor=None, account=personas.domain_admin_with_right, administrator=True,
                                      rights=[])

    call = call_allowed(S.account_import_run, job_id=job.pk)

    assert call.result.status == AccountImport.Status.FAILED
    assert not Account.objects.filter(domain=personas.client1, name="ann").exists()
    call.audits_nothing("nothing was imported")
    call.marks_nothing("nothing was imported")


HELPERS = {
    "parse_account_type": "parses an argument",
    "check_password_policy": "a check the password services apply",
    "normalize_mailbox_name": "parses a mailbox name",
    "check_mailbox_access": "a rights predicate, on its way to the permissions layer (issue 21)",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
