"""Urgent Notifications: conditions a component raises and clears (a listener failed to start,
the exporter cannot write, the disk is almost full). Every WebAdmin page shows one of the active
ones, chosen at random; one that is not renewed ends by itself."""

from __future__ import annotations

import random
import time

from django.core.cache import cache

INDEX_KEY = "cg:alerts:index"
DEFAULT_TTL = 15 * 60


def raise_notification(key: str, component: str, text: str, *, ttl: int = DEFAULT_TTL) -> None:
    """Raise (or renew) a notification identified by key; it lapses after ttl seconds."""
    cache.set(f"cg:alert:{key}", {"key": key, "component": component, "text": text, "since": time.time()}, ttl)
    keys = set(cache.get(INDEX_KEY) or [])
    keys.add(key)
    cache.set(INDEX_KEY, sorted(keys), None)


def clear_notification(key: str) -> None:
    """The condition is gone."""
    cache.delete(f"cg:alert:{key}")


def active_notifications() -> list[dict]:
    found = []
    for key in cache.get(INDEX_KEY) or []:
        item = cache.get(f"cg:alert:{key}")
        if item is not None:
            found.append(item)
    return found


def pick_notification() -> dict | None:
    """One active notification at random, as every WebAdmin page shows it."""
    active = active_notifications()
    return random.choice(active) if active else None
