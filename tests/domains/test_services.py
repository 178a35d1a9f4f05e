"""domains.services called directly, as the personas of tests/conftest.py: the allowed actor changes
the row, the refused one gets AccessDenied with nothing changed, and each change is audited and marked
for the exporter (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from accounts.models import Account
from basedir.outbox import DOMAIN, SERVER
from cgadmin.errors import AlreadyExists, GeneralError, InUse, InvalidInput, NotFound
from directory.export import OUTBOX_KIND as DIRECTORY
from domains import services as S
from domains.models import Domain, DomainAlias
from logs.events import Event
from server import documents
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


def refused_by_everyone_but_all_domains(service, personas, **kwargs) -> None:
    """Domains themselves are the AllDomains right's: DomainsRead, Settings and Domain Administrators may not."""
    for actor in (personas.domains_read, personas.settings_admin, personas.domain_admin_with_right,
                  personas.plain_user):
        call_refused(service, actor=actor, **kwargs)


def test_domain_create(personas):
    refused_by_everyone_but_all_domains(S.domain_create, personas, name="new.test")

    call = call_allowed(S.domain_create, actor=personas.all_domains, name="new.test",
                        settings={"MailToUnknown": "Discarded"})

    domain = Domain.objects.get(name="new.test")
    assert (domain.pk, domain.settings) == (call.result.pk, {"MailToUnknown": "Discarded"})
    call.audited(Event.DOMAIN_CREATE, actor=personas.all_domains, object_name="new.test",
                 after={"MailToUnknown": "Discarded"})
    call.marked((DOMAIN, domain.pk), (DIRECTORY, "new.test"))


def test_domain_rename(personas):
    client2 = personas.client2
    refused_by_everyone_but_all_domains(S.domain_rename, personas, domain=client2, new_name="renamed.test")

    call = call_allowed(S.domain_rename, actor=personas.all_domains, domain=client2, new_name="renamed.test")

    assert Domain.objects.get(pk=client2.pk).name == "renamed.test"
    call.audited(Event.DOMAIN_RENAME, actor=personas.all_domains, object_name="renamed.test",
                 before={"Name": "client2.test"}, after={"Name": "renamed.test"})
    call.marked((DOMAIN, client2.pk), (DIRECTORY, "client2.test"), (DIRECTORY, "renamed.test"))


def test_domain_rename_carries_the_sub_domains_along(personas):
    sub = personas.sub_domain

    call = call_allowed(S.domain_rename, actor=personas.all_domains, domain=personas.client1, new_name="c1.test")

    assert Domain.objects.get(pk=sub.pk).administrator_domain == "c1.test"
    call.audited(Event.DOMAIN_RENAME, actor=personas.all_domains, after={"Name": "c1.test"})
    call.marked((DOMAIN, personas.client1.pk), (DOMAIN, sub.pk), (DIRECTORY, "client1.test"), (DIRECTORY, "c1.test"))


def test_main_domain_rename(personas):
    """The General page renames the Main Domain under the Settings right (AllDomains is not asked)."""
    main = personas.postmaster.domain
    for actor in (personas.domains_read, personas.domain_admin_with_right, personas.plain_user):
        call_refused(S.main_domain_rename, actor=actor, new_name="mail.renamed.test")

    call = call_allowed(S.main_domain_rename, actor=personas.settings_admin, new_name="mail.renamed.test")

    assert Domain.objects.get(pk=main.pk).name == "mail.renamed.test"
    call.audited(Event.DOMAIN_RENAME, actor=personas.settings_admin, before={"Name": "mail.example.test"},
                 after={"Name": "mail.renamed.test"})
    call.marked((DOMAIN, main.pk), (DIRECTORY, "mail.example.test"), (DIRECTORY, "mail.renamed.test"))


