"""cgadmin.settings_change.apply_change, the shape every settings service shares, called directly with
a real domain, its rights check and the personas: every changed key is authorized before anything is
saved, and only the changed keys are audited (tests/service_checks.py)."""

from __future__ import annotations

import pytest

from basedir import outbox
from cgadmin import settings_change as S
from domains.models import Domain
from domains.settings_schema import DOMAIN
from logs.events import Event
from realms.permissions import domain_setting_authorizer
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db


def test_apply_change(personas):
    admin, client1 = personas.domain_admin_with_right, personas.client1
    # One key the admin may change and one it may not: nothing at all is saved.
    call_refused(S.apply_change, **_arguments(admin, client1, {"MailToUnknown": "Discarded", "WebBanner": "Hi"}))

    call = call_allowed(S.apply_change, **_arguments(admin, client1, {"MailToUnknown": "Discarded"}))

    assert Domain.objects.get(pk=client1.pk).settings == {"MailToUnknown": "Discarded"}
    assert call.result.changed == ("MailToUnknown",)
    call.audited(Event.DOMAIN_SETTINGS, actor=admin, object_name="client1.test", before={"MailToUnknown": "default"},
                 after={"MailToUnknown": "Discarded"})
    call.marked((outbox.DOMAIN, client1.pk))


def test_apply_change_of_nothing_saves_and_audits_nothing(personas):
    client1 = personas.client1
    S.apply_change(**_arguments(None, client1, {"MailToUnknown": "Discarded"}))

    call = call_allowed(S.apply_change, **_arguments(personas.domain_admin_without_right, client1,
                                                     {"MailToUnknown": "Discarded"}))

    assert call.result.changed == ()
    call.audits_nothing("no key changed: the actor needs no right and nothing is recorded")
    call.marks_nothing("no key changed")


def _arguments(actor, domain: Domain, updates: dict) -> dict:
    def save(settings):
        domain.settings = settings
        domain.save(update_fields=["settings"])
        outbox.mark_dirty(outbox.DOMAIN, domain.pk)

    return {"actor": actor, "catalogue": DOMAIN, "current": domain.settings, "updates": updates, "replace": False,
            "authorize": domain_setting_authorizer(actor, domain), "save": save, "event": Event.DOMAIN_SETTINGS,
            "object_type": "domain", "object_name": domain.name, "domain_name": domain.name}


HELPERS = {"plan_change": "validates and diffs, changes nothing (apply_change's first step)"}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
