from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "server"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server import runenv

        runenv.apply_to_this_process()  # --defaultStackSize, --randomDataDevice in every process
