"""Celery tasks of the mailing lists: thin wrappers over lists.export."""

from celery import shared_task

from cgadmin import context
from lists.export import drain_outbox


@shared_task(acks_late=True)
def export_lists() -> int:
    """Write the list folders of every domain the outbox names (after each change, and periodically)."""
    with context.calling_from(context.SYSTEM):
        return drain_outbox()
