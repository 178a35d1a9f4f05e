"""Writing the audit trail, from inside the service's own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from cgadmin import context, dataformat
from cgadmin.dataformat import Value
from cgadmin.db import insert_rows
from logs import serverlog
from logs.events import Event
from logs.models import AuditEntry

if TYPE_CHECKING:
    from accounts.models import Account

SHELL_ACTOR = "(shell)"


def actor_label(actor: Account | None) -> str:
    return actor.address if actor is not None else SHELL_ACTOR


def _as_text(values: Value) -> str:
    return "" if values is None else dataformat.dumps(values)


def event_code(event: Event | str) -> str:
    """The stored code of an audit event, refused when logs.events.Event does not list it (the audit
    trail's filters and reports know only those)."""
    try:
        return Event(event).value
    except ValueError:
        raise ValueError(f"unknown audit event {event!r}: add it to logs.events.Event") from None


def audit(
    *,
    actor: Account | None,
    event: Event,
    object_type: str,
    object_name: str,
    domain_name: str = "",
    before: Value = None,
    after: Value = None,
) -> AuditEntry:
    """Record one change with who made it, from where, and the values before and after."""
    code = event_code(event)
    call = context.current()
    _log_after_commit(actor, code, object_type, object_name, call.client_address)
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor_label(actor),
        interface=call.interface,
        client_address=call.client_address,
        event=code,
        object_type=object_type,
        object_name=object_name,
        domain_name=domain_name,
        before=_as_text(before),
        after=_as_text(after),
    )


@dataclass(frozen=True)
class Change:
    """One change of a batch, for audit_many: what audit() takes besides the actor."""

    event: Event
    object_type: str
    object_name: str
    domain_name: str = ""
    before: Value = None
    after: Value = None


def audit_many(*, actor: Account | None, changes: Sequence[Change]) -> None:
    """audit() for each change of a batch made by one actor: one INSERT, one Server Log write after commit."""
    if not changes:
        return
    codes = [event_code(change.event) for change in changes]
    call = context.current()
    records = [_log_record(actor, code, change.object_type, change.object_name)
               for code, change in zip(codes, changes, strict=True)]
    address = call.client_address
    transaction.on_commit(lambda: serverlog.log_many(records, peer=address or None))
    now, actor_id, name = timezone.now(), actor.pk if actor is not None else None, actor_label(actor)
    insert_rows(AuditEntry, AUDIT_COLUMNS, (
        (now, actor_id, name, call.interface, call.client_address, code, change.object_type,
         change.object_name, change.domain_name, _as_text(change.before), _as_text(change.after))
        for code, change in zip(codes, changes, strict=True)
    ))


AUDIT_COLUMNS = ("time", "actor_id", "actor_name", "interface", "client_address", "event", "object_type",
                 "object_name", "domain_name", "before", "after")


# The Server Log component each kind of object's changes are recorded under.
LOG_TAGS = {
    "account": "ACCOUNT", "mailbox": "ACCOUNT", "domain": "SYSTEM", "server": "SYSTEM", "directory": "DIRECTORY",
    "list": "LIST",
}
STRUCTURAL = (".create", ".delete", ".rename", ".remove", ".suspend", ".resume", ".rights")


def _log_after_commit(actor: Account | None, event: str, object_type: str, object_name: str, address: str) -> None:
    """A Server Log record of the change, once it is committed (a rolled-back change never happened).

    Creations, removals, renames and rights changes are Major; other changes Low-Level."""
    tag, level, text = _log_record(actor, event, object_type, object_name)
    transaction.on_commit(lambda: serverlog.log(tag, level, text, peer=address or None))


def _log_record(actor: Account | None, event: str, object_type: str, object_name: str) -> tuple[str, int, str]:
    """(component, level, text) of a change's Server Log line."""
    tag = LOG_TAGS.get(object_type, "SYSTEM")
    level = serverlog.MAJOR if event.endswith(STRUCTURAL) else serverlog.LOW_LEVEL
    return tag, level, f"{event} {object_name} by {actor_label(actor)}"
