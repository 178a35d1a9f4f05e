"""The optional TOTP second factor of administrators: enrol, confirm, remove, verify at login.

HTTP Basic sends the same credentials with every request, so a code that is good once cannot go
with them: an account that needs a second factor logs into the WebAdmin with the login form only,
and Basic credentials for it are refused like a wrong password (the answer says nothing more)."""

from __future__ import annotations

import hashlib
import secrets
import time

import pyotp
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account
from cgadmin.errors import AccessDenied, GeneralError, InvalidInput
from logs.audit import audit
from logs.events import Event
from realms import rights as R
from realms.models import SecondFactor
from realms.permissions import check_account

ISSUER = "cgadmin"
REQUIRE_SETTING = "RequireAdminTOTP"
STEP = 30
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper and typed


# Every HTTP Basic request asks both questions, so the answers are kept in the cache and dropped
# (now and again after commit) whenever a SecondFactor row or the server settings change.
REQUIREMENT_KEY = "cg:2fa:required"


def _enrolled_key(account_pk: int) -> str:
    return f"cg:2fa:account:{account_pk}"


def forget(key: str) -> None:
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def requirement_in_force() -> bool:
    """Whether the server requires a second factor of every server administrator."""
    from server.selectors import server_settings_flag

    required = cache.get(REQUIREMENT_KEY)
    if required is None:
        required = server_settings_flag(REQUIRE_SETTING)
        cache.set(REQUIREMENT_KEY, required, timeout=None)
    return bool(required)


def is_server_administrator(account: Account) -> bool:
    return account.domain.is_main and any(right in R.SERVER_RIGHTS for right in account.rights or [])


def enrolled(account: Account) -> bool:
    key = _enrolled_key(account.pk)
    answer = cache.get(key)
    if answer is None:
        answer = SecondFactor.objects.filter(account=account, confirmed=True).exists()
        cache.set(key, answer, timeout=None)
    return bool(answer)


@receiver([post_save, post_delete], sender=SecondFactor)
def _second_factor_changed(sender: type, instance: SecondFactor, **kwargs: object) -> None:
    forget(_enrolled_key(instance.account_id))


def server_settings_changed(sender: type, instance: object, **kwargs: object) -> None:
    if getattr(instance, "name", None) == "Main":
        forget(REQUIREMENT_KEY)


def must_enrol(account: Account) -> bool:
    """A server administrator without a second factor while the server requires one."""
    return is_server_administrator(account) and not enrolled(account) and requirement_in_force()


def _check_self(actor: Account | None, account: Account) -> None:
    if actor is None or actor.pk != account.pk:
        raise AccessDenied("administrators enrol their own second factor")


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, interval=STEP)


def _matching_step(secret: str, code: str, now: float) -> int | None:
    """The time step the code belongs to (this one or a neighbour, for clock drift), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = _totp(secret)
    current = int(now // STEP)
    for step in (current, current - 1, current + 1):
        if totp.at(step * STEP) == code:
            return step
    return None


@transaction.atomic
def second_factor_begin(*, actor: Account | None, account: Account) -> str:
    """Start (or restart) enrolment: a new secret, unconfirmed until a code from it is verified."""
    _check_self(actor, account)
    if enrolled(account):
        raise GeneralError("a second factor is already set up: remove it first")
    secret = pyotp.random_base32()
    SecondFactor.objects.update_or_create(account=account, defaults={"secret": secret, "confirmed": False,
                                                                      "last_step": 0})
    return secret


def provisioning_uri(account: Account, secret: str) -> str:
    """The otpauth:// address an authenticator app reads (as a QR code or typed in)."""
    return _totp(secret).provisioning_uri(name=account.address, issuer_name=ISSUER)


def _random_letters(count: int) -> str:
    return "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(count))


def _new_recovery_code() -> str:
    return f"{_random_letters(4)}-{_random_letters(4)}"


def _recovery_hash(code: str) -> str:
    typed = "".join(code.lower().split()).replace("-", "")
    return hashlib.sha256(typed.encode()).hexdigest()


@transaction.atomic
def second_factor_confirm(*, actor: Account | None, account: Account, code: str) -> list[str]:
    """Finish enrolment with a code from the authenticator; from now on logins need one. Answers
    one-time recovery codes (shown once, kept only hashed) for a lost phone."""
    _check_self(actor, account)
    pending = SecondFactor.objects.select_for_update().filter(account=account, confirmed=False).first()
    if pending is None:
        raise GeneralError("start the set-up first")
    step = _matching_step(pending.secret, code, time.time())
    if step is None:
        raise InvalidInput("the code does not match: check the authenticator's clock and try again", field="code")
    recovery = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    pending.confirmed, pending.last_step = True, step
    pending.recovery_codes = [_recovery_hash(one) for one in recovery]
    pending.save(update_fields=["confirmed", "last_step", "recovery_codes"])
    audit(actor=actor, event=Event.ACCOUNT_SETTINGS, object_type="account", object_name=account.address,
          domain_name=account.domain.name, before={"SecondFactor": "NO"}, after={"SecondFactor": "TOTP"})
    return recovery


@transaction.atomic
def second_factor_remove(*, actor: Account | None, account: Account, code: str = "") -> None:
    """Remove the second factor: its owner with a current code (unless the server requires one),
    or an administrator who may change the account (a lost phone)."""
    factor = SecondFactor.objects.select_for_update().filter(account=account).first()
    if actor is not None and actor.pk == account.pk:
        if factor is not None and factor.confirmed and _matching_step(factor.secret, code, time.time()) is None:
            raise InvalidInput("the code does not match", field="code")
        if is_server_administrator(account) and requirement_in_force():
            raise GeneralError("this server requires a second factor of every server administrator")
    else:
        check_account(actor, account, write=True, right=None)
    if factor is None:
        return
    factor.delete()
    audit(actor=actor, event=Event.ACCOUNT_SETTINGS, object_type="account", object_name=account.address,
          domain_name=account.domain.name, before={"SecondFactor": "TOTP"}, after={"SecondFactor": "NO"})


def second_factor_verify(account: Account, code: str, *, now: float | None = None) -> bool:
    """Whether the code is the account's current one, and never used before (no replay), or one of
    its unused recovery codes (used up by this login)."""
    with transaction.atomic():
        factor = SecondFactor.objects.select_for_update().filter(account=account, confirmed=True).first()
        if factor is None:
            return False
        if _recovery_hash(code) in factor.recovery_codes:
            factor.recovery_codes.remove(_recovery_hash(code))
            SecondFactor.objects.filter(pk=factor.pk).update(recovery_codes=factor.recovery_codes)
            return True
        step = _matching_step(factor.secret, code, time.time() if now is None else now)
        if step is None or step <= factor.last_step:
            return False
        SecondFactor.objects.filter(pk=factor.pk).update(last_step=step)
        return True
