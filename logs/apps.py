from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cgadmin.celery import periodic

        periodic("logs.rotate", "logs.tasks.rotate_logs", 60)
        periodic("logs.statistics", "logs.tasks.sample_statistics", 60)
        periodic("logs.health", "logs.tasks.health_check", 60)

