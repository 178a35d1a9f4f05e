from django.apps import AppConfig


class RealmsConfig(AppConfig):
    name = "realms"
    default_auto_field = "django.db.models.BigAutoField"
