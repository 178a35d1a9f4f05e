"""Celery tasks of the directory: thin wrappers over the exporter."""

from celery import shared_task

from cgadmin import context
from directory.export import drain_outbox


@shared_task(acks_late=True)
def export_directory() -> int:
    """Write the files of every unit the outbox names (queued after each change, and periodically)."""
    with context.calling_from(context.SYSTEM):
        return drain_outbox()
