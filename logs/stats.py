"""Statistics counters: components count events (logins, messages delivered, ...) here.

Counters live in the shared cache (Redis in production), so every process adds to the same ones;
a beat task samples them into the database for the Monitors charts."""

from django.core.cache import cache

PREFIX = "cg:stat:"


def count(name: str, amount: int = 1) -> None:
    """Add to a counter (created at zero)."""
    key = PREFIX + name
    if cache.add(key, amount, timeout=None):
        return
    try:
        cache.incr(key, amount)
    except ValueError:
        cache.add(key, amount, timeout=None)


def value(name: str) -> int:
    return int(cache.get(PREFIX + name) or 0)
