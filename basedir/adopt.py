"""`basedir adopt`: files an operator edited or copied into the base directory, taken back into the
database through the services (the seed's Backup and Recovery treats the tree as the server's data).

What it takes: server Settings/*.settings, a domain's Settings/ files (Forwarders.settings too) and
its groups' <name>.grp files, an account's account.settings,
account.info and account.prefs (ClearAccountCache and the preferences), and an account folder (or
single mailbox) copied into a domain folder that the database does not know yet: the account is
created, then its settings (the password in its stored form), info, preferences and mailboxes read
from its files. Everything is checked and applied in one transaction: a file that does not parse
is refused with its name, line and column, and nothing is adopted. Rights: the operator (Master)."""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db import transaction

from accounts.models import Account
from basedir import outbox, paths, render
from basedir.archive import Staged
from basedir.check import check
from basedir.nofollow import SymlinkRefused, read_bytes
from basedir.private import OTHER_USERS
from basedir.reload import account_clear_cache
from basedir.render import STORAGE_USED
from basedir.restore import (
    ACCOUNT_KINDS,
    AccountFiles,
    ArchivedAccount,
    reload_domain_documents,
    reload_domain_objects,
    reload_rights,
    reload_server_document,
)
from cgadmin.dataformat import Value
from cgadmin.errors import CGError, GeneralError, InvalidInput
from domains.models import Domain
from domains.selectors import domain_foldering, main_domain_name
from logs.audit import audit
from logs.events import Event
from realms import rights
from realms.permissions import require_server_right

SIDE = (".settings", ".info", ".prefs")
ACCOUNT_FILES = ("account.settings", "account.info", "account.prefs")
NOT_DESCENDED = (".mdir", ".mslc", ".mb4", paths.FILE_STORAGE)  # folders the store owns: listed, not walked


@dataclass(frozen=True)
class Target:
    """One thing to adopt: a server or domain settings file, an account's files, or a new account."""

    kind: str  # server, domain, account, new account
    path: str  # relative to the base directory (an account: its folder or single mailbox)
    domain: Domain | None = None
    name: str = ""  # the file name (server, domain) or the account name

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.path


@dataclass
class Adopted:
    """What adopting one target changed (or, in a dry run, would change)."""

    path: str
    what: str
    details: list[str] = field(default_factory=list)

    def lines(self, *, dry_run: bool = False) -> list[str]:
        verb = "would adopt" if dry_run else "adopted"
        return [f"{verb} {self.what}: {self.path}", *(f"    {detail}" for detail in self.details)]


@dataclass
class AdoptResult:
    adopted: list[Adopted] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False


class _DryRun(Exception):
    """Raised inside the transaction of a dry run, so everything it did rolls back."""


def basedir_adopt(*, actor: Account | None, files: Sequence[str] = (), dry_run: bool = False) -> AdoptResult:
    """Take edited settings files and copied account folders back into the database through the
    services (no files named: every settings file that differs and every account folder the
    database lacks); a dry run lists what would change and changes nothing."""
    require_server_right(actor, rights.MASTER)
    result = AdoptResult(dry_run=dry_run)
    targets = [classify(name) for name in files] if files else _differing(result.notes)
    try:
        with transaction.atomic():
            for target in dict((target.key, target) for target in targets).values():
                result.adopted.append(_adopt(actor, target, result.notes))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    except CGError as error:
        raise type(error)(f"{error.message}: nothing was adopted", field=error.field) from None
    return result


# --- what to adopt -------------------------------------------------------------------------------


def _differing(notes: list[str]) -> list[Target]:
    """Every settings file that differs from what the exporter would write, and every account
    folder in a domain folder that the database lacks."""
    found: list[Target] = []
    for difference in check():
        if difference.problem not in ("differs", "unexpected"):
            continue
        if difference.details and all(detail.startswith(f"#{STORAGE_USED}:") for detail in difference.details):
            continue  # counted from the mailboxes, never stored: the exporter rewrites it
        try:
            target = classify(difference.path)
        except InvalidInput:
            if difference.problem == "unexpected":
                notes.append(f"{difference.path}: not adopted (only settings files and account folders are)")
            continue
        if target.kind == "server" and target.name not in render.SERVER_FILES.values():
            notes.append(f"{difference.path}: not adopted (change it on its WebAdmin page or over the CLI)")
        elif target.kind in ("forwarders", "group") or (difference.problem == "unexpected") == (
                target.kind == "new account"):
            found.append(target)
    return found


