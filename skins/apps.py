from django.apps import AppConfig


class SkinsConfig(AppConfig):
    name = "skins"
    verbose_name = "WebAdmin skins"
