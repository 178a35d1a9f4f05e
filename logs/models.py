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
