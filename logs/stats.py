"""Statistics counters: components count events (logins, messages delivered, ...) here.

Counters live in the shared cache (Redis in production), so every process adds to the same ones;
a beat task samples them into the database for the Monitors charts."""

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

PREFIX = "cg:stat:"


def count(name: str, amount: int = 1) -> None:
    """Add to a counter (created at zero)."""
    key = PREFIX + name
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # One INCRBY round trip (it creates the key at zero), where add() + incr() takes three:
        # counters sit on hot paths such as every CLI command. Django stores ints unpickled, so
        # cache.get() reads the value back as an int.
        full_key = backend.make_and_validate_key(key)
        backend._cache.get_client(full_key, write=True).incrby(full_key, amount)
        return
    if cache.add(key, amount, timeout=None):
        return
    try:
        cache.incr(key, amount)
    except ValueError:
        cache.add(key, amount, timeout=None)


def value(name: str) -> int:
    return int(cache.get(PREFIX + name) or 0)
