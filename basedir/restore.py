"""What each kind of restore takes from an archive, checks, and applies (seed, "Backup and Recovery").

A plan has three steps: `select` (which archive members to stage), `validate` (everything that
can be checked before any file moves: the object is there, settings files parse, types match)
and `apply` (inside the restore's transaction: files put in place through the Swap, then the
database reloaded through the services). basedir.services runs them and undoes on failure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from accounts.models import Account
from accounts.services import MAILBOX_CLASSES  # account.info: {name = class;} of non-mail mailboxes
from accounts.usage import recount_storage
from basedir import paths
from basedir.archive import Staged, Swap
from basedir.layout import PROCESS_ID
from basedir.reload import account_clear_cache
from basedir.render import FORWARDERS_FILE, GROUP_SUFFIX
from cgadmin.dataformat import DataFormatError, Value, load_settings_file
from cgadmin.errors import AlreadyExists, CGError, GeneralError, InvalidInput
from domains.models import Domain
from domains.selectors import account_foldering
from forwarders.models import Forwarder
from forwarders.selectors import find_forwarder
from forwarders.services import forwarder_create, forwarder_delete
from groups.selectors import find_group
from groups.services import group_create, group_set
from lists.render import LIST_SUFFIX, LISTS_FOLDER
from lists.render import SETTINGS_FILE as LIST_SETTINGS_FILE
from lists.render import SUBSCRIBERS_FILE as LIST_SUBSCRIBERS_FILE
from lists.services import list_load
from mailrules.rules import KEYS, SERVER_DOCUMENTS
from mailrules.services import server_rules_set

SIDE_FILES = (".settings", ".info", ".prefs")
ACCOUNT_KINDS = {"macnt": "MultiMailbox", "mbox": "TextMailbox", "mdir": "MailDirMailbox"}
MAILBOX_FORMATS = {"mbox": "mbox", "mdir": "mdir", "mslc": "mslc"}
UNSERVED_FORMATS = {"mslc": "Sliced (.mslc)", "mb4": "4th-version (.mb4)"}  # CommuniGate's own: kept, not served
WHOLE_FOLDERS = (".mdir", ".mslc", ".mb4")  # MailDir, Sliced and 4th-version mailboxes: restored whole
FORBIDDEN = {
    "Queue": "Queue/ is never restored: its messages would be delivered twice",
    "Submitted": "Submitted/ is never restored: its messages would be submitted twice",
    "BadFiles": "BadFiles/ is never restored: it only holds files the server could not parse",
    PROCESS_ID: "ProcessID is never restored: it only names a server process that once ran",
}
STATE = "cgadmin"
DEFAULT = "default"


@dataclass
class RestoreResult:
    what: str
    files: int = 0
    notes: list[str] = field(default_factory=list)


def forbidden(name: str) -> str | None:
    """Why this archive member must never be restored, or None."""
    top = name.split("/", 1)[0]
    if top == STATE:
        return "cgadmin/ (the embedded database and queue state) is not restored from a base-directory backup"
    return FORBIDDEN.get(top)


def whole_folder(name: str) -> bool:
    return name.endswith(WHOLE_FOLDERS)


def parse_member(staged: Staged, name: str) -> dict[str, Value]:
    """A staged settings file's dictionary, or InvalidInput naming the archive member."""
    try:
        text = staged.path(name).read_text("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{name} in the archive is not UTF-8 text: nothing was restored") from None
    try:
        return load_settings_file(text)
    except DataFormatError as error:
        raise InvalidInput(f"{name} in the archive does not parse ({error}): nothing was restored") from None


def replacement(current: Mapping[str, Value], new: Mapping[str, Value]) -> dict[str, Value]:
    """An update that makes current equal new: keys new lacks go back to their defaults."""
    return {**{key: DEFAULT for key in current if key not in new}, **new}


# --- where things are in an archive --------------------------------------------------------------


def domain_prefix(domain_name: str) -> str:
    """The domain's folder as an archive names it: Accounts for the Main Domain, Domains/<punycode>."""
    from domains.names import lookup_domain_key
    from domains.selectors import find_domain

    key = lookup_domain_key(domain_name)
    domain = find_domain(key)
    if domain is not None:
        return "Accounts" if domain.is_main else f"Domains/{domain.ascii_name}"
    try:
        return f"Domains/{key.encode('idna').decode('ascii')}"
    except UnicodeError:
        raise InvalidInput(f"{domain_name!r} is not a valid domain name") from None


@dataclass(frozen=True)
class MemberPlace:
    """A member inside a domain folder: the account it belongs to and the path inside it."""

    stem: str  # the account name
    suffix: str  # macnt, mbox, mdir, or a side file's settings/info/prefs
    entry: str  # the member name of the account folder, single mailbox or side file
    rest: str  # the path inside the account folder ("" for the entry itself)


