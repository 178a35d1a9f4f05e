"""Celery tasks of the logs app: thin wrappers, run by beat (see LogsConfig.ready)."""

from celery import shared_task

from cgadmin import context
from cgadmin.singleton import singleton


@shared_task(acks_late=True)
@singleton("logs.rotate")
def rotate_logs() -> list[str] | None:
    """Every minute: share the levels in force, start a new Server Log file when due, delete old ones."""
    from logs.rotation import rotate
    from logs.selectors import log_config_publish

    with context.calling_from(context.SYSTEM):
        log_config_publish()
        return rotate().deleted


@shared_task(acks_late=True)
@singleton("logs.statistics")
def sample_statistics() -> int | None:
    """Every minute: record every statistics counter and gauge for the Monitors charts."""
    from logs.statistics import sample

    with context.calling_from(context.SYSTEM):
        return sample().pk


@shared_task(acks_late=True)
def health_check() -> int:
    """Every minute: the worker's heartbeat, the disk of the base directory, the posted alerts."""
    from basedir.paths import base
    from logs.notifications import health_check as check

    with context.calling_from(context.SYSTEM):
        return len(check(base()))
