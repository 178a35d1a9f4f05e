"""The audit trail: every change by any actor, with its before and after values."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEntry(models.Model):
    time = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text too: the entry must still say who acted after that account is gone.
    actor_name = models.CharField(max_length=300)
    interface = models.CharField(max_length=16)  # WebAdmin, CLI, shell, system
    client_address = models.CharField(max_length=64, blank=True)
    event = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=32)
    object_name = models.CharField(max_length=512)
    domain_name = models.CharField(max_length=255, blank=True, db_index=True)  # for Domain Administrators
    before = models.TextField(blank=True)  # data-format text of the values before the change
    after = models.TextField(blank=True)

    class Meta:
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["domain_name", "-time"])]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.event} {self.object_name}"


class Alert(models.Model):
    """A posted alert (spec/cli.md): server-wide (an urgent notification on every WebAdmin page of
    the server administrators), for one domain, or for one account. Keyed by its time stamp."""

    SERVER = "server"
    DOMAIN = "domain"
    ACCOUNT = "account"

    scope = models.CharField(max_length=8)
    domain = models.ForeignKey("domains.Domain", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    stamp = models.CharField(max_length=32)  # the key clients name it by: 20261128T221344Z
    text = models.TextField()
    posted = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["stamp"]
        constraints = [
            models.UniqueConstraint(fields=["stamp"], condition=models.Q(scope="server"), name="alert_server_stamp"),
            models.UniqueConstraint(fields=["domain", "stamp"], condition=models.Q(scope="domain"),
                                    name="alert_domain_stamp"),
            models.UniqueConstraint(fields=["account", "stamp"], condition=models.Q(scope="account"),
                                    name="alert_account_stamp"),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.stamp} {self.text[:40]}"


class StatSample(models.Model):
    """One minute's reading of every statistics counter and gauge (logs.statistics samples them)."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    values = models.JSONField(default=dict)  # {"login.WebAdmin": 12, "queue.messages": 3, ...}

    class Meta:
        ordering = ["time"]

    def __str__(self) -> str:
        return f"{self.time:%Y-%m-%d %H:%M} {len(self.values)} values"
