"""Recording what the exporter must write, inside the change's own transaction.

A row here commits or rolls back with the change itself, so the base directory can always catch
up: after commit a task drains the outbox (basedir.export), and a periodic sweep drains whatever a
crash left."""

import logging
from collections.abc import Iterable

from django.utils import timezone

from basedir.models import ExportOutbox
from cgadmin.celery import send_task
from cgadmin.db import insert_rows
from cgadmin.oncommit import run_once_after_commit

logger = logging.getLogger(__name__)

SERVER = "server"  # key: the ServerDocument name
DOMAIN = "domain"  # key: the domain id
ACCOUNT = "account"  # key: the account id
EXPORTER_KINDS = frozenset({SERVER, DOMAIN, ACCOUNT})  # drained by basedir.export; others by their app


def mark_dirty(kind: str, key: object) -> None:
    """The files of this object must be rewritten from the database (after this transaction commits)."""
    ExportOutbox.objects.create(kind=kind, key=str(key))
    if kind in EXPORTER_KINDS:
        schedule_drain()


def mark_many_dirty(kind: str, keys: Iterable[object]) -> None:
    """mark_dirty for many objects of one kind, in one INSERT."""
    now = timezone.now()
    rows = ((kind, str(key), now) for key in dict.fromkeys(keys))
    if not insert_rows(ExportOutbox, ("kind", "key", "created"), rows):
        return
    if kind in EXPORTER_KINDS:
        schedule_drain()


def schedule_drain() -> None:
    """Queue one export task when the transaction commits, however many objects it marks."""
    run_once_after_commit("basedir.export_outbox", _drain_after_commit)


def _drain_after_commit() -> None:
    try:
        send_task("basedir.tasks.export_outbox")
    except Exception:  # the broker being down must not fail a committed change: the sweep catches up
        logger.warning("could not queue the base directory export; the sweep will write it", exc_info=True)