def test_domain_delete(personas):
    client2 = personas.client2
    pk = client2.pk
    refused_by_everyone_but_all_domains(S.domain_delete, personas, domain=client2, force=True)
    call_refused(S.domain_delete, actor=personas.all_domains, domain=client2, error=GeneralError)  # has accounts

    call = call_allowed(S.domain_delete, actor=personas.all_domains, domain=client2, force=True)

    assert not Domain.objects.filter(pk=pk).exists()
    assert not Account.objects.filter(domain_id=pk).exists()
    call.audited(Event.DOMAIN_DELETE, actor=personas.all_domains, object_name="client2.test",
                 before={"Name": "client2.test", "Accounts": 1})
    call.marked((DOMAIN, pk), (DIRECTORY, "client2.test"))


def test_domain_suspend(personas):
    client2 = personas.client2
    refused_by_everyone_but_all_domains(S.domain_suspend, personas, domain=client2)

    call = call_allowed(S.domain_suspend, actor=personas.all_domains, domain=client2)

    assert Domain.objects.get(pk=client2.pk).suspended
    call.audited(Event.DOMAIN_SUSPEND, actor=personas.all_domains, before={"Suspended": "NO"},
                 after={"Suspended": "YES"})
    call.marked((DOMAIN, client2.pk))


def test_domain_resume(personas):
    client2 = S.domain_suspend(actor=None, domain=personas.client2)
    refused_by_everyone_but_all_domains(S.domain_resume, personas, domain=client2)

    call = call_allowed(S.domain_resume, actor=personas.all_domains, domain=client2)

    assert not Domain.objects.get(pk=client2.pk).suspended
    call.audited(Event.DOMAIN_RESUME, actor=personas.all_domains, before={"Suspended": "YES"},
                 after={"Suspended": "NO"})
    call.marked((DOMAIN, client2.pk))


def test_domain_update_settings(personas):
    client1 = personas.client1
    call_refused(S.domain_update_settings, actor=personas.domain_admin_without_right, domain=client1,
                 updates={"MailToUnknown": "Discarded"})
    call_refused(S.domain_update_settings, actor=personas.other_domain_admin, domain=client1,
                 updates={"MailToUnknown": "Discarded"})
    call_refused(S.domain_update_settings, actor=personas.domain_admin_with_right, domain=client1,
                 updates={"WebBanner": "hello"})  # WebBanner is a right of its own
    call_refused(S.domain_update_settings, actor=personas.domains_read, domain=client1,
                 updates={"MailToUnknown": "Discarded"})

    call = call_allowed(S.domain_update_settings, actor=personas.domain_admin_with_right, domain=client1,
                        updates={"MailToUnknown": "Discarded"})

    assert Domain.objects.get(pk=client1.pk).settings["MailToUnknown"] == "Discarded"
    call.audited(Event.DOMAIN_SETTINGS, actor=personas.domain_admin_with_right, object_name="client1.test",
                 before={"MailToUnknown": "default"}, after={"MailToUnknown": "Discarded"})
    call.marked((DOMAIN, client1.pk))


def test_domain_set_aliases(personas):
    client2 = personas.client2
    refused_by_everyone_but_all_domains(S.domain_set_aliases, personas, domain=client2, aliases=["c2.test"])
    call_refused(S.domain_set_aliases, actor=personas.other_domain_admin, domain=client2, aliases=["c2.test"])

    call = call_allowed(S.domain_set_aliases, actor=personas.all_domains, domain=client2, aliases=["c2.test"])

    assert list(DomainAlias.objects.filter(domain=client2).values_list("name", flat=True)) == ["c2.test"]
    call.audited(Event.DOMAIN_ALIASES, actor=personas.all_domains, before=[], after=["c2.test"])
    call.marked((DOMAIN, client2.pk))


def test_domain_defaults_update(personas):
    refused_by_everyone_but_all_domains(S.domain_defaults_update, personas, updates={"MailToUnknown": "Discarded"})

    call = call_allowed(S.domain_defaults_update, actor=personas.all_domains, updates={"MailToUnknown": "Discarded"})

    assert documents.read(documents.DOMAIN_DEFAULTS)["MailToUnknown"] == "Discarded"
    call.audited(Event.DOMAIN_DEFAULTS, actor=personas.all_domains, before={"MailToUnknown": "default"},
                 after={"MailToUnknown": "Discarded"})
    call.marked((SERVER, documents.DOMAIN_DEFAULTS))


