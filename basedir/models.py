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


class ExportedDomain(models.Model):
    """Where a domain's folder is on disk now, and the Foldering its accounts are laid out by.

    The database may already say otherwise (a rename or a Foldering change not yet exported): the
    exporter moves the folder from here and then records the new place."""

    domain_id = models.BigIntegerField(primary_key=True)
    path = models.CharField(max_length=300)  # relative to the base directory: Accounts, Domains/<ascii>
    foldering = models.CharField(max_length=16, default="flat")

    def __str__(self) -> str:
        return self.path


class ExportedAccount(models.Model):
    """Where an account's folder (or single mailbox) is on disk now, relative to its domain's folder."""

    account_id = models.BigIntegerField(primary_key=True)
    domain_id = models.BigIntegerField(db_index=True)
    path = models.CharField(max_length=400)  # [<h1>.sub/[<h2>.sub/]]<name>.macnt (or .mbox, .mdir)
    has_rights = models.BooleanField(default=False)  # named in its domain's Access.settings

    def __str__(self) -> str:
        return self.path


class ExportedMailbox(models.Model):
    """A mailbox's name on disk now, in its account's folder: the database may already say another
    (RenameMailbox not yet exported) or none (DeleteMailbox), and the exporter moves or removes
    its files from here."""

    mailbox_id = models.BigIntegerField(primary_key=True)
    account_id = models.BigIntegerField(db_index=True)
    name = models.CharField(max_length=255)
    format = models.CharField(max_length=4)

    def __str__(self) -> str:
        return self.name
