"""Where every object lives in the base directory (spec/basedir.md, "Layout").

The exporter writes there, the queue delivers there, backup and restore read there: one module
says where, so they never disagree."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from accounts.models import Account, Mailbox
    from domains.models import Domain

SINGLE_MAILBOX_SUFFIX = {"TextMailbox": "mbox", "MailDirMailbox": "mdir"}
MAILBOX_SUFFIX = {"mbox": ".mbox", "mdir": ".mdir", "mslc": ".mslc"}


def base() -> Path:
    return Path(settings.CGATE_BASE)


def settings_dir() -> Path:
    return base() / "Settings"


def domain_dir(domain: Domain) -> Path:
    """The Main Domain's accounts are in Accounts/; every other domain has Domains/<punycode>/."""
    if domain.is_main:
        return base() / "Accounts"
    return base() / "Domains" / domain.ascii_name


def domain_settings_dir(domain: Domain) -> Path:
    return domain_dir(domain) / "Settings"


def name_hash(name: str) -> str:
    """A stable hash of an account name for Foldering (hex digits: 16 subfolders a level)."""
    return hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()


def foldering_prefix(name: str, foldering: str) -> Path:
    """`flat`: none; `one-level`: <h1>.sub/; `two-level`: <h1>.sub/<h2>.sub/."""
    digest = name_hash(name)
    if foldering == "one-level":
        return Path(f"{digest[0]}.sub")
    if foldering == "two-level":
        return Path(f"{digest[0]}.sub") / f"{digest[1]}.sub"
    return Path()


def account_storage_kind(account: Account) -> str:
    """macnt for multi-mailbox accounts, mbox/mdir for single-mailbox ones."""
    return SINGLE_MAILBOX_SUFFIX.get(account.kind, "macnt")


def account_path(account: Account, foldering: str = "flat") -> Path:
    """`<name>.macnt` (a folder), or `<name>.mbox` / `<name>.mdir` for single-mailbox accounts."""
    return domain_dir(account.domain) / foldering_prefix(account.name, foldering) / (
        f"{account.name}.{account_storage_kind(account)}"
    )


def account_settings_file(account: Account, foldering: str = "flat") -> Path:
    """account.settings inside a .macnt folder; <name>.settings beside a single mailbox."""
    path = account_path(account, foldering)
    if path.suffix == ".macnt":
        return path / "account.settings"
    return path.with_suffix(".settings")


def account_info_file(account: Account, foldering: str = "flat") -> Path:
    path = account_path(account, foldering)
    if path.suffix == ".macnt":
        return path / "account.info"
    return path.with_suffix(".info")


def account_prefs_file(account: Account, foldering: str = "flat") -> Path:
    path = account_path(account, foldering)
    if path.suffix == ".macnt":
        return path / "account.prefs"
    return path.with_suffix(".prefs")


def mailbox_path(mailbox: Mailbox, foldering: str = "flat") -> Path:
    """A mailbox's file (Text) or folder (MailDir, Sliced). A single-mailbox account's INBOX is
    the account path itself; nested names (a/b) become folders."""
    account_dir = account_path(mailbox.account, foldering)
    if account_dir.suffix != ".macnt":
        return account_dir
    return account_dir / f"{mailbox.name}{MAILBOX_SUFFIX[mailbox.format]}"


def mailbox_bytes(location: Path) -> int:
    """Bytes a mailbox holds on disk: a Text mailbox's file size, or a MailDir's message files."""
    try:
        if location.is_dir():
            total = 0
            for name in ("new", "cur"):
                with contextlib.suppress(FileNotFoundError), os.scandir(location / name) as entries:
                    for entry in entries:
                        with contextlib.suppress(FileNotFoundError):
                            total += entry.stat().st_size
            return total
        return location.stat().st_size
    except FileNotFoundError:
        return 0


def storage_used(account_location: Path, mailboxes: Iterable[tuple[str, str]]) -> int:
    """StorageUsed: the sizes of the account's mailboxes ((name, format) pairs) in its folder, or
    of its single mailbox. account.info carries it, GetAccountInfo answers it, MaxAccountSize
    limits it: one definition for all three."""
    if account_location.suffix != ".macnt":
        return mailbox_bytes(account_location)
    return sum(mailbox_bytes(account_location / f"{name}{MAILBOX_SUFFIX.get(storage, '.mbox')}")
               for name, storage in mailboxes)


def account_foldering(account: Account) -> str:
    """The Foldering setting in force for the account's domain."""
    from domains.selectors import domain_settings_effective

    return str(domain_settings_effective(account.domain)["Foldering"].value)


FILE_STORAGE = "account.web"  # an account's File Storage: a folder in its .macnt folder


def account_files_dir(account: Account, foldering: str = "flat") -> Path:
    """The account's File Storage folder (the Files of WebUser and WebDAV clients)."""
    return account_path(account, foldering) / FILE_STORAGE


def relative(path: Path) -> str:
    """A path inside the base directory as a backup archive names it ('/'-separated)."""
    return path.relative_to(base()).as_posix()