def test_account_defaults_update(personas):
    refused_by_everyone_but_all_domains(S.account_defaults_update, personas, domain=None,
                                        updates={"MaxMailboxes": 5})

    call = call_allowed(S.account_defaults_update, actor=personas.all_domains, domain=None,
                        updates={"MaxMailboxes": 5})

    assert documents.read(documents.ACCOUNT_DEFAULTS)["MaxMailboxes"] == 5
    call.audited(Event.ACCOUNT_DEFAULTS, actor=personas.all_domains, after={"MaxMailboxes": 5})
    call.marked((SERVER, documents.ACCOUNT_DEFAULTS))


def test_account_defaults_update_of_one_domain(personas):
    client1 = personas.client1
    call_refused(S.account_defaults_update, actor=personas.other_domain_admin, domain=client1,
                 updates={"RealName": "Staff"})
    call_refused(S.account_defaults_update, actor=personas.domain_admin_without_right, domain=client1,
                 updates={"RealName": "Staff"})

    call = call_allowed(S.account_defaults_update, actor=personas.domain_admin_with_right, domain=client1,
                        updates={"RealName": "Staff"})

    assert Domain.objects.get(pk=client1.pk).account_defaults == {"RealName": "Staff"}
    call.audited(Event.ACCOUNT_DEFAULTS, actor=personas.domain_admin_with_right, object_name="client1.test",
                 before={"RealName": "default"}, after={"RealName": "Staff"})
    call.marked((DOMAIN, client1.pk))


def test_account_template_update(personas):
    client1 = personas.client1
    call_refused(S.account_template_update, actor=personas.other_domain_admin, domain=client1,
                 updates={"RealName": "Staff"})
    call_refused(S.account_template_update, actor=personas.domain_admin_with_right, domain=client1,
                 updates={"MaxMailboxes": 5})  # MaxMailboxes is a right of its own

    call = call_allowed(S.account_template_update, actor=personas.domain_admin_with_right, domain=client1,
                        updates={"RealName": "Staff"})

    assert Domain.objects.get(pk=client1.pk).template == {"RealName": "Staff"}
    call.audited(Event.ACCOUNT_TEMPLATE, actor=personas.domain_admin_with_right, after={"RealName": "Staff"})
    call.marked((DOMAIN, client1.pk))


def test_account_default_prefs_update(personas):
    refused_by_everyone_but_all_domains(S.account_default_prefs_update, personas, domain=None,
                                        updates={"TimeZone": "UTC"})

    call = call_allowed(S.account_default_prefs_update, actor=personas.all_domains, domain=None,
                        updates={"TimeZone": "UTC"})

    assert documents.read(documents.ACCOUNT_PREFS)["TimeZone"] == "UTC"
    call.audited(Event.ACCOUNT_DEFAULT_PREFS, actor=personas.all_domains, after={"TimeZone": "UTC"})
    call.marked((SERVER, documents.ACCOUNT_PREFS))


def test_account_default_prefs_update_of_one_domain(personas):
    client1 = personas.client1
    call_refused(S.account_default_prefs_update, actor=personas.domain_admin_with_right, domain=client1,
                 updates={"TimeZone": "UTC"})  # WebUserSettings

    call = call_allowed(S.account_default_prefs_update, actor=personas.all_domains, domain=client1,
                        updates={"TimeZone": "UTC"})

    assert Domain.objects.get(pk=client1.pk).account_prefs == {"TimeZone": "UTC"}
    call.audited(Event.ACCOUNT_DEFAULT_PREFS, actor=personas.all_domains, after={"TimeZone": "UTC"})
    call.marked((DOMAIN, client1.pk))


# --- Classes of Service ----------------------------------------------------------------------------


def _classes(domain=None):
    source = documents.read(documents.DOMAIN_DEFAULTS) if domain is None else Domain.objects.get(pk=domain.pk).settings
    return source.get("ServiceClasses", {})


@pytest.fixture
def class_admin(personas):
    from tests.factories import make_domain_admin

    return make_domain_admin(personas.client1, "classadmin", "ServiceClasses")


