"""Base-directory trees for the backup and restore tests, written by the real exporter
(basedir.export): every settings file is what the exporter writes, so a backup of it followed by a
restore proves the round trip. Mailbox contents are not the exporter's business (the queue
delivers them), so each mailbox gets one message here, as a delivery would leave it."""

from __future__ import annotations

from pathlib import Path

from accounts.models import Account
from basedir import outbox, paths
from basedir.export import export_full, export_object
from cgadmin.dataformat import dump_settings_file
from domains.models import Domain
from domains.selectors import account_foldering

MESSAGE = "From sender@example.test Mon Nov 23 10:00:00 2026\nSubject: {subject}\n\n{body}\n\n"


def write_settings(path: Path, values: dict) -> Path:
    """A settings file written by hand (a file the exporter would not write, or a damaged one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_settings_file(values), "utf-8")
    return path


def _exported(kind: str, key: object) -> None:
    assert export_object(kind, str(key)), f"the exporter could not write {kind} {key}"


def _fill_mailboxes(account: Account) -> None:
    """One message in each mailbox that has none yet, where the queue would deliver it."""
    foldering = account_foldering(account)
    for mailbox in account.mailboxes.all():
        location = paths.mailbox_path(mailbox, foldering)
        if mailbox.format == "mbox":
            location.parent.mkdir(parents=True, exist_ok=True)
            if not location.exists() or location.stat().st_size == 0:  # none yet: no file, or an empty one
                location.write_text(MESSAGE.format(subject=f"in {mailbox.name}", body="hello"))
        else:
            for sub in ("tmp", "new", "cur"):
                (location / sub).mkdir(parents=True, exist_ok=True)
            if not any((location / "cur").iterdir()):
                (location / "cur" / "1.msg:2,S").write_text(f"Subject: in {mailbox.name}\n\nhello\n")


def write_account(account: Account) -> Path:
    """The account's files as the exporter writes them, and a message in each of its mailboxes."""
    account.refresh_from_db()
    _exported(outbox.ACCOUNT, account.pk)
    _fill_mailboxes(account)
    _exported(outbox.ACCOUNT, account.pk)  # account.info's StorageUsed counts the messages
    return paths.account_path(account, account_foldering(account))


def write_domain(domain: Domain) -> Path:
    """The domain's Settings/ files and every account in it, as the exporter writes them."""
    domain.refresh_from_db()
    _exported(outbox.DOMAIN, domain.pk)
    for account in domain.accounts.all():
        write_account(account)
    return paths.domain_dir(domain)


def write_server() -> None:
    """The whole tree from the database (the server's Settings/ files included)."""
    write_all()


def write_all() -> None:
    """The whole tree as `manage.py basedir export --full` writes it, with a message in each mailbox."""
    export_full()
    for account in Account.objects.select_related("domain"):
        _fill_mailboxes(account)
    export_full()


def snapshot(base: Path) -> dict[str, bytes | None]:
    """Every file and folder under base with its content: equal snapshots mean nothing changed."""
    return {str(p.relative_to(base)): (p.read_bytes() if p.is_file() else None) for p in sorted(base.rglob("*"))}
