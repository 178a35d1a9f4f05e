from django.apps import AppConfig


class LogsConfig(AppConfig):
    name = "logs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from cgadmin.celery import periodic
        from server.models import ServerDocument

        post_save.connect(_publish_log_config, sender=ServerDocument, dispatch_uid="logs.publish_log_config")
        periodic("logs.rotate", "logs.tasks.rotate_logs", 60)
        periodic("logs.statistics", "logs.tasks.sample_statistics", 60)
        periodic("logs.health", "logs.tasks.health_check", 60)


def _publish_log_config(sender: type, instance: object, **kwargs: object) -> None:
    """The levels live in the Log and Main documents: every process learns of a change at once."""
    from logs.selectors import log_config_publish
    from server import documents

    if getattr(instance, "name", None) in (documents.LOG, documents.MAIN):
        log_config_publish()