def place(name: str, prefix: str) -> MemberPlace | None:
    """Which account of the domain folder `prefix` this member belongs to (Foldering's .sub skipped)."""
    if not name.startswith(prefix + "/"):
        return None
    parts = name[len(prefix) + 1:].split("/")
    index = 0
    while index < len(parts) - 1 and parts[index].endswith(".sub"):
        index += 1
    first = parts[index]
    if index == 0 and first in ("Settings", "WebSkins"):
        return None
    stem, dot, suffix = first.rpartition(".")
    if not dot or not stem or (suffix not in ACCOUNT_KINDS and f".{suffix}" not in SIDE_FILES):
        return None
    if f".{suffix}" in SIDE_FILES and index != len(parts) - 1:
        return None
    entry = "/".join([prefix, *parts[: index + 1]])
    return MemberPlace(stem, suffix, entry, "/".join(parts[index + 1:]))


@dataclass
class ArchivedAccount:
    name: str
    kind: str = ""  # macnt, mbox or mdir
    entry: str = ""
    side: dict[str, str] = field(default_factory=dict)  # ".settings" -> member (single-mailbox accounts)

    def settings_member(self, which: str) -> str | None:
        """The member holding account.<which> (settings, info, prefs), if the archive has it."""
        if self.kind == "macnt":
            return f"{self.entry}/account.{which}"
        return self.side.get(f".{which}")


def archived_accounts(names: Mapping[str, str], prefix: str) -> dict[str, ArchivedAccount]:
    found: dict[str, ArchivedAccount] = {}
    for name in names:
        spot = place(name, prefix)
        if spot is None:
            continue
        account = found.setdefault(spot.stem, ArchivedAccount(spot.stem))
        if spot.suffix in ACCOUNT_KINDS:
            account.kind, account.entry = spot.suffix, spot.entry
        else:
            account.side[f".{spot.suffix}"] = spot.entry
    return {name: account for name, account in found.items() if account.kind}


def archived_mailboxes(names: Mapping[str, str], entry: str) -> dict[str, tuple[str, str]]:
    """The mailboxes in an archived .macnt folder: name -> (format, member)."""
    found: dict[str, tuple[str, str]] = {}
    cut = entry + "/"
    for name, kind in names.items():
        if not name.startswith(cut):
            continue
        parts = name[len(cut):].split("/")
        for index, part in enumerate(parts):
            stem, dot, suffix = part.rpartition(".")
            if dot and stem and suffix in (*MAILBOX_FORMATS, "mb4"):
                if index == len(parts) - 1 and (kind == "file") != (suffix == "mbox"):
                    break
                if index == 0 and part == paths.FILE_STORAGE:
                    break
                found["/".join([*parts[:index], stem])] = (suffix, cut + "/".join(parts[: index + 1]))
                break
            if index == 0 and part == paths.FILE_STORAGE:
                break
    return found


def mailbox_classes(info: Mapping[str, Value]) -> dict[str, str]:
    raw = info.get(f"#{MAILBOX_CLASSES}", info.get(MAILBOX_CLASSES)) or {}
    return {str(key): str(value) for key, value in raw.items()} if isinstance(raw, dict) else {}


def _account_address_parts(source: str, default_domain: str) -> tuple[str, str]:
    from realms.permissions import split_address

    name, domain = split_address(source, default_domain)
    return name.strip().lower(), domain


def _find_archived_account(staged: Staged, prefix: str, name: str, shown: str) -> ArchivedAccount:
    accounts = archived_accounts(staged.names, prefix)
    found = accounts.get(name)
    if found is None:
        held = ", ".join(sorted(accounts)) or "none"
        raise InvalidInput(f"the archive holds no account {shown} (accounts of that domain in it: {held})")
    return found


# --- accounts ----------------------------------------------------------------------------------


