from django.apps import AppConfig


class MailqueueConfig(AppConfig):
    name = "mailqueue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        import mailqueue.bulk  # noqa: F401  (registers the `anyof` lookup the queue's statements use)
        from mailqueue.runner import register

        register()
