"""The Central Directory: one record per account of every domain kept in sync, and custom records.

A record lives in a unit: a domain's unit (domain set) holds that domain's account records; the
Local Unit (domain NULL) holds the custom records an administrator adds by hand. Records are
snapshots: a domain whose CentralDirectory setting is "Don't Update" keeps them as they were."""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper

from cgadmin.fields import SettingsField
from domains.models import Domain


class SearchKeyField(models.CharField):
    """A case-folded search key compared byte by byte.

    PostgreSQL gets the "C" collation on the column, so one B-tree index serves both ORDER BY and
    prefix matching (LIKE 'abc%' needs a byte-order index; the default locale collation is not one).
    SQLite's default BINARY collation is already byte order. The choice is made per connection, so
    the migration stays the same for both databases."""

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class DirectoryRecord(models.Model):
    # NULL: the Local Unit (custom records). Indexed by the (domain, name_key) constraint.
    domain = models.ForeignKey(
        Domain, null=True, blank=True, on_delete=models.CASCADE, related_name="directory_records", db_index=False
    )
    # The account the record mirrors; a "Don't Update" domain keeps records of removed accounts.
    account = models.ForeignKey(
        "accounts.Account", null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_records"
    )
    name = models.CharField(max_length=255)
    real_name = models.CharField(max_length=255, blank=True)
    email = models.CharField(max_length=320, blank=True)
    domain_name = models.CharField(max_length=255, blank=True)  # as it was when the record was written
    aliases = models.JSONField(default=list, blank=True)
    public = SettingsField()  # the account's public info settings (the server's PublicInfo list)
    name_key = SearchKeyField(max_length=255)
    real_name_key = SearchKeyField(max_length=255, blank=True)
    email_key = SearchKeyField(max_length=320, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["domain", "name_key"], name="directory_name_in_unit"),
            models.UniqueConstraint(
                fields=["name_key"], condition=models.Q(domain__isnull=True), name="directory_name_in_local_unit"
            ),
        ]
        indexes = [
            # Prefix search across every unit: one index per key, in the order pages go (key, id).
            models.Index(fields=["name_key", "id"], name="directory_name_key"),
            models.Index(fields=["real_name_key", "id"], name="directory_real_name_id"),
            models.Index(fields=["email_key", "id"], name="directory_email_id"),
        ]

    def __str__(self) -> str:
        return self.email or self.name

    @property
    def is_custom(self) -> bool:
        return self.domain_id is None


def search_key(text: str) -> str:
    """The form records are searched by: case-folded, trimmed."""
    return (text or "").strip().casefold()