@dataclass
class AccountFiles:
    """An archived account checked against the account it is restored into."""

    source: ArchivedAccount
    prefs: dict[str, Value] | None = None
    classes: dict[str, str] = field(default_factory=dict)
    mailboxes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def check(cls, staged: Staged, source: ArchivedAccount, target: Account | None, kind: str) -> AccountFiles:
        """Every settings file parses, the storage kinds agree, no mailbox changes format."""
        if target is not None and target.storage_kind != source.kind:
            raise InvalidInput(f"the archive's {source.name} is a {ACCOUNT_KINDS[source.kind]} account and "
                               f"{target.address} a {target.kind} one: restore into an account of the same type")
        parsed: dict[str, dict[str, Value]] = {}
        for which in ("settings", "info", "prefs"):
            member = source.settings_member(which)
            if member is not None and staged.has(member):
                parsed[which] = parse_member(staged, member)
        files = cls(source, parsed.get("prefs"), mailbox_classes(parsed.get("info", {})))
        if source.kind == "macnt":
            files.mailboxes = archived_mailboxes(staged.names, source.entry)
        if target is not None:
            rows = dict(target.mailboxes.values_list("name", "format"))
            for name, (fmt, _) in files.mailboxes.items():
                if name in rows and rows[name] != fmt:
                    raise InvalidInput(
                        f"mailbox {name} is {fmt} in the archive and {rows[name]} on {target.address}: restore it "
                        "as a mailbox under a new name instead")
        return files

    def put(self, staged: Staged, swap: Swap, target: Account) -> int:
        """Move the account's files into place: a folder merged (mailbox folders whole), or a
        single mailbox with the files beside it."""
        location = paths.account_path(target, account_foldering(target))
        source = staged.path(self.source.entry)
        if self.source.kind == "macnt":
            if location.is_dir():
                swap.merge(source, location, whole=whole_folder)
            else:
                swap.put(source, location)
            return len(staged.files_under(self.source.entry))
        swap.put(source, location)
        for suffix, member in self.source.side.items():
            swap.put(staged.path(member), location.with_suffix(suffix))
        return 1 + len(self.source.side) + len(staged.files_under(self.source.entry))

    def reload(self, actor: Account | None, target: Account, notes: list[str]) -> None:
        """ClearAccountCache, then the preferences and the mailbox list, from the restored files."""
        from accounts.services import account_update_prefs, mailbox_create

        account_clear_cache(actor=actor, account=target)
        target.refresh_from_db()
        if self.prefs is not None:
            account_update_prefs(actor=actor, account=target, updates=self.prefs, replace=True)
        known = set(target.mailboxes.values_list("name", flat=True))
        for name, (fmt, _) in sorted(self.mailboxes.items()):
            if name in known:
                continue
            if fmt in UNSERVED_FORMATS:
                notes.append(f"{target.address}: mailbox {name} is in the {UNSERVED_FORMATS[fmt]} format, which this "
                             "server does not store; its files are kept but it is not listed")
                continue
            mailbox_create(actor=actor, account=target, name=name, mailbox_class=self.classes.get(name, ""),
                           mailbox_format=MAILBOX_FORMATS[fmt])
        recount_storage(target)  # with the mailboxes just listed


class Plan:
    domain_name = ""

    def select(self, name: str) -> bool:
        raise NotImplementedError

    def validate(self, staged: Staged) -> None:
        raise NotImplementedError

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        raise NotImplementedError


class AccountPlan(Plan):
    """An Account is restored only into an existing Account, then its cache is cleared."""

    def __init__(self, *, account: Account, source: str) -> None:
        self.account, self.shown = account, source
        self.name, domain = _account_address_parts(source, account.domain.name)
        self.prefix = domain_prefix(domain)
        self.domain_name = account.domain.name
        self.files: AccountFiles | None = None

    def select(self, name: str) -> bool:
        spot = place(name, self.prefix)
        return spot is not None and spot.stem == self.name

    def validate(self, staged: Staged) -> None:
        source = _find_archived_account(staged, self.prefix, self.name, self.shown)
        self.files = AccountFiles.check(staged, source, self.account, "account")

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        assert self.files is not None
        result = RestoreResult(f"account {self.account.address}")
        result.files = self.files.put(staged, swap, self.account)
        self.files.reload(actor, self.account, result.notes)
        return result


class _AccountPartPlan(Plan):
    """Something inside one archived account (a mailbox, the File Storage)."""

    def __init__(self, *, account: Account, source: str) -> None:
        self.account, self.shown = account, source
        self.name, domain = _account_address_parts(source, account.domain.name)
        self.prefix = domain_prefix(domain)
        self.domain_name = account.domain.name

    def wanted(self, rest: str) -> bool:
        raise NotImplementedError

    def select(self, name: str) -> bool:
        spot = place(name, self.prefix)
        return spot is not None and spot.stem == self.name and spot.suffix == "macnt" and self.wanted(spot.rest)

    def source(self, staged: Staged) -> ArchivedAccount:
        source = _find_archived_account(staged, self.prefix, self.name, self.shown)
        if source.kind != "macnt" or self.account.storage_kind != "macnt":
            raise InvalidInput("single-mailbox accounts are restored whole (restore account)")
        return source


