from django.apps import AppConfig

SWEEP_SECONDS = 5.0  # the periodic sweep: whatever an after-commit task missed (a crash, a busy broker)


class BasedirConfig(AppConfig):
    name = "basedir"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cgadmin.celery import periodic

        periodic("basedir.sweep", "basedir.tasks.export_outbox", SWEEP_SECONDS)
