"""`basedir check`: the tree compared with the database, every difference listed.

It renders what every file must hold (basedir.render, as the exporter does) and where every folder
must be (the database's names and Foldering, not where the exporter last put them), and reports
files missing or different, folders no object owns, mailbox files no mailbox owns (a RenameMailbox
or DeleteMailbox not yet exported), what a crashed write left behind, secrets other users may
read (basedir.private), and symbolic links below the top-level folders (basedir.nofollow).
Mailbox contents are the mail store's, not compared; every mailbox must have its file or folder
(the exporter makes it empty when the mailbox is created). A Text mailbox is its .mbox file: the
.flags and .bdx files a CommuniGate server keeps beside it are never written here, and are moved
and removed with the mailbox when a restore brought them (README, "Mailbox formats")."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from basedir import paths, render
from basedir.files import is_removed_leftover, is_temporary
from basedir.layout import TOP_FOLDERS
from basedir.nofollow import links_below
from basedir.paths import account_file_paths, account_relative, mailbox_units, storage_used
from basedir.private import exposed_secrets, readable_by_others
from basedir.render import (
    ACCOUNT_FIELDS,
    account_files_data,
    domain_settings_bytes,
    group_files,
    mailboxes_of,
    server_file_bytes,
    value_differences,
)
from domains.selectors import domain_foldering

ACCOUNT_SUFFIXES = (".macnt", ".mbox", ".mdir")
SIDE_SUFFIXES = (".settings", ".info", ".prefs")
MAILBOX_FILE_SUFFIXES = (".mbox", ".flags", ".bdx", ".mdir", ".mslc", ".mb4")
UNSERVED = (".mslc", ".mb4")  # CommuniGate's Sliced and 4th-version folders: kept by a restore, never served here
DOMAIN_FOLDER_KEEPS = frozenset({"Settings", "WebSkins"})
SYMBOLIC_LINK = "symbolic link"  # below a top-level folder: never followed, so never what it should be
READABLE_BY_OTHERS = "readable by others"  # a file or folder holding secrets, open to other users


@dataclass(frozen=True)
class Difference:
    path: str  # relative to the base directory
    problem: str  # missing, differs, unexpected, leftover, readable by others, symbolic link
    # differs: each key whose value differs, with the file's and the database's ("Key: file X, database Y")
    details: tuple[str, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.problem}: {self.path}"

    def lines(self) -> list[str]:
        """The difference, then its details indented (what `basedir check` prints)."""
        return [str(self), *(f"    {detail}" for detail in self.details)]


def _relative(path: Path) -> str:
    return path.relative_to(paths.base()).as_posix()


def _shown(path: Path) -> str:
    """Relative to the base directory when inside it (a state folder elsewhere: the whole path)."""
    try:
        return _relative(path)
    except ValueError:
        return str(path)


def _compare(path: Path, expected: bytes, out: list[Difference]) -> None:
    try:
        actual = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        out.append(Difference(_relative(path), "missing"))
        return
    if actual != expected:
        shown = _relative(path)
        out.append(Difference(shown, "differs", value_differences(actual, expected, shown=shown)))


def domain_folder_entries(folder: Path, foldering: str) -> Iterator[tuple[str, str]]:
    """What lies in a domain folder, relative to it, as (path, kind): kind is account (a folder or
    single mailbox with its side files), temporary, removed (a crashed write's or removal's
    leftovers), or misplaced (a hashed subfolder the Foldering does not use). Settings/ and
    WebSkins/ and anything else unknown are left out."""
    depth = {"one-level": 1, "two-level": 2}.get(foldering, 0)
    yield from _entries(folder, "", depth)


def _names(folder: Path) -> list[str]:
    """A folder's entries in order; none when there is no such folder."""
    try:
        return sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []


def _entries(folder: Path, prefix: str, depth: int) -> Iterator[tuple[str, str]]:
    for name in _names(folder):
        relative = f"{prefix}{name}"
        if is_temporary(name):
            yield relative, "temporary"
        elif is_removed_leftover(name):
            yield relative, "removed"
        elif not prefix and name in DOMAIN_FOLDER_KEEPS:
            continue
        elif name.endswith(".sub") and (folder / name).is_dir():
            if depth > 0:
                yield from _entries(folder / name, f"{relative}/", depth - 1)
            else:
                yield relative, "misplaced"
        elif name.endswith(ACCOUNT_SUFFIXES) or name.endswith(SIDE_SUFFIXES):
            yield relative, "account"


