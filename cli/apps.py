from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CliConfig(AppConfig):
    name = "cli"
    verbose_name = "Network CLI"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every app declares its verbs in <app>/cli_commands.py (cli.registry), as admin.py for Django admin.
        autodiscover_modules("cli_commands")
        from cli.listener import register

        register()
