"""The data sets rules keep for an account: RepliedAddresses (who got an automatic reply, when)."""

from django.db import models

from accounts.models import Account

REPLIED_ADDRESSES = "RepliedAddresses"


class RepliedAddress(models.Model):
    """An address a `Reply with` rule answered for this account: at most one reply a day each."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="replied_addresses")
    subset = models.CharField(max_length=64, default=REPLIED_ADDRESSES)
    address = models.CharField(max_length=320)
    replied_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "subset", "address"], name="replied_address_once")]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.subset}/{self.address}"
