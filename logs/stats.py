"""Statistics counters: components count events (logins, messages delivered, ...) here.

Counters live in the shared cache (Redis in production), so every process adds to the same ones;
a beat task samples them into the database for the Monitors charts."""

import atexit
import contextlib
import threading
import time
from collections import Counter
from typing import Protocol, cast

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

PREFIX = "cg:stat:"
FLUSH_SECONDS = 1.0  # count_soon's counts reach the shared counters within about this long


class _RedisCacheInside(Protocol):
    """What Django's RedisCache keeps private (and its stubs leave out): the client of its servers."""

    @property
    def _cache(self) -> RedisCacheClient: ...


def count(name: str, amount: int = 1) -> None:
    """Add to a counter (created at zero)."""
    key = PREFIX + name
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One INCRBY round trip (it creates the key at zero), where add() + incr() takes three:
        # counters sit on hot paths such as every CLI command. Django stores ints unpickled, so
        # cache.get() reads the value back as an int.
        full_key = backend.make_and_validate_key(key)
        cast(_RedisCacheInside, backend)._cache.get_client(full_key, write=True).incrby(full_key, amount)
        return
    if cache.add(key, amount, timeout=None):
        return
    try:
        cache.incr(key, amount)
    except ValueError:
        cache.add(key, amount, timeout=None)


def value(name: str) -> int:
    return int(cache.get(PREFIX + name) or 0)


_pending: Counter[str] = Counter()
_pending_lock = threading.Lock()
_flushed_at = 0.0


def count_soon(name: str, amount: int = 1) -> None:
    """Add to a counter within about FLUSH_SECONDS: for events on a hot path (every CLI command),
    where a cache round trip per event costs more than the event. Counts are kept in this process
    and sent together by the first call after FLUSH_SECONDS (and by flush() at exit); the Monitors
    sample counters once a minute, so nothing they show is late."""
    global _flushed_at
    with _pending_lock:
        _pending[name] += amount
        now = time.monotonic()
        if now - _flushed_at < FLUSH_SECONDS:
            return
        _flushed_at = now
        batch = dict(_pending)
        _pending.clear()
    _send(batch)


def flush() -> None:
    """Send the counts count_soon is holding now."""
    with _pending_lock:
        batch = dict(_pending)
        _pending.clear()
    _send(batch)


def _send(batch: dict[str, int]) -> None:
    for name, amount in batch.items():
        # the cache being down must never fail a command: these counts are lost then
        with contextlib.suppress(Exception):
            count(name, amount)


atexit.register(flush)
