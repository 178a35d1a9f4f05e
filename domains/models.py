"""Domains and their aliases. The Main Domain is the one row with is_main set."""

from django.db import models

from cgadmin.fields import SettingsField


class Domain(models.Model):
    # Unicode, lower case; IDN names become punycode only on disk (Domain.ascii_name).
    name = models.CharField(max_length=255, unique=True)
    is_main = models.BooleanField(default=False)
    suspended = models.BooleanField(default=False)
    settings = SettingsField()  # explicit domain settings (aliases live in DomainAlias)
    account_defaults = SettingsField()  # the domain's Account Defaults
    template = SettingsField()  # the Account Template
    account_prefs = SettingsField()  # the domain's Default Preferences
    # The AdministratorDomainName setting, kept as a column so a Domain Administrator's domains
    # are one indexed query (CanAdminSubDomains); the services write both together.
    administrator_domain = models.CharField(max_length=255, blank=True, db_index=True)
    # Kept by the account services, so list pages never count a large table per view.
    account_count = models.IntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_main"], condition=models.Q(is_main=True), name="one_main_domain"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ascii_name(self) -> str:
        """The name as DNS and the base directory spell it (punycode for IDN)."""
        return self.name.encode("idna").decode("ascii")


class DomainAlias(models.Model):
    name = models.CharField(max_length=255, unique=True)
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
