"""cgadmin: the System Administration side of a CommuniGate Pro style messaging server."""

from .celery import app as celery_app

__all__ = ("celery_app",)
