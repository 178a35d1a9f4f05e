"""HTTP Basic's credential cache: a verified name and password are remembered for a few minutes, as
mail servers' auth caches do, so a script's every request does not pay a password hash.

Only a keyed hash of name and password is kept (HMAC with a key made by each process, never
written anywhere), with the account's id and a stamp of what may end its access: the stored
password, its rights, the moment of the last KillAccountSessions and its name. A hit re-reads the
account and compares the stamp, so a password change, a rights change or KillAccountSessions
forget it at once; the caller then checks may_log_in (disabled account, suspended domain) as for
a session. Failed attempts are never remembered: they take the full path and count as failures."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

from django.conf import settings

from accounts.models import Account

_KEY = secrets.token_bytes(32)
_entries: OrderedDict[bytes, tuple[float, int, bytes]] = OrderedDict()
_lock = threading.Lock()


def _lifetime() -> float:
    return float(getattr(settings, "BASIC_AUTH_CACHE_SECONDS", 120))


def _credential_key(login_name: str, password: str) -> bytes:
    text = login_name.encode("utf-8", "surrogateescape") + b"\0" + password.encode("utf-8", "surrogateescape")
    return hmac.new(_KEY, text, hashlib.sha256).digest()


def account_stamp(account: Account) -> bytes:
    """What must be unchanged for a remembered credential to stay good."""
    killed = account.sessions_valid_after.isoformat() if account.sessions_valid_after else ""
    text = "\0".join([account.password, killed, repr(sorted(map(str, account.rights or []))), account.name,
                      str(account.domain_id)])
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).digest()


def remember(login_name: str, password: str, account: Account) -> None:
    """A credential that was just verified in full (password, second factor, limits)."""
    lifetime = _lifetime()
    if lifetime <= 0:
        return
    key = _credential_key(login_name, password)
    with _lock:
        _entries[key] = (time.monotonic() + lifetime, account.pk, account_stamp(account))
        _entries.move_to_end(key)
        while len(_entries) > int(getattr(settings, "BASIC_AUTH_CACHE_SIZE", 10000)):
            _entries.popitem(last=False)


def recall(login_name: str, password: str) -> Account | None:
    """The account of a credential remembered and still good, else None (then verify in full)."""
    key = _credential_key(login_name, password)
    with _lock:
        entry = _entries.get(key)
    if entry is None:
        return None
    expires, account_id, stamp = entry
    account = None
    if expires > time.monotonic():
        account = Account.objects.select_related("domain").filter(pk=account_id).first()
    if account is None or not hmac.compare_digest(account_stamp(account), stamp):
        forget(login_name, password)
        return None
    return account


def forget(login_name: str, password: str) -> None:
    with _lock:
        _entries.pop(_credential_key(login_name, password), None)


def clear() -> None:
    """Forget every credential (tests; a process that wants a clean slate)."""
    with _lock:
        _entries.clear()
