"""directory.services called directly, as the personas of tests/conftest.py: the Directory right
changes the Central Directory's own data, everyone else gets AccessDenied with nothing changed, and
each change is audited and marked for the exporter (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from basedir.outbox import SERVER
from directory import config
from directory import services as S
from directory.export import OUTBOX_KIND as DIRECTORY
from directory.models import DirectoryRecord
from directory.rules import RULES_DOCUMENT, current_rules, rules_value
from directory.units import LOCAL_UNIT
from logs.events import Event
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db

RULES = [{"Unit": "*", "Attributes": ["Name"], "Who": "Anybody"}]


def refused_without_directory(service, personas, **kwargs) -> None:
    """The Directory right's: neither other server rights nor Domain Administrators."""
    for actor in (personas.settings_admin, personas.all_domains, personas.monitor, personas.domain_admin_with_right,
                  personas.plain_user):
        call_refused(service, actor=actor, **kwargs)


def custom_names() -> list[str]:
    return sorted(DirectoryRecord.objects.filter(domain__isnull=True).values_list("name", flat=True))


def test_directory_access_update(personas):
    refused_without_directory(S.directory_access_update, personas, rules=RULES)
    before = rules_value(current_rules())

    call = call_allowed(S.directory_access_update, actor=personas.directory_admin, rules=RULES)

    after = rules_value(current_rules())
    assert after != before and after == rules_value(call.result)
    call.audited(Event.DIRECTORY_ACCESS, actor=personas.directory_admin, before=before, after=after)
    call.marked((SERVER, RULES_DOCUMENT))


def test_directory_public_info_update(personas):
    refused_without_directory(S.directory_public_info_update, personas, names=["title"])
    before = config.public_info_names()

    call = call_allowed(S.directory_public_info_update, actor=personas.directory_admin, names=["title"])

    assert config.public_info_names() == call.result
    assert "title" in [name.lower() for name in call.result]
    call.audited(Event.DIRECTORY_PUBLIC_INFO, actor=personas.directory_admin, before={"PublicInfo": before},
                 after={"PublicInfo": call.result})
    # The records of every domain kept in sync are recreated with the new attribute.
    call.marked((SERVER, config.SETTINGS_DOCUMENT), *((DIRECTORY, name) for name in (
        "mail.example.test", "client1.test", "client2.test", "sub.client1-family.test")))


def test_directory_record_create(personas):
    refused_without_directory(S.directory_record_create, personas, name="Front Desk")

    call = call_allowed(S.directory_record_create, actor=personas.directory_admin, name="Front Desk",
                        email="desk@example.test")

    assert custom_names() == ["Front Desk"]
    call.audited(Event.DIRECTORY_RECORD_CREATE, actor=personas.directory_admin, object_name="Front Desk",
                 after={"Name": "Front Desk", "Email": "desk@example.test"})
    call.marked((DIRECTORY, LOCAL_UNIT))


def test_directory_record_delete(personas):
    S.directory_record_create(actor=None, name="Front Desk")
    refused_without_directory(S.directory_record_delete, personas, name="Front Desk")

    call = call_allowed(S.directory_record_delete, actor=personas.directory_admin, name="front desk")

    assert custom_names() == [] and call.result == "Front Desk"
    call.audited(Event.DIRECTORY_RECORD_DELETE, actor=personas.directory_admin, before={"Name": "Front Desk"})
    call.marked((DIRECTORY, LOCAL_UNIT))


def test_directory_rebuild(personas):
    S.directory_record_create(actor=None, name="Front Desk")
    refused_without_directory(S.directory_rebuild, personas)

    call = call_allowed(S.directory_rebuild, actor=personas.directory_admin)

    assert custom_names() == ["Front Desk"] and call.result.custom_kept == 1
    assert call.result.records["client1.test"] == DirectoryRecord.objects.filter(domain=personas.client1).count() > 0
    call.audited(Event.DIRECTORY_REBUILD, actor=personas.directory_admin, object_name="Central Directory",
                 after={"Records": call.result.total, "CustomImported": []})
    call.marked(*((DIRECTORY, name) for name in (
        LOCAL_UNIT, "mail.example.test", "client1.test", "client2.test", "sub.client1-family.test")))


HELPERS = {"custom_record": "builds and checks a record without saving it"}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
