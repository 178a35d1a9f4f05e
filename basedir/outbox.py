"""Recording what the exporter must write, inside the change's own transaction.

A row here commits or rolls back with the change itself, so the base directory can always catch
up: after commit a task drains the outbox (basedir.export), and a periodic sweep drains whatever a
crash left."""

from collections.abc import Iterable

from basedir.models import ExportOutbox

SERVER = "server"  # key: the ServerDocument name
DOMAIN = "domain"  # key: the domain id
ACCOUNT = "account"  # key: the account id
EXPORTER_KINDS = frozenset({SERVER, DOMAIN, ACCOUNT})  # drained by basedir.export; others by their app


def mark_dirty(kind: str, key: object) -> None:
    """The files of this object must be rewritten from the database (after this transaction commits)."""
    ExportOutbox.objects.create(kind=kind, key=str(key))
    if kind in EXPORTER_KINDS:
        from basedir.export import schedule_drain

        schedule_drain()


def mark_many_dirty(kind: str, keys: Iterable[object]) -> None:
    """mark_dirty for many objects of one kind, in one INSERT."""
    rows = [ExportOutbox(kind=kind, key=str(key)) for key in dict.fromkeys(keys)]
    if not rows:
        return
    ExportOutbox.objects.bulk_create(rows)
    if kind in EXPORTER_KINDS:
        from basedir.export import schedule_drain

        schedule_drain()
