from django.apps import AppConfig


class MailqueueConfig(AppConfig):
    name = "mailqueue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from mailqueue.runner import register

        register()