def check() -> list[Difference]:
    """Every difference between the base directory and the database (empty: in sync)."""
    from domains.models import Domain
    from server.models import ServerDocument

    out: list[Difference] = []
    base = paths.base()
    for name in TOP_FOLDERS:
        if not (base / name).is_dir():
            out.append(Difference(name, "missing"))
    expected_settings = render.server_file_names(ServerDocument.objects.values_list("name", flat=True))
    for file_name in expected_settings:
        _compare(paths.settings_dir() / file_name, server_file_bytes(file_name), out)
    _check_flat_folder(paths.settings_dir(), set(expected_settings), out)
    domain_names = set()
    for domain in Domain.objects.order_by("name"):
        _check_domain(domain, out)
        if not domain.is_main:
            domain_names.add(domain.ascii_name)
    domains_folder = base / "Domains"
    for name in sorted(os.listdir(domains_folder)) if domains_folder.is_dir() else []:
        if is_temporary(name) or is_removed_leftover(name):
            out.append(Difference(f"Domains/{name}", "leftover"))
        elif name not in domain_names and (domains_folder / name).is_dir():
            out.append(Difference(f"Domains/{name}", "unexpected"))
    out += [Difference(_shown(path), READABLE_BY_OTHERS) for path in exposed_secrets()]
    for name in TOP_FOLDERS:  # the top-level folders may be links; nothing below them may
        out += [Difference(_relative(path), SYMBOLIC_LINK) for path in links_below(base / name)]
    return out


def settings_differences() -> list[Difference]:
    """The server's and every domain's settings files that differ from the database (a cheap part of
    check, for the start: no account is read)."""
    from domains.models import Domain
    from server.models import ServerDocument

    out: list[Difference] = []
    for file_name in render.server_file_names(ServerDocument.objects.values_list("name", flat=True)):
        _compare(paths.settings_dir() / file_name, server_file_bytes(file_name), out)
    for domain in Domain.objects.order_by("name"):
        for name, data in domain_settings_bytes(domain).items():
            _compare(paths.domain_dir(domain) / "Settings" / name, data, out)
    return [difference for difference in out if difference.problem == "differs"]


def _check_mailboxes_exist(location: Path, mailboxes: list, out: list[Difference]) -> None:
    """Every mailbox of the account has its file or folder (a single-mailbox account: itself)."""
    if location.suffix == ".macnt" and not location.is_dir():
        return  # the account folder itself is reported
    for _id, name, storage in mailboxes:
        path = location / mailbox_units(name, storage)[0] if location.suffix == ".macnt" else location
        if not (path.is_dir() if storage != "mbox" else path.is_file()):
            out.append(Difference(_relative(path), "missing", (
                f"mailbox {name} has no {'file' if storage == 'mbox' else 'folder'}: the exporter makes it empty "
                "when the mailbox is created, `basedir export --full` when it was lost",)))


STORAGE_DIFFERS = "storage used differs"


def storage_differences() -> list[Difference]:
    """Accounts whose storage_used (the Accounts list's column) is not what their mailbox files hold.
    Not a difference of the tree: the exporter corrects the column as it counts (`basedir export
    --full` for all), ClearAccountCache recounts one account."""
    from accounts.models import Account
    from domains.models import Domain

    out: list[Difference] = []
    for domain in Domain.objects.order_by("name"):
        folder, foldering = paths.domain_dir(domain), domain_foldering(domain)
        last = 0
        while rows := list(Account.objects.filter(domain=domain, pk__gt=last).order_by("pk")
                           .values_list("id", "name", "kind", "storage_used")[:2000]):
            last = rows[-1][0]
            mailboxes = mailboxes_of(row[0] for row in rows)
            for account_id, name, kind, column in rows:
                location = folder / account_relative(name, kind, foldering)
                used = storage_used(location, [(box, storage) for _id, box, storage in mailboxes.get(account_id, [])])
                if used != column:
                    out.append(Difference(_relative(location), STORAGE_DIFFERS, (
                        f"StorageUsed: files {used}, database {column} (basedir export --full corrects it)",)))
    return out


def _check_mailbox_files(account_folder: Path, mailboxes: list, out: list[Difference]) -> None:
    """Mailbox files in an account folder that none of its mailboxes owns."""
    owned = {unit for _id, name, storage in mailboxes for unit in mailbox_units(name, storage)}
    for relative in _mailbox_files(account_folder, ""):
        if relative not in owned:
            why = ("a Sliced or 4th-version mailbox: CommuniGate's own format, which this server does not store; "
                   "its files are kept, the mailbox is not listed",) if relative.endswith(UNSERVED) else ()
            out.append(Difference(_relative(account_folder / relative), "unexpected", why))