def classify(name: str) -> Target:
    """What a path of the base directory (relative, or absolute inside it) is, as something to adopt."""
    relative = _relative(name)
    parts = relative.split("/")
    if parts[0] == "Settings" and len(parts) == 2 and parts[1].endswith(".settings"):
        return Target("server", relative, name=parts[1])
    domain, rest = _domain_of(parts, relative)
    if rest[:1] == ["Settings"] and len(rest) == 2 and rest[1] in render.DOMAIN_FILES:
        return Target("domain", relative, domain, rest[1])
    if rest == ["Settings", render.FORWARDERS_FILE]:
        return Target("forwarders", relative, domain, rest[1])
    if len(rest) == 1 and rest[0].endswith(render.GROUP_SUFFIX) and len(rest[0]) > len(render.GROUP_SUFFIX):
        return Target("group", relative, domain, rest[0][: -len(render.GROUP_SUFFIX)])
    index = 0
    while index < len(rest) - 1 and rest[index].endswith(".sub"):
        index += 1
    stem, dot, suffix = rest[index].rpartition(".") if rest else ("", "", "")
    inside = rest[index + 1:]
    if not (dot and stem) or f".{suffix}" not in (*SIDE, ".macnt", ".mbox", ".mdir") \
            or (suffix != "macnt" and inside) or (inside and inside != [inside[0]]) \
            or (inside and inside[0] not in ACCOUNT_FILES):
        raise InvalidInput(f"{relative} is not a settings file or an account folder: nothing to adopt there")
    folder = "/".join(relative.split("/")[: len(parts) - len(rest) + index])
    if f".{suffix}" in SIDE:  # a single-mailbox account's side file: the account is its mailbox beside it
        suffix = next((kind for kind in ("mbox", "mdir") if (paths.base() / folder / f"{stem}.{kind}").exists()),
                      "")
        if not suffix:
            raise InvalidInput(f"{relative}: no single mailbox {stem}.mbox or {stem}.mdir beside it")
    entry = f"{folder}/{stem}.{suffix}"
    exists = domain.accounts.filter(name=stem.lower()).exists()
    return Target("account" if exists else "new account", entry, domain, stem)


def _relative(name: str) -> str:
    base = paths.base()
    path = Path(name)
    if path.is_absolute():
        try:
            path = path.relative_to(base)
        except ValueError:
            raise InvalidInput(f"{name} is not inside the base directory {base}") from None
    text = PurePosixPath(path.as_posix()).as_posix().strip("/")
    if not text or text == "." or ".." in text.split("/"):
        raise InvalidInput(f"{name!r}: name a file or folder inside the base directory")
    return text


def _domain_of(parts: list[str], relative: str) -> tuple[Domain, list[str]]:
    from domains.names import lookup_domain_key
    from domains.selectors import find_domain, main_domain_or_none

    if parts[0] == "Accounts":
        domain = main_domain_or_none()
        rest = parts[1:]
    elif parts[0] == "Domains" and len(parts) > 1:
        domain = find_domain(lookup_domain_key(parts[1]))
        if domain is not None and paths.domain_dir(domain).name != parts[1]:
            domain = None  # a domain alias's name: not the domain's folder
        rest = parts[2:]
    else:
        raise InvalidInput(f"{relative} is not a settings file or an account folder: nothing to adopt there")
    if domain is None:
        raise InvalidInput(f"{relative}: the database has no domain for this folder (create the domain first)")
    return domain, rest


# --- adopting one target ------------------------------------------------------------------------


def _adopt(actor: Account | None, target: Target, notes: list[str]) -> Adopted:
    if target.kind == "server":
        return _adopt_server_file(actor, target, notes)
    if target.kind == "domain":
        return _adopt_domain_file(actor, target)
    if target.kind == "account":
        return _adopt_account(actor, target)
    if target.kind in ("forwarders", "group"):
        return _adopt_domain_objects(actor, target)
    return _adopt_new_account(actor, target, notes)


def _read(relative: str) -> bytes:
    try:
        return read_bytes(paths.base() / relative)
    except FileNotFoundError:
        raise InvalidInput(f"{relative} does not exist") from None
    except SymlinkRefused:
        raise InvalidInput(f"{relative} is reached through a symbolic link: refused") from None


