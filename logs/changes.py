"""An audit entry's before and after values read as a change: one line per setting that differs."""

from __future__ import annotations

from dataclasses import dataclass

from cgadmin import dataformat
from cgadmin.dataformat import Value

SHOWN_LENGTH = 160  # longer values are cut on the page; the data-format text is kept whole in the entry


@dataclass(frozen=True)
class Change:
    key: str  # the setting; "" when the entry records one value, not a dictionary
    before: str | None  # None: not set
    after: str | None


def _parsed(text: str) -> Value:
    if not text:
        return None
    try:
        return dataformat.loads(text)
    except dataformat.DataFormatError:
        return text


def _shown(value: Value) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else dataformat.dumps(value)
    return text if len(text) <= SHOWN_LENGTH else text[:SHOWN_LENGTH - 1] + "…"


def audit_changes(before: str, after: str) -> list[Change]:
    """What an audit entry changed: a line per differing key when both sides are dictionaries (or
    one side is missing), else one line with the whole values."""
    old, new = _parsed(before), _parsed(after)
    if isinstance(old, dict | None) and isinstance(new, dict | None) and (old or new):
        return _dict_changes("", old or {}, new or {})
    if old == new:
        return []
    return [Change("", _shown(old), _shown(new))]


def _dict_changes(prefix: str, old: dict, new: dict) -> list[Change]:
    """A line per differing key; a dictionary inside a dictionary (WebAdminPrefs' Monitors) by its own
    keys, named with the path (WebAdminPrefs.InterfaceType), so one change reads as one short line."""
    found = []
    for key in sorted(set(old) | set(new), key=str.lower):
        was, now = old.get(key), new.get(key)
        if was == now:
            continue
        name = f"{prefix}{key}"
        if isinstance(was, dict) and isinstance(now, dict):
            found += _dict_changes(f"{name}.", was, now)
        else:
            found.append(Change(name, _shown(was), _shown(now)))
    return found
