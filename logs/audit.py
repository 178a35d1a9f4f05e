"""Writing the audit trail, from inside the service's own transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cgadmin import context, dataformat
from cgadmin.dataformat import Value
from logs.models import AuditEntry

if TYPE_CHECKING:
    from accounts.models import Account

SHELL_ACTOR = "(shell)"


def actor_label(actor: Account | None) -> str:
    return actor.address if actor is not None else SHELL_ACTOR


def _as_text(values: Value) -> str:
    return "" if values is None else dataformat.dumps(values)


def audit(
    *,
    actor: Account | None,
    event: str,
    object_type: str,
    object_name: str,
    domain_name: str = "",
    before: Value = None,
    after: Value = None,
) -> AuditEntry:
    """Record one change with who made it, from where, and the values before and after."""
    call = context.current()
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=actor_label(actor),
        interface=call.interface,
        client_address=call.client_address,
        event=str(event),
        object_type=object_type,
        object_name=object_name,
        domain_name=domain_name,
        before=_as_text(before),
        after=_as_text(after),
    )