def _adopt_server_file(actor: Account | None, target: Target, notes: list[str]) -> Adopted:
    if target.name not in render.SERVER_FILES.values():
        raise InvalidInput(f"{target.path}: only the server's settings files ("
                           + ", ".join(sorted(set(render.SERVER_FILES.values())))
                           + ") are adopted; change the others on their WebAdmin page or over the CLI")
    data = _read(target.path)
    values = render.parse_settings_bytes(data, shown=target.path)
    details = list(render.value_differences(data, render.server_file_bytes(target.name), shown=target.path))
    if target.name == render.SERVER_FILES["Main"]:
        shown = values.pop(render.DOMAIN_NAME, None)
        if shown is not None and str(shown) != main_domain_name():
            notes.append(f"{target.path}: DomainName is the Main Domain's name; rename the domain to change it")
    reload_server_document(actor, target.name, values)
    for document in render.server_file_documents(target.name):
        outbox.mark_dirty(outbox.SERVER, document)
    return _record(actor, target, "settings file", details, domain_name="")


def _adopt_domain_file(actor: Account | None, target: Target) -> Adopted:
    assert target.domain is not None
    data = _read(target.path)
    values = render.parse_settings_bytes(data, shown=target.path)
    domain = target.domain
    details = list(render.value_differences(data, render.domain_settings_bytes(domain)[target.name],
                                            shown=target.path))
    if target.name == render.ACCESS_FILE:
        holders = {name.lower(): granted for name, granted in values.items()}
        unknown = sorted(set(holders) - set(domain.accounts.values_list("name", flat=True)))
        if unknown:
            raise InvalidInput(f"{target.path} names accounts {domain.name} does not have: {', '.join(unknown)}")
        for account in domain.accounts.select_related("domain").order_by("name"):
            if holders.get(account.name) or account.rights:
                reload_rights(actor, account, holders.get(account.name))
    else:
        if target.name == render.DOMAIN_FILE and not any(key.lower() == "aliases" for key in values):
            values[render.ALIASES] = []  # the file lists no alias: the domain has none
        reload_domain_documents(actor, domain, {target.name: values})
    outbox.mark_dirty(outbox.DOMAIN, domain.pk)
    return _record(actor, target, "settings file", details, domain_name=domain.name)


def _adopt_domain_objects(actor: Account | None, target: Target) -> Adopted:
    """Settings/Forwarders.settings (the domain's forwarders: those it does not list go) or a group's
    <name>.grp, through the forwarders' and groups' services."""
    assert target.domain is not None
    domain = target.domain
    data = _read(target.path)
    values = render.parse_settings_bytes(data, shown=target.path)
    if target.kind == "forwarders":
        expected = render.domain_settings_bytes(domain).get(render.FORWARDERS_FILE, render.settings_bytes({}))
        found = reload_domain_objects(actor, domain, values, {}, remove_unlisted=True)
        what = "forwarders file"
    else:
        expected = render.group_files(domain).get(f"{target.name}{render.GROUP_SUFFIX}", render.settings_bytes({}))
        found = reload_domain_objects(actor, domain, {}, {target.name.lower(): values})
        what = "group file"
    if found:
        raise InvalidInput("; ".join(found))
    details = list(render.value_differences(data, expected, shown=target.path))
    return _record(actor, target, what, details, domain_name=domain.name)


def _adopt_account(actor: Account | None, target: Target) -> Adopted:
    from accounts.services import account_update_prefs

    assert target.domain is not None
    account = Account.objects.select_related("domain").get(domain=target.domain, name=target.name.lower())
    expected = _expected_account_files(account)
    details: list[str] = []
    parsed: dict[str, dict[str, Value]] = {}
    for path, wanted in zip(paths.account_file_paths(paths.base(), target.path), expected, strict=True):
        shown = paths.relative(path)
        if not path.exists():
            continue
        data = _read(shown)
        parsed[path.suffix] = render.parse_settings_bytes(data, shown=shown)
        if data != wanted:
            details += [f"{path.name}: {line}" for line in render.value_differences(data, wanted, shown=shown)]
    if ".settings" not in parsed:
        raise InvalidInput(f"{target.path}: the account has no settings file to adopt")
    account_clear_cache(actor=actor, account=account)
    _keep_private(paths.account_settings_file(account, domain_foldering(account.domain)))
    if ".prefs" in parsed:
        account.refresh_from_db()
        account_update_prefs(actor=actor, account=account, updates=parsed[".prefs"], replace=True)
    outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    return _record(actor, target, "account files", details, domain_name=account.domain.name)


def _expected_account_files(account: Account) -> tuple[bytes, bytes, bytes]:
    row = Account.objects.filter(pk=account.pk).values(*render.ACCOUNT_FIELDS).get()
    foldering = domain_foldering(account.domain)
    relative = paths.account_relative(account.name, account.kind, foldering)
    return render.account_files_data(row, paths.domain_dir(account.domain), relative,
                                     render.mailboxes_of([account.pk]))


