"""Server-wide settings dictionaries, one row each, as the Settings/*.settings files hold them."""

from django.db import models

from cgadmin.fields import SettingsField


class ServerDocument(models.Model):
    """One server-wide dictionary: Main, DomainDefaults, AccountDefaults, AccountPrefs, Strings, ..."""

    name = models.CharField(max_length=64, primary_key=True)
    data = SettingsField()
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name