class MailboxPlan(_AccountPartPlan):
    """A Mailbox is restored as a copy under a new name by default, so its user finds the lost
    messages there; non-mail mailboxes only over an existing mailbox of the same type."""

    def __init__(self, *, account: Account, source: str, mailbox: str, new_name: str | None, over: bool) -> None:
        from accounts.services import normalize_mailbox_name

        super().__init__(account=account, source=source)
        self.mailbox = normalize_mailbox_name(mailbox)
        self.new_name = normalize_mailbox_name(new_name) if new_name else None
        self.over = over
        self.found: tuple[str, str] = ("", "")
        self.mailbox_class = ""
        self.target = ""

    def wanted(self, rest: str) -> bool:
        if rest == "account.info":
            return True
        stem, dot, tail = rest.partition(".")
        while stem != self.mailbox and dot and "/" in tail:  # nested names: a/b.mbox
            head, dot, tail = tail.partition(".")
            stem = f"{stem}.{head}"
        if stem != self.mailbox:
            return False
        kind = tail.split("/", 1)[0]
        return kind in (*MAILBOX_FORMATS, "mb4", "flags")

    def validate(self, staged: Staged) -> None:
        source = self.source(staged)
        mailboxes = archived_mailboxes(staged.names, source.entry)
        if self.mailbox not in mailboxes:
            raise InvalidInput(f"the archive holds no mailbox {self.mailbox} of {self.shown} "
                               f"(it holds: {', '.join(sorted(mailboxes)) or 'none'})")
        self.found = mailboxes[self.mailbox]
        if self.found[0] in UNSERVED_FORMATS:
            raise InvalidInput(f"{self.mailbox} is a {UNSERVED_FORMATS[self.found[0]]} mailbox, a format this server "
                               "does not store: it is restored only with its whole account, kept but not listed")
        info_member = f"{source.entry}/account.info"
        info = parse_member(staged, info_member) if staged.has(info_member) else {}
        self.mailbox_class = mailbox_classes(info).get(self.mailbox, "")
        rows = {row.name: row for row in self.account.mailboxes.all()}
        if self.over:
            self.target = self.new_name or self.mailbox
            row = rows.get(self.target)
            if row is None:
                raise InvalidInput(f"{self.account.address} has no mailbox {self.target} to restore over: create it "
                                   "first (WebMail or the CLI's CreateMailbox)")
            if row.mailbox_class != self.mailbox_class:
                raise InvalidInput(
                    f"mailbox {self.target} is of type {row.mailbox_class or 'mail'} and the archived one of type "
                    f"{self.mailbox_class or 'mail'}: restore over a mailbox of the same type")
            if row.format != self.found[0]:
                raise InvalidInput(f"mailbox {self.target} is {row.format} and the archived one {self.found[0]}: "
                                   "restore it under a new name instead")
            return
        if self.mailbox_class:
            raise InvalidInput(
                f"{self.mailbox} is a non-mail mailbox ({self.mailbox_class}): its type is kept in account.info, so "
                "it is restored only over an existing mailbox of the same type (create an empty one, then --over)")
        self.target = self.new_name or f"{self.mailbox} (restored)"
        if self.target in rows:
            raise AlreadyExists(f"{self.account.address} already has a mailbox {self.target}: choose another name "
                                "(--as), or restore over it (--over)", field="mailbox")

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        from accounts.services import mailbox_create

        fmt, member = self.found
        if self.over:
            row = self.account.mailboxes.get(name=self.target)
        else:
            row = mailbox_create(actor=actor, account=self.account, name=self.target, mailbox_format=fmt)
        location = paths.mailbox_path(row, account_foldering(self.account))
        swap.put(staged.path(member), location)
        files = 1 + len(staged.files_under(member))
        flags = member[: -len(fmt)] + "flags"
        if fmt == "mbox" and staged.has(flags):
            swap.put(staged.path(flags), location.with_suffix(".flags"))
            files += 1
        if location.with_suffix(".bdx").exists():
            swap.remove(location.with_suffix(".bdx"))  # the index no longer matches: the server rebuilds it
        recount_storage(self.account)
        result = RestoreResult(f"mailbox {self.target} of {self.account.address}", files)
        result.notes.append("some client applications need to reconnect to see the restored mailbox")
        return result


class FilesPlan(_AccountPartPlan):
    """Files are restored into the account's File Storage; files not in the archive stay."""

    def wanted(self, rest: str) -> bool:
        return rest == paths.FILE_STORAGE or rest.startswith(paths.FILE_STORAGE + "/")

    def validate(self, staged: Staged) -> None:
        self.member = f"{self.source(staged).entry}/{paths.FILE_STORAGE}"
        if not staged.has(self.member):
            raise InvalidInput(f"the archive holds no File Storage of {self.shown}")

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        target = paths.account_files_dir(self.account, account_foldering(self.account))
        if target.is_dir():
            swap.merge(staged.path(self.member), target, whole=lambda name: False)
        else:
            swap.put(staged.path(self.member), target)
        result = RestoreResult(f"File Storage of {self.account.address}", len(staged.files_under(self.member)))
        result.notes.append("some client applications need to reconnect to see the restored files")
        return result


