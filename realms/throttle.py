"""Failed-login limits, shared by every process through the cache (Redis in production).

Three windows: the account's FailedLoginFlow for each (account, client address) pair, a cap on
failures per client address, and a cap of 100 failures an hour per account from anywhere. A
flood of bad passwords from one address therefore locks out that address, not the administrator
logging in from elsewhere, and every window ends by itself (a cool-off, never a permanent lock).

Counters are keyed by the account the name resolves to (`subject_key`), so `user@a.test.`, an
account alias or a domain alias share one set of counters; an unknown name by its normalised
address, counted exactly like a real one. A window starts at the first failure and is never pushed
back by later ones, and every increment is atomic: one Lua script on Redis, a file lock around the
read and write on the embedded cache (a file cache shared by the server's processes)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.cache import cache

ADDRESS_FLOW = (30, 600)  # failures per client address per 10 minutes, whatever the names
ACCOUNT_FLOW = (100, 3600)  # failures per account per hour, from all addresses together
DEFAULT_ACCOUNT_FLOW = (10, 600)

# INCR, and give the key its window only when this increment created it: later failures keep it.
_REDIS_COUNT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_thread_lock = threading.Lock()


def _name(text: str) -> str:
    """The name as a cache key part: a name too long or odd to be a key (a fuzzer's) by its digest."""
    name = text.strip().lower()
    if len(name) > 100 or not name.isprintable() or " " in name:
        return "sha1-" + hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()
    return name


def subject_key(login_name: str, account: object | None) -> str:
    """What the counters of a login attempt are kept under: the resolved account's id, or for a
    name that is no account, its normalised `name@domain` (main domain added, trailing dot,
    case and a domain alias taken away)."""
    if account is not None:
        return f"id:{account.pk}"  # type: ignore[attr-defined]
    from domains.names import lookup_domain_key
    from domains.selectors import find_domain, main_domain_name

    name, at, domain = login_name.strip().rpartition("@")
    if not at:
        name, domain = domain, main_domain_name() or ""
    key = lookup_domain_key(domain)
    found = find_domain(key) if key else None
    return _name(f"{name}@{found.name if found is not None else key}")


def _keys(subject: str, address: str) -> list[tuple[str, tuple[int, int]]]:
    return [
        (f"cg:fail:ip:{address}", ADDRESS_FLOW),
        (f"cg:fail:acct:{subject}", ACCOUNT_FLOW),
    ]


def _pair_key(subject: str, address: str) -> str:
    return f"cg:fail:pair:{subject}:{address}"


def _redis_client() -> object | None:
    """The Redis client behind the cache, when the cache is Redis (else None: the file cache)."""
    client = getattr(cache, "_cache", None)
    if client is None or not hasattr(client, "get_client"):
        return None
    return client.get_client(write=True)


def _read_counts(keys: list[str]) -> dict[str, int]:
    """The current counts (0 for none) in one round trip; the file cache keeps (count, end) pairs."""
    values = cache.get_many(keys)
    return {key: (value[0] if isinstance(value, tuple) else int(value)) for key, value in values.items()}


@contextmanager
def _file_lock() -> Iterator[None]:
    """Every process (flock) and every thread (a lock) of the server, one at a time."""
    path = Path(settings.CGADMIN_STATE_DIR) / "throttle.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with _thread_lock:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the flock


def _count(key: str, period: int) -> int:
    """One more failure under key, atomically, in a window that starts with the first one."""
    client = _redis_client()
    if client is not None:
        full_key = cache.make_and_validate_key(key)
        return int(client.eval(_REDIS_COUNT, 1, full_key, period))  # type: ignore[attr-defined]
    with _file_lock():
        now = time.time()
        current = cache.get(key)
        count, ends = current if isinstance(current, tuple) and current[1] > now else (0, now + period)
        cache.set(key, (count + 1, ends), timeout=max(1, int(ends - now + 0.999)))
        return count + 1


def is_blocked(subject: str, address: str, account_flow: tuple[int | None, int] = DEFAULT_ACCOUNT_FLOW) -> bool:
    """Whether a login attempt must be refused without even checking the password."""
    limit, _ = account_flow
    pair = _pair_key(subject, address)
    others = _keys(subject, address)
    counts = _read_counts([pair, *(key for key, _flow in others)])  # one round trip for every login
    if limit is not None and counts.get(pair, 0) >= limit:
        return True
    return any(counts.get(key, 0) >= flow[0] for key, flow in others)


def note_failure(subject: str, address: str, account_flow: tuple[int | None, int] = DEFAULT_ACCOUNT_FLOW) -> None:
    """Count one failed login against the pair, the address and the account."""
    _, period = account_flow
    _count(_pair_key(subject, address), period)
    for key, flow in _keys(subject, address):
        _count(key, flow[1])


def note_success(subject: str, address: str) -> None:
    """A good password clears the pair's count (not the address's or the account's caps)."""
    cache.delete(_pair_key(subject, address))
