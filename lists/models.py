"""Mailing Lists (CommuniGate's LIST module objects): a list lives in a domain, belongs to an owner
account of that domain, has a settings dictionary and a table of subscribers."""

from django.db import models

from accounts.models import Account
from cgadmin.fields import SettingsField
from domains.models import Domain


class SubscriberMode(models.TextChoices):
    # Each posted message goes at once to `subscribe` and `feed` subscribers; digest, index and
    # null subscribers get no immediate copy; banned addresses may neither post nor receive.
    SUBSCRIBE = "subscribe"
    FEED = "feed"
    DIGEST = "digest"
    INDEX = "index"
    NULL = "null"
    BANNED = "banned"


IMMEDIATE_MODES = (SubscriberMode.SUBSCRIBE, SubscriberMode.FEED)


class PostingMode(models.TextChoices):
    UNMODERATED = ""  # posts go out (moderated_left > 0: the next ones are held first)
    MODERATE_ALL = "moderateAll"
    PROHIBITED = "prohibited"
    SPECIAL = "special"  # may post even where the list holds postings for moderation


class MailingList(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="mailing_lists")
    name = models.CharField(max_length=255)  # lower case, as account names
    owner = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mailing_lists")
    settings = SettingsField()  # explicit list settings (lists.settings_schema)
    # Kept by the services, so list pages and GetDomainLists never count a large table.
    subscriber_count = models.IntegerField(default=0)
    posts = models.IntegerField(default=0)  # messages distributed
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="list_name_in_domain")]

    def __str__(self) -> str:
        return f"{self.name}@{self.domain.name}"

    @property
    def address(self) -> str:
        return f"{self.name}@{self.domain.name}"


class Subscriber(models.Model):
    mailing_list = models.ForeignKey(MailingList, on_delete=models.CASCADE, related_name="subscribers")
    address = models.CharField(max_length=320)  # lower case: the key CLI and pages look up
    real_name = models.CharField(max_length=255, blank=True)
    mode = models.CharField(max_length=12, choices=SubscriberMode.choices, default=SubscriberMode.SUBSCRIBE)
    # A `List ... confirm` subscription waits for the subscriber's confirmation: no copies until then.
    confirmation_id = models.CharField(max_length=40, blank=True)
    subscribed = models.DateTimeField()
    posting = models.CharField(max_length=12, choices=PostingMode.choices, default=PostingMode.UNMODERATED, blank=True)
    moderated_left = models.IntegerField(default=0)  # the next N postings are held for moderation
    posts = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["mailing_list", "address"], name="subscriber_in_list")]
        indexes = [models.Index(fields=["mailing_list", "mode", "address"], name="subscriber_mode")]

    def __str__(self) -> str:
        return self.address

    @property
    def pending(self) -> bool:
        return bool(self.confirmation_id)
