"""Accounts: the Django user model. An account logs in as `name` (Main Domain) or `name@domain`."""

import datetime
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

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
STORAGE_KIND: dict[str, str] = {
    AccountType.TEXT_MAILBOX: "mbox",
    AccountType.MAILDIR_MAILBOX: "mdir",
}


# The last login of an account that never logged in, for sorting (before any real login).
NEVER = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


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
    # The Accounts list sorts by these (accounts.usage keeps them true; GetAccountInfo counts the files).
    # last_login is AbstractBaseUser's, written with account.info's LastLogin at every login.
    storage_used = models.BigIntegerField(default=0)  # bytes in the account's mailboxes

    USERNAME_FIELD = "name"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = AccountManager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["domain", "name"], name="account_name_in_domain")]
        indexes = [
            models.Index(fields=["domain", "storage_used", "name"], name="account_storage_order"),
            # Never logged in sorts as the oldest login (NEVER): one index range both ways.
            models.Index(F("domain"), Coalesce(F("last_login"), Value(NEVER)), F("name"), name="account_login_order"),
        ]

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
        # account's PasswordEncryption choice (A-crpt and clear must stay recoverable), and a login
        # re-hashes through accounts.services.account_rehash_password.
        from accounts.hashers import verify_stored

        return verify_stored(raw_password, self.password)


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


class AccountImport(models.Model):
    """One CSV import of accounts into a domain: the uploaded text, and its progress and report,
    which the import page polls while a worker runs it (accounts.tasks.run_account_import)."""

    class Status(models.TextChoices):
        CHECKED = "checked"  # checked on upload, not started yet (the administrator starts or cancels it)
        WAITING = "waiting"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="account_imports")
    actor = models.ForeignKey(Account, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=320)
    interface = models.CharField(max_length=32, blank=True)  # where it came from, for the audit entries
    client_address = models.CharField(max_length=64, blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    text = models.TextField()  # the CSV, kept until the import is done
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    total = models.PositiveIntegerField(default=0)  # records in the file (blank lines too)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[line, message], ...], the first MAX_REPORTED
    message = models.TextField(blank=True)  # why the whole import failed (a bad header)
    rejected = models.TextField(blank=True)  # the rows not imported as CSV (their cells and a Reason), when done
    started = models.DateTimeField(auto_now_add=True)
    run_started = models.DateTimeField(null=True, blank=True)  # when a worker began it (for the time left)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"import {self.pk} into {self.domain_id}: {self.status}"

    @property
    def percent(self) -> int:
        if self.status in (self.Status.DONE, self.Status.FAILED):
            return 100
        return min(100, self.processed * 100 // self.total) if self.total else 0

    def seconds_left(self, now: datetime.datetime) -> int | None:
        """The time the rest will take at the rows per second so far (None: not running, or too early)."""
        if self.status != self.Status.RUNNING or self.run_started is None or not self.processed:
            return None
        elapsed = (now - self.run_started).total_seconds()
        return max(0, round(elapsed * (self.total - self.processed) / self.processed))
