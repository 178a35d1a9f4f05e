"""Celery tasks of the directory: thin wrappers over the exporter."""

from celery import shared_task

from cgadmin import context


@shared_task(acks_late=True)
def export_directory() -> int:
    """Write the files of every unit the outbox names (queued after each change, and periodically)."""
    from directory.export import drain_outbox

    with context.calling_from(context.SYSTEM):
        return drain_outbox()
