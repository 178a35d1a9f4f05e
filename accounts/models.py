"""Accounts: the Django user model. An account logs in as `name` (Main Domain) or `name@domain`."""

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models

from cgadmin.fields import SettingsField
from domains.models import Domain


class AccountType(models.TextChoices):
    MULTI_MAILBOX = "MultiMailbox"
    TEXT_MAILBOX = "TextMailbox"
    MAILDIR_MAILBOX = "MailDirMailbox"
    SLICED_MAILBOX = "SlicedMailbox"
    AGRADE = "AGrade"
    BGRADE = "BGrade"
    CGRADE = "CGrade"


# How ListAccounts names each type's storage (spec/cli.md): single-mailbox accounts by their format.
STORAGE_KIND = {
    AccountType.TEXT_MAILBOX: "mbox",
    AccountType.MAILDIR_MAILBOX: "mdir",
}


class AccountManager(BaseUserManager["Account"]):
    use_in_migrations = True


class Account(AbstractBaseUser):
    domain = models.ForeignKey(Domain, on_delete=models.PROTECT, related_name="accounts")
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=AccountType.choices, default=AccountType.MULTI_MAILBOX)
    settings = SettingsField()  # explicit settings; the password lives in `password`
    prefs = SettingsField()  # explicit preferences
    info = SettingsField()  # volatile info: LastLogin, LastAddress, ...
    # Server rights (Main Domain accounts) and Domain Administrator rights (`Domain` + the list).
    rights = models.JSONField(default=list, blank=True)
    # KillAccountSessions and disabling end every session that started before this moment.
    sessions_valid_after = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "name"
    REQUIRED_FIELDS: list[str] = []
    objects = AccountManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="account_name_in_domain")]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        return f"{self.name}@{self.domain.name}"

    @property
    def storage_kind(self) -> str:
        return STORAGE_KIND.get(self.kind, "macnt")

    def get_username(self) -> str:
        return self.address

    def check_password(self, raw_password: str) -> bool:
        # Django would re-hash into its preferred hasher on success; here the stored form is the
        # account's PasswordEncryption choice (A-crpt and clear must stay recoverable).
        from django.contrib.auth.hashers import check_password

        return check_password(raw_password, self.password)


class AccountAlias(models.Model):
    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="account_aliases")
    name = models.CharField(max_length=255)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="alias_name_in_domain")]

    def __str__(self) -> str:
        return f"{self.name}@{self.domain.name}"


class MailboxFormat(models.TextChoices):
    TEXT = "mbox", "Text"
    MAILDIR = "mdir", "MailDir"
    SLICED = "mslc", "Sliced"


class Mailbox(models.Model):
    """A mailbox of an account. Its messages live in the base directory (basedir.paths); the
    row says it exists, its format, and its class (mail, or a calendar, contacts, ...)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mailboxes")
    name = models.CharField(max_length=255)  # "INBOX", "Sent", "Projects/2026", ...
    format = models.CharField(max_length=4, choices=MailboxFormat.choices, default=MailboxFormat.TEXT)
    mailbox_class = models.CharField(max_length=32, blank=True)  # "" for mail; IPF.Appointment, ...
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="mailbox_name_in_account")]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.account}/{self.name}"
