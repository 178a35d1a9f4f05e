"""Base-directory fixture trees for the backup and restore tests, in the spec's layout
(spec/basedir.md): settings files from the database, mailboxes with a few messages.

Written here until the exporter (basedir.export) is on main; then `write_all` calls it."""

from __future__ import annotations

from pathlib import Path

from accounts.models import Account
from basedir import paths
from cgadmin.dataformat import dump_settings_file
from domains.models import Domain
from server import documents

MESSAGE = "From sender@example.test Mon Nov 23 10:00:00 2026\nSubject: {subject}\n\n{body}\n\n"


def write_settings(path: Path, values: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_settings_file(values), "utf-8")
    return path


def write_account(account: Account) -> Path:
    """account.settings, .info and .prefs, and each mailbox (a Text one with one message)."""
    account.refresh_from_db()
    foldering = paths.account_foldering(account)
    settings = dict(account.settings)
    if account.password and not account.password.startswith("!"):
        settings["Password"] = account.password
    write_settings(paths.account_settings_file(account, foldering), settings)
    info = {f"#{key}": value for key, value in account.info.items()}
    write_settings(paths.account_info_file(account, foldering), info)
    write_settings(paths.account_prefs_file(account, foldering), dict(account.prefs))
    for mailbox in account.mailboxes.all():
        location = paths.mailbox_path(mailbox, foldering)
        if mailbox.format == "mbox":
            location.parent.mkdir(parents=True, exist_ok=True)
            if not location.exists():
                location.write_text(MESSAGE.format(subject=f"in {mailbox.name}", body="hello"))
        else:
            for sub in ("tmp", "new", "cur"):
                (location / sub).mkdir(parents=True, exist_ok=True)
            (location / "cur" / "1.msg:2,S").write_text(f"Subject: in {mailbox.name}\n\nhello\n")
    return paths.account_path(account, foldering)


def write_domain(domain: Domain) -> Path:
    domain.refresh_from_db()
    folder = paths.domain_settings_dir(domain)
    aliases = sorted(domain.aliases.values_list("name", flat=True))
    write_settings(folder / "Domain.settings", {**domain.settings, **({"Aliases": aliases} if aliases else {})})
    rights = {a.name: list(a.rights) for a in domain.accounts.all() if a.rights}
    write_settings(folder / "Access.settings", rights)
    write_settings(folder / "Template.settings", dict(domain.template))
    write_settings(folder / "AccountDefaults.settings", dict(domain.account_defaults))
    write_settings(folder / "AccountPrefs.settings", dict(domain.account_prefs))
    for account in domain.accounts.all():
        write_account(account)
    return paths.domain_dir(domain)


def write_server() -> None:
    folder = paths.settings_dir()
    from domains.selectors import main_domain

    write_settings(folder / "Main.settings", {**documents.read(documents.MAIN), "DomainName": main_domain().name})
    defaults = documents.read(documents.DOMAIN_DEFAULTS)
    account_defaults = documents.read(documents.ACCOUNT_DEFAULTS)
    if account_defaults:
        defaults["AccountDefaults"] = account_defaults
    write_settings(folder / "DomainDefault.settings", defaults)
    write_settings(folder / "AccountPrefs.settings", documents.read(documents.ACCOUNT_PREFS))
    write_settings(folder / "Strings.settings", documents.read(documents.STRINGS))
    write_settings(folder / "Log.settings", documents.read(documents.LOG))


def write_all() -> None:
    """The whole tree as the exporter writes it."""
    write_server()
    for domain in Domain.objects.all():
        write_domain(domain)


def snapshot(base: Path) -> dict[str, bytes | None]:
    """Every file and folder under base with its content: equal snapshots mean nothing changed."""
    return {str(p.relative_to(base)): (p.read_bytes() if p.is_file() else None) for p in sorted(base.rglob("*"))}
