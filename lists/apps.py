from django.apps import AppConfig

SWEEP_SECONDS = 30


class ListsConfig(AppConfig):
    name = "lists"
    verbose_name = "Mailing Lists"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cgadmin.celery import periodic

        # After-commit tasks write the files at once; the sweep catches up (a domain not yet written).
        periodic("lists.export", "lists.tasks.export_lists", SWEEP_SECONDS)
