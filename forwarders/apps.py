from django.apps import AppConfig


class ForwardersConfig(AppConfig):
    name = "forwarders"
    verbose_name = "Forwarders"
