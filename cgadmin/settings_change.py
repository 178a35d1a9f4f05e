"""The shape every settings-changing service shares: validate, diff, authorize key by key, save,
audit the changed keys only, and mark the object for the exporter. Written once so that domain
settings, defaults, templates, account settings and preferences behave exactly alike."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cgadmin.catalogue import DEFAULT, Catalogue, apply_update
from cgadmin.dataformat import Value
from logs.audit import audit
from logs.events import Event

if TYPE_CHECKING:
    from accounts.models import Account


@dataclass(frozen=True)
class SettingsChange:
    """The explicit settings after a change, and which keys it changed."""

    before: dict[str, Value]
    after: dict[str, Value]
    changed: tuple[str, ...]

    # A key without an explicit value inherits one: the audit trail says "default" for it.
    def before_values(self) -> dict[str, Value]:
        return {name: self.before.get(name, DEFAULT) for name in self.changed}

    def after_values(self) -> dict[str, Value]:
        return {name: self.after.get(name, DEFAULT) for name in self.changed}


def plan_change(
    catalogue: Catalogue, current: Mapping[str, Value], updates: Mapping[str, Value], *, replace: bool
) -> SettingsChange:
    """Validate the new values (an Update merges, a Set replaces) and find the keys that differ."""
    before = dict(current)
    after = catalogue.validate_all(updates) if replace else apply_update(before, catalogue.validate_update(updates))
    changed = tuple(sorted(name for name in set(before) | set(after) if before.get(name) != after.get(name)))
    return SettingsChange(before, after, changed)


def apply_change(
    *,
    actor: Account | None,
    catalogue: Catalogue,
    current: Mapping[str, Value],
    updates: Mapping[str, Value],
    replace: bool,
    authorize: Callable[[str, str | None], None],
    save: Callable[[dict[str, Value]], None],
    event: Event,
    object_type: str,
    object_name: str,
    domain_name: str = "",
) -> SettingsChange:
    """Run one settings change: every changed key's right is checked before anything is saved.

    `authorize(setting_name, right)` raises when the actor may not change that setting."""
    change = plan_change(catalogue, current, updates, replace=replace)
    for name in change.changed:
        authorize(name, catalogue.right_for(name))
    if change.changed:
        save(change.after)
        audit(
            actor=actor,
            event=event,
            object_type=object_type,
            object_name=object_name,
            domain_name=domain_name,
            before=change.before_values(),
            after=change.after_values(),
        )
    return change