def _adopt_new_account(actor: Account | None, target: Target, notes: list[str]) -> Adopted:
    """A copied account folder: the account created through the services, then read from its files."""
    from accounts.services import account_create

    domain = target.domain
    assert domain is not None
    name = target.name.lower()
    suffix = target.path.rsplit(".", 1)[1]
    foldering = domain_foldering(domain)
    kind = ACCOUNT_KINDS[suffix]
    expected = paths.account_relative(name, kind, foldering)
    domain_folder = paths.domain_dir(domain)
    if (domain_folder / expected) != paths.base() / target.path:
        raise InvalidInput(f"{target.path} is not where the domain's Foldering ({foldering}) keeps account {name}: "
                           f"move it to {paths.relative(domain_folder / expected)} first")
    if name != target.name:
        raise InvalidInput(f"{target.path}: account names are in lower case on disk; rename the folder to "
                           f"{name}.{suffix}")
    staged = _live_staged(target.path)
    source = ArchivedAccount(name, suffix, target.path,
                             {side: f"{target.path.rsplit('.', 1)[0]}{side}" for side in SIDE
                              if staged.has(f"{target.path.rsplit('.', 1)[0]}{side}")})
    for which in ("settings", "info", "prefs"):
        member = source.settings_member(which)
        if member is not None and staged.has(member):
            render.parse_settings_bytes(_read(member), shown=member)  # the line of a bad file, before anything
    if source.settings_member("settings") is None or not staged.has(source.settings_member("settings") or ""):
        raise InvalidInput(f"{target.path} has no account settings file (account.settings or {name}.settings)")
    files = AccountFiles.check(staged, source, None, "account")
    account = account_create(actor=actor, domain=domain, name=name, kind=kind)
    files.reload(actor, account, notes)
    account.refresh_from_db()
    _keep_private(paths.account_settings_file(account, foldering))
    mailboxes = sorted(account.mailboxes.values_list("name", flat=True))
    details = [f"Type: {kind}", "Mailboxes: " + ", ".join(mailboxes)]
    return _record(actor, target, "a new account from its folder", details, domain_name=domain.name)


def _keep_private(settings_file: Path) -> None:
    """An adopted account.settings holds the stored password: once committed, others' bits go (a
    copy made with the operator's umask may have them; the exporter writes it 0640)."""
    def take_bits() -> None:
        with contextlib.suppress(FileNotFoundError):
            if not settings_file.is_symlink():
                mode = stat.S_IMODE(settings_file.stat().st_mode)
                if mode & OTHER_USERS:
                    os.chmod(settings_file, mode & ~OTHER_USERS)

    transaction.on_commit(take_bits)


def _live_staged(entry: str) -> Staged:
    """The account's entry in the base directory as restore's plans read an archive: every name
    under it (mailbox folders and the File Storage listed, not walked), side files beside it."""
    base = paths.base()
    names: dict[str, str] = {}
    location = base / entry
    if location.is_dir() and not location.is_symlink():
        names[entry] = "dir"
        _walk(location, entry, names)
    elif location.is_file():
        names[entry] = "file"
    stem = entry.rsplit(".", 1)[0]
    for side in SIDE:
        if (base / f"{stem}{side}").is_file():
            names[f"{stem}{side}"] = "file"
    if not names:
        raise GeneralError(f"{entry} does not exist")
    return Staged(base, names)


def _walk(folder: Path, prefix: str, names: dict[str, str]) -> None:
    with os.scandir(folder) as entries:
        for item in sorted(entries, key=lambda entry: entry.name):
            name = f"{prefix}/{item.name}"
            if item.is_symlink():
                raise InvalidInput(f"{name} is a symbolic link: refused")
            if item.is_dir(follow_symlinks=False):
                names[name] = "dir"
                if not item.name.endswith(NOT_DESCENDED):
                    _walk(Path(item.path), name, names)
            elif item.is_file(follow_symlinks=False):
                names[name] = "file"


def _record(actor: Account | None, target: Target, what: str, details: list[str], *, domain_name: str) -> Adopted:
    audit(actor=actor, event=Event.BASEDIR_ADOPT, object_type="basedir", object_name=target.path,
          domain_name=domain_name, after={"Adopted": what, "Differences": list[Value](details)})
    return Adopted(target.path, what, details)
