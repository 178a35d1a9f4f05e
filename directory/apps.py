from django.apps import AppConfig

SWEEP_SECONDS = 30


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = "Central Directory"

    def ready(self) -> None:
        from cgadmin.celery import periodic

        # After-commit tasks write the files at once; the sweep catches up on any the broker lost.
        periodic("directory.export", "directory.tasks.export_directory", SWEEP_SECONDS)
