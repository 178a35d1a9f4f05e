"""The realms app's services (realms.second_factor) called directly, as the personas of
tests/conftest.py: administrators enrol only their own second factor, an administrator who may change
the account removes a lost one, everyone else is refused with nothing changed, and each change is
audited (tests/service_checks.py)."""

from __future__ import annotations

import time

import pyotp
import pytest

from logs.events import Event
from realms import second_factor as S
from realms.models import SecondFactor
from tests.service_checks import call_allowed, call_refused, untested_services

pytestmark = pytest.mark.django_db
NOT_EXPORTED = "second factors are not in the base directory"


def code(secret: str, at: float | None = None) -> str:
    return pyotp.TOTP(secret, interval=S.STEP).at(time.time() if at is None else at)


def enrol(account) -> str:
    secret = S.second_factor_begin(actor=account, account=account)
    S.second_factor_confirm(actor=account, account=account, code=code(secret))
    return secret


def test_second_factor_begin(personas):
    admin = personas.domain_admin_with_right
    for actor in (personas.postmaster, personas.all_domains, None):
        call_refused(S.second_factor_begin, actor=actor, account=admin)  # only its owner enrols

    call = call_allowed(S.second_factor_begin, actor=admin, account=admin)

    factor = SecondFactor.objects.get(account=admin)
    assert (factor.secret, factor.confirmed) == (call.result, False)
    call.audits_nothing("an unconfirmed secret changes no login until it is confirmed (and audited)")
    call.marks_nothing(NOT_EXPORTED)


def test_second_factor_confirm(personas):
    admin = personas.domain_admin_with_right
    secret = S.second_factor_begin(actor=admin, account=admin)
    call_refused(S.second_factor_confirm, actor=personas.postmaster, account=admin, code=code(secret))

    call = call_allowed(S.second_factor_confirm, actor=admin, account=admin, code=code(secret))

    assert SecondFactor.objects.get(account=admin).confirmed and S.enrolled(admin)
    call.audited(Event.ACCOUNT_SETTINGS, actor=admin, object_name=admin.address, before={"SecondFactor": "NO"},
                 after={"SecondFactor": "TOTP"})
    call.marks_nothing(NOT_EXPORTED)


def test_second_factor_remove_by_its_owner(personas):
    admin = personas.domain_admin_with_right
    secret = enrol(admin)

    call = call_allowed(S.second_factor_remove, actor=admin, account=admin, code=code(secret, time.time() + S.STEP))

    assert not SecondFactor.objects.filter(account=admin).exists()
    call.audited(Event.ACCOUNT_SETTINGS, actor=admin, before={"SecondFactor": "TOTP"}, after={"SecondFactor": "NO"})
    call.marks_nothing(NOT_EXPORTED)


def test_second_factor_remove_of_a_lost_phone(personas):
    admin = personas.domain_admin_without_right
    enrol(admin)
    for actor in (personas.domain_admin_with_right, personas.other_domain_admin, personas.settings_admin):
        call_refused(S.second_factor_remove, actor=actor, account=admin)  # no right covers another's factor

    call = call_allowed(S.second_factor_remove, actor=personas.all_domains, account=admin)

    assert not SecondFactor.objects.filter(account=admin).exists()
    call.audited(Event.ACCOUNT_SETTINGS, actor=personas.all_domains, after={"SecondFactor": "NO"})
    call.marks_nothing(NOT_EXPORTED)


def test_second_factor_verify(personas):
    admin = personas.domain_admin_with_right
    secret = enrol(admin)
    later = time.time() + S.STEP

    call = call_allowed(S.second_factor_verify, account=admin, code=code(secret, later), now=later)
    replayed = call_allowed(S.second_factor_verify, account=admin, code=code(secret, later), now=later)

    assert (call.result, replayed.result) == (True, False)
    assert SecondFactor.objects.get(account=admin).last_step == int(later // S.STEP)
    for each in (call, replayed):
        each.audits_nothing("a login step, recorded by the login's own log line")
        each.marks_nothing(NOT_EXPORTED)


HELPERS = {
    "forget": "drops a cached answer",
    "requirement_in_force": "a read of the server's setting",
    "is_server_administrator": "a predicate",
    "enrolled": "a read",
    "server_settings_changed": "a signal receiver dropping a cached answer",
    "must_enrol": "a predicate",
    "provisioning_uri": "renders the otpauth:// address",
}


def test_every_public_service_is_tested():
    assert untested_services(S, __file__, not_services=HELPERS) == []