# --- domains -----------------------------------------------------------------------------------

DOMAIN_FILES = ("Domain.settings", "Access.settings", "Template.settings", "AccountDefaults.settings",
                "AccountPrefs.settings")


class DomainPlan(Plan):
    """A Domain, under its name or another one, with its settings and every account reloaded."""

    def __init__(self, *, name: str, new_name: str | None) -> None:
        from domains.names import lookup_domain_key
        from domains.selectors import find_domain

        self.prefix = domain_prefix(name)
        self.domain_name = lookup_domain_key(new_name or name)
        if self.prefix == "Accounts" and new_name and find_domain(self.domain_name) != find_domain(name):
            raise InvalidInput("the Main Domain is restored under its own name only")
        self.new_name = new_name
        self.accounts: dict[str, tuple[ArchivedAccount, AccountFiles]] = {}
        self.documents: dict[str, dict[str, Value]] = {}
        self.forwarders: dict[str, Value] = {}
        self.groups: dict[str, dict[str, Value]] = {}
        self.lists: dict[str, tuple[dict[str, Value], dict[str, Value]]] = {}  # name: (settings, subscribers)

    def select(self, name: str) -> bool:
        return name == self.prefix or name.startswith(self.prefix + "/")

    def target(self) -> Domain | None:
        from domains.selectors import find_domain

        return find_domain(self.domain_name)

    def validate(self, staged: Staged) -> None:
        if not any(self.select(name) for name in staged.names):
            raise InvalidInput(f"the archive holds no domain folder {self.prefix}/")
        domain = self.target()
        for file in DOMAIN_FILES:
            member = f"{self.prefix}/Settings/{file}"
            if staged.has(member):
                self.documents[file] = parse_member(staged, member)
        for name, source in sorted(archived_accounts(staged.names, self.prefix).items()):
            existing = domain.accounts.filter(name=name).first() if domain is not None else None
            self.accounts[name] = (source, AccountFiles.check(staged, source, existing, "account"))
        member = f"{self.prefix}/Settings/{FORWARDERS_FILE}"
        if staged.has(member):
            self.forwarders = parse_member(staged, member)
        for member in sorted(staged.names):
            head, _, leaf = member.rpartition("/")
            if head == self.prefix and leaf.endswith(GROUP_SUFFIX) and staged.names[member] == "file":
                self.groups[leaf[: -len(GROUP_SUFFIX)]] = parse_member(staged, member)
            folder, _, list_leaf = head.rpartition("/")
            if (folder == f"{self.prefix}/{LISTS_FOLDER}" and list_leaf.endswith(LIST_SUFFIX)
                    and leaf == LIST_SETTINGS_FILE and staged.names[member] == "file"):
                subscribers = f"{head}/{LIST_SUBSCRIBERS_FILE}"
                self.lists[list_leaf[: -len(LIST_SUFFIX)]] = (
                    parse_member(staged, member), parse_member(staged, subscribers) if staged.has(subscribers) else {})

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        from domains.services import domain_create

        domain = self.target()
        result = RestoreResult(f"domain {self.domain_name}")
        if domain is None:
            domain = domain_create(actor=actor, name=self.domain_name)
            result.notes.append(f"domain {domain.name} created")
        self._reload_domain(actor, domain, result)
        for folder in ("Settings", "WebSkins"):
            member = f"{self.prefix}/{folder}"
            if staged.has(member):
                target = paths.domain_dir(domain) / folder
                if target.is_dir():
                    swap.merge(staged.path(member), target, whole=lambda name: False)
                else:
                    swap.put(staged.path(member), target)
                result.files += len(staged.files_under(member))
        access = self.documents.get("Access.settings", {})
        for name, (source, files) in self.accounts.items():
            account = self._account(actor, domain, name, source, result)
            result.files += files.put(staged, swap, account)
            files.reload(actor, account, result.notes)
            self._rights(actor, account, access.get(name))
        result.notes += reload_domain_objects(actor, domain, self.forwarders, self.groups)
        result.notes += reload_domain_lists(actor, domain, self.lists)
        return result

    def _account(self, actor: Account | None, domain: Domain, name: str, source: ArchivedAccount,
                 result: RestoreResult) -> Account:
        from accounts.services import account_create

        account = Account.objects.select_related("domain").filter(domain=domain, name=name).first()
        if account is None:
            account = account_create(actor=actor, domain=domain, name=name, kind=ACCOUNT_KINDS[source.kind])
            result.notes.append(f"account {account.address} created")
        return account

    @staticmethod
    def _rights(actor: Account | None, account: Account, granted: Value) -> None:
        reload_rights(actor, account, granted)

    def _reload_domain(self, actor: Account | None, domain: Domain, result: RestoreResult) -> None:
        result.notes += reload_domain_documents(actor, domain, self.documents, aliases=not self.new_name)