def test_service_class_create(personas, class_admin):
    refused_by_everyone_but_all_domains(S.service_class_create, personas, domain=None, name="gold")
    call_refused(S.service_class_create, actor=personas.domain_admin_with_right, domain=personas.client1, name="gold")

    server = call_allowed(S.service_class_create, actor=personas.all_domains, domain=None, name="gold")
    own = call_allowed(S.service_class_create, actor=class_admin, domain=personas.client1, name="silver")

    assert (_classes(), _classes(personas.client1)) == ({"gold": {}}, {"silver": {}})
    server.audited(Event.DOMAIN_DEFAULTS, actor=personas.all_domains, after={"ServiceClasses": {"gold": {}}})
    server.marked((SERVER, documents.DOMAIN_DEFAULTS))
    own.audited(Event.DOMAIN_SETTINGS, actor=class_admin, after={"ServiceClasses": {"silver": {}}})
    own.marked((DOMAIN, personas.client1.pk))
    call_refused(S.service_class_create, actor=personas.all_domains, domain=None, name="GOLD", error=AlreadyExists)
    call_refused(S.service_class_create, actor=personas.all_domains, domain=None, name=" ", error=InvalidInput)


def test_service_class_update(personas, class_admin):
    S.service_class_create(actor=None, domain=personas.client1, name="gold")
    call_refused(S.service_class_update, actor=personas.domain_admin_with_right, domain=personas.client1,
                 name="gold", updates={"MaxAccountSize": "1G"})

    call = call_allowed(S.service_class_update, actor=class_admin, domain=personas.client1, name="gold",
                        updates={"MaxAccountSize": "1G", "maxmailboxes": 5})

    assert _classes(personas.client1) == {"gold": {"MaxAccountSize": "1G", "MaxMailboxes": 5}}
    assert call.result.changed == ("MaxAccountSize", "MaxMailboxes")
    call.audited(Event.DOMAIN_SETTINGS, actor=class_admin, before={"ServiceClasses": {"gold": {}}},
                 after={"ServiceClasses": {"gold": {"MaxAccountSize": "1G", "MaxMailboxes": 5}}})
    call.marked((DOMAIN, personas.client1.pk))
    for bad in ({"MaxAccountSize": "lots"}, {"ServiceClass": "silver"}, {"Password": "secret"}):
        call_refused(S.service_class_update, actor=class_admin, domain=personas.client1, name="gold", updates=bad,
                     error=InvalidInput)
    call_refused(S.service_class_update, actor=class_admin, domain=personas.client1, name="platinum",
                 updates={"MaxAccountSize": "1G"}, error=NotFound)


def test_service_class_rename(personas):
    S.service_class_create(actor=None, domain=None, name="gold")
    refused_by_everyone_but_all_domains(S.service_class_rename, personas, domain=None, name="gold", new_name="Gold")

    call = call_allowed(S.service_class_rename, actor=personas.all_domains, domain=None, name="gold", new_name="Gold")

    assert _classes() == {"Gold": {}}
    call.audited(Event.DOMAIN_DEFAULTS, actor=personas.all_domains, after={"ServiceClasses": {"Gold": {}}})
    call.marked((SERVER, documents.DOMAIN_DEFAULTS))


def test_service_class_remove(personas):
    from tests.factories import make_account

    S.service_class_create(actor=None, domain=None, name="gold")
    S.service_class_create(actor=None, domain=None, name="silver")
    make_account(personas.client1, "goldie", ServiceClass="gold")
    refused_by_everyone_but_all_domains(S.service_class_remove, personas, domain=None, name="silver")

    refusal = call_refused(S.service_class_remove, actor=personas.all_domains, domain=None, name="gold", error=InUse)
    call = call_allowed(S.service_class_remove, actor=personas.all_domains, domain=None, name="silver")

    assert "1 account name it" in refusal.message
    assert _classes() == {"gold": {}}
    call.audited(Event.DOMAIN_DEFAULTS, actor=personas.all_domains, after={"ServiceClasses": {"gold": {}}})
    call.marked((SERVER, documents.DOMAIN_DEFAULTS))


HELPERS = {
    "require_all_domains": "the rights check the domain services share",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