def _mailbox_files(folder: Path, prefix: str) -> Iterator[str]:
    """Mailbox files and folders under an account folder (a mailbox named a/b is a/b.mbox), relative
    to it; the inside of a MailDir or sliced mailbox is the store's."""
    for name in _names(folder):
        relative = f"{prefix}{name}"
        if name.endswith(MAILBOX_FILE_SUFFIXES):
            yield relative
        elif not (is_temporary(name) or is_removed_leftover(name)) and (folder / name).is_dir():
            yield from _mailbox_files(folder / name, f"{relative}/")


def _check_flat_folder(folder: Path, expected: set[str], out: list[Difference]) -> None:
    for name in sorted(os.listdir(folder)) if folder.is_dir() else []:
        if is_temporary(name):
            out.append(Difference(_relative(folder / name), "leftover"))
        elif name.endswith(".settings") and name not in expected:
            out.append(Difference(_relative(folder / name), "unexpected"))


def _check_lists(folder: Path, domain, out: list[Difference]) -> None:
    """The domain's mailing lists: each list folder's two files, and no folder of a list that is gone."""
    from lists.render import LIST_SUFFIX, LISTS_FOLDER, domain_list_files

    files = domain_list_files(domain)
    for relative, data in files.items():
        _compare(folder / relative, data, out)
    folders = {relative.split("/")[1] for relative in files}
    for name in _names(folder / LISTS_FOLDER):
        if is_temporary(name) or is_removed_leftover(name):
            out.append(Difference(_relative(folder / LISTS_FOLDER / name), "leftover"))
        elif name.endswith(LIST_SUFFIX) and name not in folders:
            out.append(Difference(_relative(folder / LISTS_FOLDER / name), "unexpected"))


def _check_domain(domain, out: list[Difference]) -> None:
    from accounts.models import Account

    folder = paths.domain_dir(domain)
    if not folder.is_dir():
        out.append(Difference(_relative(folder), "missing"))
        return
    settings_files = domain_settings_bytes(domain)
    for name, data in settings_files.items():
        _compare(folder / "Settings" / name, data, out)
    _check_flat_folder(folder / "Settings", set(settings_files), out)
    groups = group_files(domain)
    for name, data in groups.items():
        _compare(folder / name, data, out)
    for name in _names(folder):
        if name.endswith(render.GROUP_SUFFIX) and name not in groups:
            out.append(Difference(_relative(folder / name), "unexpected"))
    _check_lists(folder, domain, out)
    foldering = domain_foldering(domain)
    expected: set[str] = set()
    last = 0
    while True:
        rows = list(Account.objects.filter(domain=domain, pk__gt=last).order_by("pk").values(*ACCOUNT_FIELDS)[:2000])
        if not rows:
            break
        last = rows[-1]["id"]
        mailboxes = mailboxes_of(row["id"] for row in rows)
        for row in rows:
            relative = account_relative(row["name"], row["kind"], foldering)
            expected.add(relative)
            if not relative.endswith(".macnt"):
                stem = relative.rsplit(".", 1)[0]
                expected.update(f"{stem}{suffix}" for suffix in SIDE_SUFFIXES)
            files = account_file_paths(folder, relative)
            for path, data in zip(files, account_files_data(row, folder, relative, mailboxes), strict=True):
                _compare(path, data, out)
            if readable_by_others(files[0]):  # the stored password
                out.append(Difference(_relative(files[0]), READABLE_BY_OTHERS))
            _check_mailboxes_exist(folder / relative, mailboxes.get(row["id"], []), out)
            if relative.endswith(".macnt"):
                account_folder = files[0].parent
                for name in os.listdir(account_folder) if account_folder.is_dir() else []:
                    if is_temporary(name):
                        out.append(Difference(_relative(account_folder / name), "leftover"))
                _check_mailbox_files(account_folder, mailboxes.get(row["id"], []), out)
    for relative, kind in domain_folder_entries(folder, foldering):
        if kind in ("temporary", "removed"):
            out.append(Difference(_relative(folder / relative), "leftover"))
        elif kind == "misplaced" or relative not in expected:
            out.append(Difference(_relative(folder / relative), "unexpected"))
