"""The exporter's outbox: what changed, written in the change's own transaction."""

from django.db import models


class ExportOutbox(models.Model):
    """One object whose files must be rewritten. Drained after commit and by a periodic sweep."""

    kind = models.CharField(max_length=32)  # server, domain, account, ...
    key = models.CharField(max_length=255)  # the object's id (or document name)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
