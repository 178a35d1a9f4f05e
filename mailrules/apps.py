from django.apps import AppConfig


class MailrulesConfig(AppConfig):
    name = "mailrules"
    verbose_name = "Automated Rules"
