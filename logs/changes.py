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
        old_keys, new_keys = old or {}, new or {}
        keys = sorted(set(old_keys) | set(new_keys), key=str.lower)
        return [Change(key, _shown(old_keys.get(key)), _shown(new_keys.get(key)))
                for key in keys if old_keys.get(key) != new_keys.get(key)]
    if old == new:
        return []
    return [Change("", _shown(old), _shown(new))]
