"""Celery tasks of the exporter: thin wrappers over basedir.export."""

from celery import shared_task

from basedir.export import drain
from cgadmin import context


@shared_task(acks_late=True, ignore_result=True)
def export_outbox() -> int:
    """Write the files of every object the outbox names (queued after each change, and by the sweep)."""
    with context.calling_from(context.SYSTEM):
        result = drain()
    if result.more:
        export_outbox.delay()  # a long backlog: continue in a fresh task, leaving room for others
    return result.exported