def reload_domain_objects(actor: Account | None, domain: Domain, forwarders: Mapping[str, Value],
                          groups: Mapping[str, dict[str, Value]], *, remove_unlisted: bool = False) -> list[str]:
    """The archive's forwarders (Forwarders.settings) and groups (<name>.grp) into the domain through
    their services: missing ones created, changed ones set; one that cannot be (its name is now an
    account's) is left out with a note. `remove_unlisted`: forwarders the file does not list go."""
    notes: list[str] = []
    if remove_unlisted:
        listed = {str(name).lower() for name in forwarders}
        for forwarder in Forwarder.objects.filter(domain=domain).exclude(name__in=listed).order_by("name"):
            forwarder.domain = domain
            forwarder_delete(actor=actor, forwarder=forwarder)
    for name, target in sorted(forwarders.items()):
        try:
            with transaction.atomic():
                existing = find_forwarder(domain, name)
                if existing is not None and existing.target == target:
                    continue
                if existing is not None:
                    forwarder_delete(actor=actor, forwarder=existing)
                forwarder_create(actor=actor, domain=domain, name=name, target=str(target))
        except CGError as error:
            notes.append(f"forwarder {name}@{domain.name} not restored: {error.message}")
    for name, settings in sorted(groups.items()):
        try:
            group = find_group(domain, name)
            if group is None:
                group_create(actor=actor, domain=domain, name=name, settings=settings)
            else:
                group_set(actor=actor, group=group, settings=settings)
        except CGError as error:
            notes.append(f"group {name}@{domain.name} not restored: {error.message}")
    return notes


def reload_domain_lists(actor: Account | None, domain: Domain,
                        lists: Mapping[str, tuple[dict[str, Value], dict[str, Value]]]) -> list[str]:
    """The archive's mailing lists (Lists/<name>.list/) into the domain through their service: each
    created when missing, its owner, settings and subscribers as the files say; one that cannot be
    (its owner is gone, its name is now another object's) is left out with a note."""
    notes: list[str] = []
    for name, (settings, subscribers) in sorted(lists.items()):
        try:
            with transaction.atomic():
                list_load(actor=actor, domain=domain, name=name, settings=settings, subscribers=subscribers)
        except CGError as error:
            notes.append(f"mailing list {name}@{domain.name} not restored: {error.message}")
    return notes


def reload_rights(actor: Account | None, account: Account, granted: Value) -> None:
    """An account's rights as an Access.settings entry lists them (none when absent)."""
    from accounts.services import account_set_rights

    wanted = [str(right) for right in granted] if isinstance(granted, list) else []
    if sorted(wanted) != sorted(account.rights or []):
        account_set_rights(actor=actor, account=account, rights=wanted)


def reload_domain_documents(actor: Account | None, domain: Domain, documents: Mapping[str, dict[str, Value]], *,
                            aliases: bool = True) -> list[str]:
    """Domain.settings (with its Aliases) and the account layers' files into the domain, through the
    domains' services; the notes say what was left out."""
    from domains import services

    notes: list[str] = []
    settings = dict(documents.get("Domain.settings", {}))
    listed = next((settings.pop(key) for key in list(settings) if key.lower() == "aliases"), None)
    if "Domain.settings" in documents:
        services.domain_update_settings(actor=actor, domain=domain, updates=settings, replace=True)
    if isinstance(listed, list):
        if not aliases:
            notes.append("domain aliases are not restored under another name: "
                         + (", ".join(str(alias) for alias in listed) or "none"))
        else:
            services.domain_set_aliases(actor=actor, domain=domain, aliases=[str(alias) for alias in listed])
    layers = (("Template.settings", services.account_template_update),
              ("AccountDefaults.settings", services.account_defaults_update),
              ("AccountPrefs.settings", services.account_default_prefs_update))
    for file, update in layers:
        if file in documents:
            update(actor=actor, domain=domain, updates=documents[file], replace=True)
    return notes


# --- server settings, logs, everything --------------------------------------------------------


