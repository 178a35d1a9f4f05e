"""Forwarders: a name in a domain whose mail and signals go to one other address (CommuniGate's
Forwarder object). Its name shares the domain's one namespace with accounts, aliases, groups and lists."""

from django.db import models

from domains.models import Domain


class Forwarder(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="forwarders")
    name = models.CharField(max_length=255)
    target = models.CharField(max_length=512)  # the address the mail goes to, as given
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain_id", "name"]
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="forwarder_name_in_domain")]

    def __str__(self) -> str:
        return f"{self.name}@{self.domain.name}"
