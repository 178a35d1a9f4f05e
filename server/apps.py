from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "server"
    default_auto_field = "django.db.models.BigAutoField"
