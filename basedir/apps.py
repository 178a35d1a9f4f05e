from django.apps import AppConfig


class BasedirConfig(AppConfig):
    name = "basedir"
    default_auto_field = "django.db.models.BigAutoField"