class SettingsPlan(Plan):
    """Server settings files, each reloaded into the database through its service."""

    def __init__(self, *, files: list[str]) -> None:
        self.files = [Path(name).name for name in files]
        self.parsed: dict[str, dict[str, Value]] = {}

    def select(self, name: str) -> bool:
        folder, _, file = name.partition("/")
        return folder == "Settings" and "/" not in file and (not self.files or file in self.files)

    def validate(self, staged: Staged) -> None:
        held = [name.split("/", 1)[1] for name in staged.files_under("Settings") if "/" not in name[9:]]
        missing = [name for name in self.files if name not in held]
        if missing or not held:
            raise InvalidInput(f"the archive holds no Settings/{', '.join(missing) or '*.settings'}")
        for file in held:
            if file.endswith(".settings") and self.select(f"Settings/{file}"):
                self.parsed[file] = parse_member(staged, f"Settings/{file}")
        self.held = [file for file in held if self.select(f"Settings/{file}")]

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        for file, values in self.parsed.items():
            reload_server_document(actor, file, values)
        target = paths.settings_dir()
        for file in self.held:
            swap.put(staged.path(f"Settings/{file}"), target / file)
        return RestoreResult("server settings: " + ", ".join(self.held), len(self.held))


def reload_server_document(actor: Account | None, file: str, values: dict[str, Value]) -> None:
    """Load one restored Settings/ file into the database through the service that owns it."""
    from domains import services as domain_services
    from logs.services import log_all_set, log_settings_update
    from server import documents
    from server.services import server_settings_update, server_strings_update

    values = dict(values)
    if file == "Main.settings":
        server_settings_update(actor=actor, updates=replacement(documents.read(documents.MAIN), values))
    elif file == "DomainDefault.settings":
        defaults = next((values.pop(key) for key in list(values) if key.lower() == "accountdefaults"), None)
        domain_services.domain_defaults_update(actor=actor, updates=values, replace=True)
        if isinstance(defaults, dict):
            domain_services.account_defaults_update(actor=actor, domain=None, updates=defaults, replace=True)
    elif file == "AccountPrefs.settings":
        domain_services.account_default_prefs_update(actor=actor, domain=None, updates=values, replace=True)
    elif file == "Strings.settings":
        server_strings_update(actor=actor, updates=replacement(documents.read(documents.STRINGS), values))
    elif file == "Log.settings":
        log_all = next((values.pop(key) for key in list(values) if key.lower() == "logall"), None)
        current = {key: value for key, value in documents.read(documents.LOG).items() if key.lower() != "logall"}
        log_settings_update(actor=actor, updates=replacement(current, values))
        if log_all is not None:
            log_all_set(actor=actor, enabled=str(log_all).upper() == "YES")
    elif file in (f"{name}.settings" for name in SERVER_DOCUMENTS.values()):
        kind = next(kind for kind, name in SERVER_DOCUMENTS.items() if file == f"{name}.settings")
        server_rules_set(actor=actor, rules=values.get(KEYS[kind], []), kind=kind)


class LogsPlan(Plan):
    """Server Log files, restored while the server runs, under their name or another one."""

    def __init__(self, *, files: list[str], new_name: str | None, skip_existing: bool = False) -> None:
        self.files = [Path(name).name for name in files]
        self.new_name = Path(new_name).name if new_name else None
        self.skip_existing = skip_existing
        self.held: list[str] = []
        self.skipped: list[str] = []

    def select(self, name: str) -> bool:
        folder, _, file = name.partition("/")
        return folder == "SystemLogs" and "/" not in file and bool(file) and (not self.files or file in self.files)

    def validate(self, staged: Staged) -> None:
        held = [name.split("/", 1)[1] for name in staged.names if self.select(name) and staged.names[name] == "file"]
        missing = [name for name in self.files if name not in held]
        if missing or not held:
            raise InvalidInput(f"the archive holds no SystemLogs/{', '.join(missing) or 'log files'}")
        if self.new_name and len(held) != 1:
            raise InvalidInput("a new name applies to one log file: name that file")
        target = paths.base() / "SystemLogs"
        for file in held:
            into = self.new_name or file
            if (target / into).exists():
                if self.skip_existing:
                    self.skipped.append(into)
                    continue
                raise AlreadyExists(f"SystemLogs/{into} exists: restore it under another name (--as)")
            self.held.append(file)

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        target = paths.base() / "SystemLogs"
        for file in self.held:
            swap.put(staged.path(f"SystemLogs/{file}"), target / (self.new_name or file))
        result = RestoreResult("log files: " + ", ".join(self.new_name or file for file in self.held), len(self.held))
        if self.skipped:
            result.notes.append("log files kept as they are (they exist): " + ", ".join(self.skipped))
        return result


