"""Where every object lives in the base directory (spec/basedir.md, "Layout").

The exporter writes there, the queue delivers there, backup and restore read there: one module
says where, so they never disagree."""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from django.conf import settings

from basedir import nofollow

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


def mailbox_messages(location: Path) -> int:
    """Messages a mailbox holds: a MailDir's message files, or a Text mailbox's `From ` lines (mboxrd
    quotes such a line inside a message, so each one starts a message). No link is followed."""
    try:
        if location.is_dir() and not location.is_symlink():
            total = 0
            for name in ("new", "cur"):
                with contextlib.suppress(FileNotFoundError), os.scandir(location / name) as entries:
                    total += sum(1 for entry in entries if entry.is_file(follow_symlinks=False))
            return total
        fd = nofollow.open_file(location, os.O_RDONLY | os.O_NONBLOCK)
    except (FileNotFoundError, nofollow.SymlinkRefused):
        return 0
    count, tail = 0, b"\n"  # the file's first line starts a message too
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(1 << 20):
            data = tail + chunk
            count += data.count(b"\nFrom ")
            tail = data[-5:]  # shorter than the mark: a mark across two chunks is counted once
    return count


def storage_used(account_location: Path, mailboxes: Iterable[tuple[str, str]]) -> int:
    """StorageUsed: the sizes of the account's mailboxes ((name, format) pairs) in its folder, or
    of its single mailbox. account.info carries it, GetAccountInfo answers it, MaxAccountSize
    limits it: one definition for all three."""
    if account_location.suffix != ".macnt":
        return mailbox_bytes(account_location)
    return sum(mailbox_bytes(account_location / f"{name}{MAILBOX_SUFFIX.get(storage, '.mbox')}")
               for name, storage in mailboxes)


FILE_STORAGE = "account.web"  # an account's File Storage: a folder in its .macnt folder


def account_files_dir(account: Account, foldering: str = "flat") -> Path:
    """The account's File Storage folder (the Files of WebUser and WebDAV clients)."""
    return account_path(account, foldering) / FILE_STORAGE


def relative(path: Path) -> str:
    """A path inside the base directory as a backup archive names it ('/'-separated)."""
    return path.relative_to(base()).as_posix()


SINGLE_MAILBOX_SIDE_FILES = (".settings", ".info", ".prefs")


def account_leaf(name: str, kind: str) -> str:
    """`<name>.macnt`, or `<name>.mbox` / `<name>.mdir` for a single-mailbox account."""
    return f"{name}.{SINGLE_MAILBOX_SUFFIX.get(kind, 'macnt')}"


def account_relative(name: str, kind: str, foldering: str) -> str:
    """The account's place inside its domain's folder, with Foldering's hashed subfolders."""
    return (foldering_prefix(name, foldering) / account_leaf(name, kind)).as_posix()


def account_units(relative: str) -> list[str]:
    """What makes up an account on disk, relative to its domain folder: the .macnt folder, or the
    single mailbox with its .settings, .info and .prefs files beside it."""
    path = PurePosixPath(relative)
    if path.suffix == ".macnt":
        return [relative]
    stem = path.with_suffix("")
    return [relative, *(f"{stem}{suffix}" for suffix in SINGLE_MAILBOX_SIDE_FILES)]


def account_file_paths(domain_folder: Path, relative: str) -> tuple[Path, Path, Path]:
    """(settings, info, prefs) files of an account whose place is relative."""
    path = domain_folder / relative
    if path.suffix == ".macnt":
        return path / "account.settings", path / "account.info", path / "account.prefs"
    return path.with_suffix(".settings"), path.with_suffix(".info"), path.with_suffix(".prefs")


def mailbox_units(name: str, storage: str) -> list[str]:
    """A mailbox's files in its account folder: a Text mailbox with its flags and index beside it,
    or a MailDir / Sliced folder."""
    if storage == "mbox":
        return [f"{name}.mbox", f"{name}.flags", f"{name}.bdx"]
    return [f"{name}{MAILBOX_SUFFIX.get(storage, '.' + storage)}"]
