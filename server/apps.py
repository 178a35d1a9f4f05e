from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "server"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from server import crash, runenv

        runenv.apply_to_this_process()  # --defaultStackSize, --randomDataDevice in every process
        crash.install_fault_handlers()  # a component's tracebacks for Crash Recovery
