"""The Celery application: workers process the queue, export the base directory, rotate logs."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cgadmin.settings")

app = Celery("cgadmin")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def periodic(name: str, task: str, seconds: float) -> None:
    """Run `task` (its dotted name) every `seconds` under beat. Apps call it from AppConfig.ready()."""
    app.conf.beat_schedule = {**(app.conf.beat_schedule or {}), name: {"task": task, "schedule": seconds}}


@signals.beat_init.connect
def _schedule_on_one_node_only(sender: object = None, **kwargs: object) -> None:
    """Every beat (compose's service, cgserver's embedded one) waits here for the database's beat
    lock, so however many nodes run one, a single beat schedules (cgadmin/singleton.py)."""
    from cgadmin.singleton import hold_beat_lock

    hold_beat_lock()


def send_task(name: str, *args: object) -> None:
    """Queue the task registered under this dotted name (run at once when tasks are eager), so the
    code that queues it never imports the tasks module."""
    if name not in app.tasks:
        app.loader.import_default_modules()  # every app's tasks module, as a worker imports them
    app.signature(name, args=args).delay()
