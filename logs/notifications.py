"""Urgent Notifications: conditions a component raises and clears (a listener failed to start,
the exporter or the Server Log cannot write, the disk is almost full, the worker is down), and
the server alerts administrators post (PostServerAlert). Every WebAdmin page of a server
administrator shows one of them, chosen at random; a raised one that is not renewed ends by
itself, so a condition that is gone stops showing without anyone clearing it.

Everything lives in the shared cache, so showing one costs a page no database query: posted
alerts are copied there when they change and again by the minute's health check."""

from __future__ import annotations

import random
import shutil
import time
from pathlib import Path

from django.core.cache import cache

INDEX_KEY = "cg:alerts:index"
POSTED_KEY = "cg:alerts:posted"
HEARTBEAT_KEY = "cg:heartbeat:worker"
DEFAULT_TTL = 15 * 60
CHECK_TTL = 3 * 60  # raised by the minute's check: gone three minutes after the condition is
HEARTBEAT_STALE = 3 * 60
DISK_MIN_FREE_FRACTION = 0.05
DISK_MIN_FREE_BYTES = 1024**3

# Keys of the conditions components raise, so each clears its own.
DISK_FULL = "disk"
WORKER_DOWN = "worker"
EXPORT_FAILED = "export"
SERVER_LOG_FAILED = "serverlog"


def listener_key(component: str) -> str:
    return f"listener:{component}"


def raise_notification(key: str, component: str, text: str, *, ttl: int | None = DEFAULT_TTL) -> None:
    """Raise (or renew) a notification identified by key; it lapses after ttl seconds."""
    cache.set(f"cg:alert:{key}", {"key": key, "component": component, "text": text, "since": time.time()}, ttl)
    keys = set(cache.get(INDEX_KEY) or [])
    if key not in keys:
        cache.set(INDEX_KEY, sorted(keys | {key}), None)


def clear_notification(key: str) -> None:
    """The condition is gone."""
    cache.delete(f"cg:alert:{key}")


def report_export_failure(target: str, error: OSError) -> None:
    """The exporter could not write a file: shown until exports succeed for a few minutes."""
    raise_notification(EXPORT_FAILED, "EXPORT", f"cannot write {target} in the base directory: "
                       f"{error.strerror or error}", ttl=CHECK_TTL)


def report_server_log_failure(folder: Path, error: OSError) -> None:
    """The Server Log could not be written: shown until records go through again for a while."""
    raise_notification(SERVER_LOG_FAILED, "SYSTEM", f"cannot write the Server Log in {folder}: "
                       f"{error.strerror or error}", ttl=CHECK_TTL)


def raised_notifications() -> list[dict]:
    """The conditions raised by components and not lapsed, oldest first."""
    keys = cache.get(INDEX_KEY) or []
    items = cache.get_many([f"cg:alert:{key}" for key in keys]) if keys else {}
    found = [items[f"cg:alert:{key}"] for key in keys if f"cg:alert:{key}" in items]
    lapsed = set(keys) - {item["key"] for item in found}
    if lapsed:  # forget the keys of lapsed ones, keeping any another process added meanwhile
        current = cache.get(INDEX_KEY) or []
        cache.set(INDEX_KEY, sorted(key for key in current if key not in lapsed or cache.has_key(f"cg:alert:{key}")),
                  None)
    return sorted(found, key=lambda item: item["since"])


def publish_posted_alerts() -> None:
    """Copy the posted server alerts into the cache (after each change, and every minute)."""
    from logs.models import Alert

    posted = [{"key": f"alert:{stamp}", "component": "Alert", "text": text, "since": 0.0}
              for stamp, text in Alert.objects.filter(scope=Alert.SERVER).values_list("stamp", "text")]
    cache.set(POSTED_KEY, posted, None)


def worker_notification() -> dict | None:
    """The worker is down when its heartbeat stopped (only once one has been seen)."""
    beat = cache.get(HEARTBEAT_KEY)
    if beat is None or time.time() - beat < HEARTBEAT_STALE:
        return None
    since = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(beat))
    return {"key": WORKER_DOWN, "component": "WORKER", "since": beat,
            "text": f"no worker has run the periodic tasks since {since}: queue delivery, the exporter and "
                    f"log rotation are stopped"}


def active_notifications() -> list[dict]:
    """Everything a server administrator should see now."""
    found = raised_notifications()
    worker = worker_notification()
    if worker is not None:
        found.append(worker)
    found.extend(cache.get(POSTED_KEY) or [])
    return found


def pick_notification() -> dict | None:
    """One active notification at random, as every WebAdmin page shows it."""
    active = active_notifications()
    return random.choice(active) if active else None


# --- the minute's health check (run by the worker, so it is also its heartbeat) ---------------


def heartbeat() -> None:
    cache.set(HEARTBEAT_KEY, time.time(), None)


def check_disk(path: Path, *, min_free_fraction: float = DISK_MIN_FREE_FRACTION,
               min_free_bytes: int = DISK_MIN_FREE_BYTES) -> bool:
    """Raise the disk-full notification when the base directory's disk is almost full; True then."""
    usage = shutil.disk_usage(path)
    low = usage.free < min_free_bytes or usage.free < usage.total * min_free_fraction
    if low:
        percent = 100 * usage.free / usage.total if usage.total else 0
        raise_notification(DISK_FULL, "SYSTEM", f"the disk of the base directory {path} is almost full: "
                           f"{usage.free // 1024**2} MB ({percent:.1f}%) free", ttl=CHECK_TTL)
    else:
        clear_notification(DISK_FULL)
    return low


def health_check(base: Path) -> list[dict]:
    """Every minute: the worker's heartbeat, the disk, the posted alerts; what is active after."""
    heartbeat()
    check_disk(base)
    publish_posted_alerts()
    return active_notifications()