class DirectoryPlan(Plan):
    """Central Directory files (Directory/), whole or the ones named; the server must be stopped."""

    def __init__(self, *, files: list[str]) -> None:
        self.files = [file.strip("/") for file in files]
        self.held: list[str] = []

    def select(self, name: str) -> bool:
        folder, _, rest = name.partition("/")
        return folder == "Directory" and bool(rest) and (
            not self.files or any(rest == file or rest.startswith(file + "/") for file in self.files))

    def validate(self, staged: Staged) -> None:
        self.held = sorted(name for name, kind in staged.names.items() if kind == "file" and self.select(name))
        missing = [file for file in self.files if not any(self.select(name) and name[10:].startswith(file)
                                                          for name in self.held)]
        if missing or not self.held:
            raise InvalidInput(f"the archive holds no Directory/{', '.join(missing) or ' files'}")

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        base = paths.base()
        for name in self.held:
            swap.put(staged.path(name), base / name)
        result = RestoreResult("Directory files: " + ", ".join(name[10:] for name in self.held), len(self.held))
        result.notes.append("`manage.py directory rebuild --import-custom` loads custom records from the files")
        return result


class AllPlan(Plan):
    """Everything a whole-directory archive holds, object by object."""

    def __init__(self, *, skip_unrestorable: bool) -> None:
        self.skip = skip_unrestorable
        self.plans: list[Plan] = []
        self.copied: list[str] = []

    def select(self, name: str) -> bool:
        return forbidden(name) is None

    def validate(self, staged: Staged) -> None:
        refused = sorted({reason for name in staged.names if (reason := forbidden(name))})
        if refused and not self.skip:
            raise InvalidInput("the archive holds parts that must never be restored: " + "; ".join(refused)
                               + ". Restore its objects one at a time, or skip those parts (--skip-unrestorable)")
        tops = {name.split("/", 1)[0] for name in staged.names if forbidden(name) is None}
        if "Settings" in tops:
            self.plans.append(SettingsPlan(files=[]))
        if "SystemLogs" in tops and any(LogsPlan(files=[], new_name=None).select(name) for name in staged.names):
            self.plans.append(LogsPlan(files=[], new_name=None, skip_existing=True))
        if any(name.startswith("Accounts/") for name in staged.names):
            self.plans.append(DomainPlan(name=_main_domain_name(), new_name=None))
        folders = {name.split("/")[1] for name in staged.names if name.startswith("Domains/")}
        for folder in sorted(folders):
            self.plans.append(DomainPlan(name=_domain_from_folder(folder), new_name=None))
        self.copied = sorted(tops - {"Settings", "SystemLogs", "Accounts", "Domains"})
        for plan in self.plans:
            plan.validate(staged)

    def apply(self, actor: Account | None, staged: Staged, swap: Swap) -> RestoreResult:
        result = RestoreResult("the whole base directory")
        for plan in self.plans:
            part = plan.apply(actor, staged, swap)
            result.files += part.files
            result.notes.extend(part.notes)
        base = paths.base()
        for top in self.copied:  # Directory/, WebSkins/, Startup.sh: files only
            if staged.names[top] == "dir" and (base / top).is_dir():
                swap.merge(staged.path(top), base / top, whole=lambda name: False)
            else:
                swap.put(staged.path(top), base / top)
            result.files += len(staged.files_under(top)) or 1
        if "Directory" in self.copied:
            result.notes.append("Directory/ files restored: `manage.py directory rebuild --import-custom` loads them")
        return result


def _main_domain_name() -> str:
    from domains.selectors import main_domain_or_none

    main = main_domain_or_none()
    if main is None:
        raise GeneralError("the server has no Main Domain yet: start it once (manage.py cgserver) before restoring")
    return main.name


def _domain_from_folder(folder: str) -> str:
    from domains.names import lookup_domain_key

    return lookup_domain_key(folder)


def describe(names: Mapping[str, str]) -> list[tuple[str, str]]:
    """Each object an archive holds, with how it is restored (manage.py restore ARCHIVE list)."""
    rows: list[tuple[str, str]] = []
    for top in sorted({name.split("/", 1)[0] for name in names}):
        reason = forbidden(top)
        if reason:
            rows.append((top, reason))
        elif top == "Settings":
            rows.append(("Settings/", "restore settings (server stopped)"))
        elif top == "Directory":
            rows.append(("Directory/", "restore directory (server stopped)"))
        elif top == "SystemLogs":
            rows.append(("SystemLogs/", "restore logs (server running; also under another name)"))
        elif top in ("Accounts", "Domains"):
            prefixes = ["Accounts"] if top == "Accounts" else sorted(
                {"/".join(name.split("/")[:2]) for name in names if name.startswith("Domains/")})
            for prefix in prefixes:
                shown = "Accounts/ (Main Domain)" if prefix == "Accounts" else f"{prefix}/"
                rows.append((shown, "restore domain (server stopped)"))
                rows += [(f"  account {account}", "restore account / mailbox / files (server running)")
                         for account in archived_accounts(names, prefix)]
        else:
            rows.append((top, "restore all (files only)"))
    return rows

