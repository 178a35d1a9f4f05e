"""Failed-login limits, shared by every process through the cache (Redis in production).

Three windows: the account's FailedLoginFlow for each (account, client address) pair, a cap on
failures per client address, and a cap of 100 failures an hour per account from anywhere. A
flood of bad passwords from one address therefore locks out that address, not the administrator
logging in from elsewhere, and every window ends by itself (a cool-off, never a permanent lock).
Unknown names are counted exactly like real ones, so the limits reveal nothing either."""

import hashlib

from django.core.cache import cache

ADDRESS_FLOW = (30, 600)  # failures per client address per 10 minutes, whatever the names
ACCOUNT_FLOW = (100, 3600)  # failures per account per hour, from all addresses together
DEFAULT_ACCOUNT_FLOW = (10, 600)


def _name(login_name: str) -> str:
    """The name as a cache key part: a name too long or odd to be a key (a fuzzer's) by its digest."""
    name = login_name.strip().lower()
    if len(name) > 100 or not name.isprintable() or " " in name:
        return "sha1-" + hashlib.sha1(name.encode("utf-8", "surrogateescape")).hexdigest()
    return name


def _keys(login_name: str, address: str) -> list[tuple[str, tuple[int, int]]]:
    name = _name(login_name)
    return [
        (f"cg:fail:ip:{address}", ADDRESS_FLOW),
        (f"cg:fail:acct:{name}", ACCOUNT_FLOW),
    ]


def _pair_key(login_name: str, address: str) -> str:
    return f"cg:fail:pair:{_name(login_name)}:{address}"


def is_blocked(login_name: str, address: str, account_flow: tuple[int | None, int] = DEFAULT_ACCOUNT_FLOW) -> bool:
    """Whether a login attempt must be refused without even checking the password."""
    limit, _ = account_flow
    pair = _pair_key(login_name, address)
    others = _keys(login_name, address)
    counts = cache.get_many([pair, *(key for key, _flow in others)])  # one round trip for every login
    if limit is not None and counts.get(pair, 0) >= limit:
        return True
    return any(counts.get(key, 0) >= flow[0] for key, flow in others)


def _count(key: str, period: int) -> None:
    if cache.add(key, 1, timeout=period):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period)


def note_failure(login_name: str, address: str, account_flow: tuple[int | None, int] = DEFAULT_ACCOUNT_FLOW) -> None:
    """Count one failed login against the pair, the address and the account."""
    _, period = account_flow
    _count(_pair_key(login_name, address), period)
    for key, flow in _keys(login_name, address):
        _count(key, flow[1])


def note_success(login_name: str, address: str) -> None:
    """A good password clears the pair's count (not the address's or the account's caps)."""
    cache.delete(_pair_key(login_name, address))
