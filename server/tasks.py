"""Celery tasks of the server app: thin wrappers over services."""

from celery import shared_task

from cgadmin import context
from server.services import network_refresh


@shared_task(acks_late=True)
def refresh_network() -> None:
    """Re-read network data (the General page's Refresh)."""
    with context.calling_from(context.SYSTEM):
        network_refresh()
