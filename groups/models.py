"""Groups: a name in a domain whose mail goes to every member (CommuniGate's Group object), with
settings such as RealName. Its name shares the domain's one namespace with accounts, aliases,
forwarders and lists."""

from django.db import models

from cgadmin.fields import SettingsField
from domains.models import Domain


class Group(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(max_length=255)
    settings = SettingsField()  # RealName, ... (Members kept apart, in `members`)
    members = models.JSONField(default=list, blank=True)  # addresses: `name` (this domain) or `name@domain`
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["domain_id", "name"]
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="group_name_in_domain")]

    def __str__(self) -> str:
        return f"{self.name}@{self.domain.name}"
