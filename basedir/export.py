"""The exporter: the base directory kept in sync with the database (spec/basedir.md, "Layout").

Services record what changed in the outbox (basedir.outbox), in the change's own transaction.
After commit a Celery task drains it (`drain`), and a periodic sweep drains whatever a crash or a
busy worker left. Each object named by the outbox is exported in its own transaction that

1. takes the object's lock (PostgreSQL advisory locks, tried, never waited for: a worker that
   finds an object busy leaves it to the worker holding it, which drains again after its commit),
2. locks the object's outbox rows (SELECT ... FOR UPDATE SKIP LOCKED),
3. reads the object and writes its files (basedir.files: whole, flushed before the rename),
4. deletes those rows and commits.

An object is one Settings/ file (kind server), one domain (its folder and Settings/ files: kind
domain, an exclusive lock on the domain) or one account (its folder or single mailbox and its three
files: kind account, a shared lock on its domain). ExportedDomain and ExportedAccount record where
each folder is on disk, so a rename moves the folder from where it really is (mailboxes and all),
a removal finds what to delete, and a Foldering change knows which folders to move. Exporting
twice writes nothing the second time (unchanged files are left alone)."""

from __future__ import annotations

import contextlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.db import connection, transaction
from django.db.models import QuerySet

from accounts.usage import correct_storage
from basedir import outbox, paths, render
from basedir.files import (
    FileBatch,
    make_folder,
    move_path,
    remove_empty_folders,
    remove_leftovers,
    remove_path,
    remove_removed_leftovers,
)
from basedir.layout import ensure_layout
from basedir.models import ExportedAccount, ExportedDomain, ExportedMailbox, ExportOutbox
from basedir.paths import account_file_paths, account_relative, account_units, mailbox_units
from basedir.render import (
    ACCOUNT_FIELDS,
    MailboxRow,
    access_bytes,
    account_bytes,
    account_files_data,
    counted_storage,
    domain_settings_bytes,
    group_files,
    mailboxes_of,
    server_file_bytes,
)
from domains.selectors import domain_foldering
from lists.export import export_all as export_all_lists
from server import documents

OUR_KINDS = (outbox.SERVER, outbox.DOMAIN, outbox.ACCOUNT)
DRAIN_BATCH = 2000
ACCOUNT_BATCH = 500
DRAIN_SECONDS = 30.0
FULL_CHUNK = 1000
TAG = "EXPORT"

_NS_OBJECT = 0x43474558  # "CGEX": a server file or an account
_NS_DOMAIN = 0x43474544  # "CGED": a domain (exclusive) and the accounts in it (shared)
_NS_ACCESS = 0x43474541  # "CGEA": a domain's Access.settings, rewritten by account exports too

logger = logging.getLogger(__name__)


class _NeedsDomain(Exception):
    """The account's domain has no folder yet: export the domain first."""

    def __init__(self, domain_id: int) -> None:
        super().__init__(domain_id)
        self.domain_id = domain_id


# --- logging and the urgent notification ------------------------------------------------------


def _log(level: int, text: str) -> None:
    from logs import serverlog

    with contextlib.suppress(Exception):  # the log must never stop the exporter
        serverlog.log(TAG, level, text)


def _cannot_write(what: str, error: BaseException) -> None:
    text = f"the exporter cannot write {what}: {error}"
    logger.warning(text)
    _log(1, text)
    with contextlib.suppress(Exception):  # the cache being down must not hide the log record
        from logs import notifications

        if isinstance(error, OSError):
            notifications.report_export_failure(what, error)
        else:
            notifications.raise_notification(notifications.EXPORT_FAILED, TAG, f"cannot write {what}: {error}")


def _writes_work_again() -> None:
    with contextlib.suppress(Exception):
        from logs import notifications

        notifications.clear_notification(notifications.EXPORT_FAILED)


# --- locks -------------------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _try_lock(namespace: int, key: str, *, shared: bool = False) -> bool:
    """Take a transaction-scoped advisory lock if nobody holds it (SQLite serializes writers itself)."""
    if not _postgres():
        return True
    function = "pg_try_advisory_xact_lock_shared" if shared else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, hashtext(%s))", [namespace, key])
        return bool(cursor.fetchone()[0])


def _wait_lock(namespace: int, key: str) -> None:
    if _postgres():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [namespace, key])


# --- where things are --------------------------------------------------------------------------


def _relative(path: Path) -> str:
    return path.relative_to(paths.base()).as_posix()


def _absolute(relative: str) -> Path:
    return paths.base() / relative


def make_empty_mailboxes(created: Iterable[tuple[Path, ExportedMailbox]]) -> None:
    """The files of mailboxes seen for the first time, empty, so a file backup holds every mailbox
    CreateMailbox made (an empty `.mbox`, a `.mdir` with tmp/new/cur; a single-mailbox account's
    `<name>.mbox` or `<name>.mdir` itself). Files that are there already (a restore, mail delivered
    first) are left as they are."""
    for location, state in created:
        if location.suffix == ".macnt":
            if not location.is_dir():
                continue
            target = location / f"{state.name}{paths.MAILBOX_SUFFIX.get(state.format, '.' + state.format)}"
        elif location.parent.is_dir():
            target = location  # a single-mailbox account is its own mailbox, beside its .settings
        else:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if state.format == "mbox":
            with contextlib.suppress(FileExistsError):
                os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640))
        else:
            target.mkdir(exist_ok=True)
            if state.format == "mdir":
                for sub in ("tmp", "new", "cur"):
                    (target / sub).mkdir(exist_ok=True)


def mailbox_states_of(account_ids: Iterable[int]) -> dict[int, list[ExportedMailbox]]:
    result: dict[int, list[ExportedMailbox]] = {}
    for state in ExportedMailbox.objects.filter(account_id__in=list(account_ids)):
        result.setdefault(state.account_id, []).append(state)
    return result


def _sync_mailboxes(account_id: int, location: Path, rows: list[MailboxRow],
                    states: list[ExportedMailbox]) -> list[ExportedMailbox]:
    """RenameMailbox and DeleteMailbox on disk: a renamed mailbox's files move to its new name, a
    removed one's are deleted (unless a mailbox created since already took the name: its messages
    may be there). Returns the states of mailboxes seen for the first time, to record."""
    by_id = {row[0]: row for row in rows}
    recorded = {state.mailbox_id for state in states}
    taken_by_new = {name for mailbox_id, name, _storage in rows if mailbox_id not in recorded}
    in_folder = location.suffix == ".macnt"  # a single mailbox is the account itself
    for state in states:
        row = by_id.get(state.mailbox_id)
        if row is None:
            if in_folder and state.name not in taken_by_new:
                for unit in mailbox_units(state.name, state.format):
                    remove_path(location / unit)
                remove_empty_folders((location / state.name).parent, location)
                _log(4, f"mailbox {_relative(location)}/{state.name} removed")
            state.delete()
        elif row[1] != state.name or _folder_renamed(state.format, row[2]):
            # A format change moves only a folder to its new suffix: an earlier version's Sliced
            # mailboxes were MailDir folders named .mslc (accounts migration 0005).
            new_format = row[2] if _folder_renamed(state.format, row[2]) else state.format
            if in_folder:
                for unit_old, unit_new in zip(mailbox_units(state.name, state.format),
                                              mailbox_units(row[1], new_format), strict=True):
                    for clash in move_path(location / unit_old, location / unit_new):
                        _log(3, f"mailbox {row[1]}: {clash} existed; the old one was kept beside it")
                remove_empty_folders((location / state.name).parent, location)
                _log(4, f"mailbox {_relative(location)}/{state.name} renamed to {row[1]}")
            state.name, state.format = row[1], new_format
            state.save(update_fields=["name", "format"])
    return [ExportedMailbox(mailbox_id=mailbox_id, account_id=account_id, name=name, format=storage)
            for mailbox_id, name, storage in rows if mailbox_id not in recorded]


def _folder_renamed(old: str, new: str) -> bool:
    """A mailbox folder whose format changed (Sliced to MailDir): moved to its new suffix."""
    return old != new and "mbox" not in (old, new)


def _stage_account(batch: FileBatch, row: dict, folder: Path, relative: str, mailboxes: dict[int, list[MailboxRow]],
                   mailbox_states: dict[int, list[ExportedMailbox]]) -> list[tuple[Path, ExportedMailbox]]:
    """Stage the account's three files in batch (its folder made when missing: then nothing needs
    comparing and its mailboxes hold nothing yet); the new mailbox states to record, with the
    account folder their empty files go in once the batch is committed."""
    location = folder / relative
    new_mailboxes = _sync_mailboxes(row["id"], location, mailboxes.get(row["id"], []),
                                    mailbox_states.get(row["id"], []))
    created = False
    files: tuple[str, ...]
    if relative.endswith(".macnt"):
        created = batch.new_folder(location)
        if not created:
            remove_leftovers(location)  # what a killed write left, before this batch stages its own
        prefix = f"{location}/account"
        files = (f"{prefix}.settings", f"{prefix}.info", f"{prefix}.prefs")
    else:
        files = tuple(map(str, account_file_paths(folder, relative)))
    data_of = account_bytes(row) if created else _account_data(row, folder, relative, mailboxes)
    for path, data in zip(files, data_of, strict=True):
        batch.add(path, data, in_new_folder=created)
    return [(location, state) for state in new_mailboxes]


def _account_data(row: dict, folder: Path, relative: str, mailboxes: dict) -> tuple[bytes, bytes, bytes]:
    """The account's three files; the Accounts list's storage_used follows the count they carry."""
    used = counted_storage(row, folder, relative, mailboxes)
    if used != row["storage_used"]:
        # After this export commits, in a statement of its own (no lock held across the exporter's
        # transaction), and only over the value read: a delivery meanwhile added its bytes and marked
        # the account again, so the next export counts once more.
        account_id, seen = row["id"], row["storage_used"]
        transaction.on_commit(lambda: correct_storage(account_id, seen, used))
    return account_files_data(row, folder, relative, mailboxes, used=used)


def _forget_mailboxes(accounts: QuerySet[ExportedAccount] | list[int]) -> None:
    """Drop the mailbox states of these accounts (an account id list or an ExportedAccount queryset)."""
    ids = list(accounts) if isinstance(accounts, list) else accounts.values("account_id")
    ExportedMailbox.objects.filter(account_id__in=ids).delete()


# --- one server file ---------------------------------------------------------------------------


def _export_server_file(file_name: str) -> None:
    batch = FileBatch()
    folder = paths.settings_dir()
    batch.add(folder / file_name, server_file_bytes(file_name))
    batch.commit()
    remove_leftovers(folder, older_than=60)


def _refolder_domains_following_defaults() -> None:
    """Domain Defaults changed: domains whose Foldering now differs from their folders' are queued."""
    from domains.models import Domain

    recorded = dict(ExportedDomain.objects.values_list("domain_id", "foldering"))
    for domain in Domain.objects.filter(pk__in=list(recorded)):
        if domain_foldering(domain) != recorded[domain.pk]:
            outbox.mark_dirty(outbox.DOMAIN, domain.pk)


# --- one domain --------------------------------------------------------------------------------


def _export_domain(domain_id: int) -> int:
    """Move, re-folder, write or remove the domain's folder (the caller holds its exclusive lock)."""
    from domains.models import Domain

    domain = Domain.objects.filter(pk=domain_id).first()
    state = ExportedDomain.objects.filter(pk=domain_id).first()
    if domain is None:
        if state is not None:
            _remove_domain_folder(state)
        return 0
    folder = paths.domain_dir(domain)
    relative = _relative(folder)
    foldering = domain_foldering(domain)
    if state is not None and state.path != relative and not domain.is_main:
        clashes = move_path(_absolute(state.path), folder)
        _log(2, f"domain {domain.name}: folder {state.path} renamed to {relative}")
        for clash in clashes:
            _log(3, f"domain {domain.name}: {clash} existed under the new name; the old one was kept beside it")
    make_folder(folder)
    if state is not None and state.foldering != foldering:
        _refolder(domain, folder, state.foldering, foldering)
    batch = FileBatch()
    settings_files = domain_settings_bytes(domain)
    for name, data in settings_files.items():
        batch.add(folder / "Settings" / name, data)
    groups = group_files(domain)
    for name, data in groups.items():
        batch.add(folder / name, data)
    if domain.is_main:
        batch.add(paths.settings_dir() / render.SERVER_FILES[documents.MAIN], server_file_bytes("Main.settings"))
    written = batch.commit()
    _remove_gone_objects(folder, settings_files, groups)
    remove_leftovers(folder / "Settings", older_than=60)
    ExportedDomain.objects.update_or_create(domain_id=domain.pk, defaults={"path": relative, "foldering": foldering})
    return written


def _remove_gone_objects(folder: Path, settings_files: dict[str, bytes], groups: dict[str, bytes]) -> None:
    """Files of removed or renamed groups, and Forwarders.settings once the last forwarder is gone."""
    if render.FORWARDERS_FILE not in settings_files:
        remove_path(folder / "Settings" / render.FORWARDERS_FILE)
    for name in os.listdir(folder):
        if name.endswith(render.GROUP_SUFFIX) and name not in groups:
            remove_path(folder / name)


def _remove_domain_folder(state: ExportedDomain) -> None:
    others = ExportedDomain.objects.filter(path=state.path).exclude(pk=state.pk).exists()
    folder = _absolute(state.path)
    if others:  # a new domain took the name before this removal was exported: remove only ours
        for account_state in ExportedAccount.objects.filter(domain_id=state.domain_id):
            for unit in account_units(account_state.path):
                remove_path(folder / unit)
    elif state.path.startswith("Domains/"):
        remove_path(folder)
    _forget_mailboxes(ExportedAccount.objects.filter(domain_id=state.domain_id))
    ExportedAccount.objects.filter(domain_id=state.domain_id).delete()
    state.delete()
    _log(2, f"domain folder {state.path} removed")


def _refolder(domain, folder: Path, old: str, new: str) -> None:
    """Foldering changed: every account folder moves into (or out of) its hashed subfolders."""
    moved = []
    for account_state in ExportedAccount.objects.filter(domain_id=domain.pk).iterator(chunk_size=2000):
        leaf = PurePosixPath(account_state.path).name
        target = (paths.foldering_prefix(PurePosixPath(leaf).stem, new) / leaf).as_posix()
        if target == account_state.path:
            continue
        for unit_old, unit_new in zip(account_units(account_state.path), account_units(target), strict=True):
            move_path(folder / unit_old, folder / unit_new)
        remove_empty_folders((folder / account_state.path).parent, folder)
        account_state.path = target
        moved.append(account_state)
    ExportedAccount.objects.bulk_update(moved, ["path"], batch_size=2000)
    _log(2, f"domain {domain.name}: Foldering {old} -> {new}, {len(moved)} account folder(s) moved")


def _write_access(domain_id: int) -> None:
    """Rewrite the domain's Access.settings (an account's rights or name changed)."""
    state = ExportedDomain.objects.filter(pk=domain_id).first()
    if state is None:
        return
    _wait_lock(_NS_ACCESS, str(domain_id))  # then read: the newest rights win
    batch = FileBatch()
    batch.add(_absolute(state.path) / "Settings" / render.ACCESS_FILE, access_bytes(domain_id))
    batch.commit()


# --- one account -------------------------------------------------------------------------------


def _lock_account_domains(account_id: int) -> tuple[dict | None, ExportedAccount | None]:
    """Shared locks on every domain the account is in, in the database or on disk; then its row."""
    from accounts.models import Account

    locked: set[int] = set()
    while True:
        row = Account.objects.filter(pk=account_id).values(*ACCOUNT_FIELDS).first()
        state = ExportedAccount.objects.filter(pk=account_id).first()
        wanted = {domain for domain in (row and row["domain_id"], state and state.domain_id) if domain}
        if wanted <= locked:
            return row, state
        for domain_id in sorted(wanted - locked):
            if not _try_lock(_NS_DOMAIN, str(domain_id), shared=True):
                raise _Busy
            locked.add(domain_id)


class _Busy(Exception):
    """Another worker holds a lock this export needs: it exports the object after its commit."""


def _export_account(account_id: int) -> None:
    row, state = _lock_account_domains(account_id)
    if row is None:
        if state is not None:
            _remove_account(state)
        return
    domain_state = ExportedDomain.objects.filter(pk=row["domain_id"]).first()
    if domain_state is None:
        raise _NeedsDomain(row["domain_id"])
    folder = _absolute(domain_state.path)
    relative = account_relative(row["name"], row["kind"], domain_state.foldering)
    if state is not None and (state.domain_id, state.path) != (row["domain_id"], relative):
        _move_account(state, folder, relative)
    mailboxes = mailboxes_of([account_id])
    new_mailboxes = _sync_mailboxes(account_id, folder / relative, mailboxes.get(account_id, []),
                                    mailbox_states_of([account_id]).get(account_id, []))
    ExportedMailbox.objects.bulk_create(new_mailboxes, ignore_conflicts=True)
    settings_file, info_file, prefs_file = account_file_paths(folder, relative)
    batch = FileBatch()
    data_of = _account_data(row, folder, relative, mailboxes)
    for path, data in zip((settings_file, info_file, prefs_file), data_of, strict=True):
        batch.add(path, data)
    batch.commit()
    make_empty_mailboxes((folder / relative, state) for state in new_mailboxes)
    if relative.endswith(".macnt"):
        remove_leftovers(folder / relative)
    has_rights = bool(row["rights"])
    ExportedAccount.objects.update_or_create(
        account_id=account_id, defaults={"domain_id": row["domain_id"], "path": relative, "has_rights": has_rights}
    )
    renamed = state is not None and (state.domain_id, state.path) != (row["domain_id"], relative)
    if has_rights and (state is None or renamed or not state.has_rights):
        _write_access(row["domain_id"])
    if state is not None and state.has_rights and (renamed or not has_rights):
        _write_access(state.domain_id)


def _move_account(state: ExportedAccount, folder: Path, relative: str) -> None:
    old_domain = ExportedDomain.objects.filter(pk=state.domain_id).first()
    if old_domain is None:  # its old domain's folder is gone, and the account's with it
        return
    old_folder = _absolute(old_domain.path)
    for unit_old, unit_new in zip(account_units(state.path), account_units(relative), strict=True):
        for clash in move_path(old_folder / unit_old, folder / unit_new):
            _log(3, f"account folder {unit_new}: {clash} existed; the old one was kept beside it")
    remove_empty_folders((old_folder / state.path).parent, old_folder)
    _log(4, f"account folder {old_domain.path}/{state.path} moved to {_relative(folder)}/{relative}")


def _remove_account(state: ExportedAccount) -> None:
    domain_state = ExportedDomain.objects.filter(pk=state.domain_id).first()
    if domain_state is not None:
        taken = ExportedAccount.objects.filter(domain_id=state.domain_id, path=state.path).exclude(pk=state.pk)
        if not taken.exists():  # else a new account of the same name already lives there
            folder = _absolute(domain_state.path)
            for unit in account_units(state.path):
                remove_path(folder / unit)
            remove_empty_folders((folder / state.path).parent, folder)
            _log(4, f"account folder {domain_state.path}/{state.path} removed")
    _forget_mailboxes([state.account_id])
    state.delete()
    if state.has_rights:
        _write_access(state.domain_id)


# --- the outbox --------------------------------------------------------------------------------


def _object_lock(kind: str, key: str) -> tuple[int, str]:
    if kind == outbox.DOMAIN:
        return _NS_DOMAIN, key
    if kind == outbox.SERVER:
        return _NS_OBJECT, f"server:{render.server_file_name(key)}"
    return _NS_OBJECT, f"{kind}:{key}"


def _work(kind: str, key: str) -> Callable[[], object]:
    if kind == outbox.ACCOUNT:
        return lambda: _export_account(int(key))
    if kind == outbox.DOMAIN:
        return lambda: _export_domain(int(key))

    def server() -> None:
        file_name = render.server_file_name(key)
        if file_name:
            _export_server_file(file_name)
        if key == documents.DOMAIN_DEFAULTS:
            _refolder_domains_following_defaults()

    return server


def _in_transaction(kind: str, key: str, work: Callable[[], object]) -> bool:
    with transaction.atomic():
        namespace, lock_key = _object_lock(kind, key)
        if not _try_lock(namespace, lock_key):
            return False
        rows = list(
            ExportOutbox.objects.select_for_update(skip_locked=True)
            .filter(kind=kind, key=key)
            .values_list("id", flat=True)
        )
        try:
            work()
        except _Busy:
            transaction.set_rollback(True)
            return False
        if rows:
            ExportOutbox.objects.filter(id__in=rows).delete()
    return True


def export_object(kind: str, key: str) -> bool:
    """Export one object the outbox names and delete its rows; False when another worker holds it
    (that worker exports it after its commit) or its files could not be written (logged)."""
    if kind not in OUR_KINDS:
        return True
    try:
        try:
            return _in_transaction(kind, key, _work(kind, key))
        except _NeedsDomain as needed:
            if not _in_transaction(outbox.DOMAIN, str(needed.domain_id), _work(outbox.DOMAIN, str(needed.domain_id))):
                return False
            return _in_transaction(kind, key, _work(kind, key))
    except (OSError, ValueError) as error:
        _cannot_write(f"{kind} {key}", error)
        return False


@dataclass
class DrainResult:
    exported: int = 0
    busy_or_failed: int = 0
    more: bool = False  # the time limit ended it with rows left


def _try_locks(namespace: int, keys: list[str], *, shared: bool = False) -> set[str]:
    """Try many advisory locks in one query; the keys now held."""
    if not keys or not _postgres():
        return set(keys)
    function = "pg_try_advisory_xact_lock_shared" if shared else "pg_try_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k FROM unnest(%s::text[]) AS k WHERE {function}(%s, hashtext(k))", [keys, namespace])
        return {row[0] for row in cursor.fetchall()}


@dataclass
class _BatchOutcome:
    done: list[int] = field(default_factory=list)
    single: list[int] = field(default_factory=list)  # need the one-at-a-time path (moves, removals, rights)
    busy: list[int] = field(default_factory=list)


def _export_accounts_batch(account_ids: list[int]) -> _BatchOutcome:
    """Accounts that only need their three files rewritten, many in one transaction and one
    FileBatch (two flushes for all); the others are handed back for export_object."""
    from accounts.models import Account

    outcome = _BatchOutcome()
    with transaction.atomic():
        held = _try_locks(_NS_OBJECT, [f"account:{account_id}" for account_id in account_ids])
        locked = [account_id for account_id in account_ids if f"account:{account_id}" in held]
        outcome.busy = [account_id for account_id in account_ids if f"account:{account_id}" not in held]
        rows = {row["id"]: row for row in Account.objects.filter(pk__in=locked).values(*ACCOUNT_FIELDS)}
        states = {state.account_id: state for state in ExportedAccount.objects.filter(pk__in=locked)}
        domain_ids = {row["domain_id"] for row in rows.values()} | {state.domain_id for state in states.values()}
        domains_held = _try_locks(_NS_DOMAIN, sorted(str(domain_id) for domain_id in domain_ids), shared=True)
        domain_states = {item.domain_id: item for item in ExportedDomain.objects.filter(pk__in=domain_ids)}
        mailboxes = mailboxes_of(rows)
        mailbox_states = mailbox_states_of(rows)
        new_mailboxes: list[tuple[Path, ExportedMailbox]] = []
        batch = FileBatch()
        written: list[int] = []
        new_states = []
        for account_id in locked:
            row, state = rows.get(account_id), states.get(account_id)
            involved = {row["domain_id"] if row else None, state.domain_id if state else None} - {None}
            if not all(str(domain_id) in domains_held for domain_id in involved):
                outcome.busy.append(account_id)
                continue
            domain_state = domain_states.get(row["domain_id"]) if row else None
            if row is None or domain_state is None:
                outcome.single.append(account_id)
                continue
            relative = account_relative(row["name"], row["kind"], domain_state.foldering)
            has_rights = bool(row["rights"])
            if state is None and not has_rights:
                new_states.append(ExportedAccount(account_id=account_id, domain_id=row["domain_id"], path=relative))
            elif state is None or (state.domain_id, state.path, state.has_rights) != (
                    row["domain_id"], relative, has_rights):
                outcome.single.append(account_id)
                continue
            new_mailboxes += _stage_account(batch, row, _absolute(domain_state.path), relative, mailboxes,
                                            mailbox_states)
            written.append(account_id)
        keys = [str(account_id) for account_id in written]
        rows_done = list(ExportOutbox.objects.select_for_update(skip_locked=True)
                         .filter(kind=outbox.ACCOUNT, key__in=keys).values_list("id", flat=True))
        try:
            batch.commit()
        except BaseException:
            batch.abandon()
            raise
        ExportedAccount.objects.bulk_create(new_states, ignore_conflicts=True)
        ExportedMailbox.objects.bulk_create([state for _, state in new_mailboxes], ignore_conflicts=True)
        make_empty_mailboxes(new_mailboxes)
        ExportOutbox.objects.filter(id__in=rows_done).delete()
        outcome.done = written
    return outcome


def _accounts_in_batches(account_ids: list[int]) -> tuple[int, int]:
    """Export accounts a batch at a time, the ones a batch cannot do one at a time: (done, not done)."""
    done = not_done = 0
    for index in range(0, len(account_ids), ACCOUNT_BATCH):
        chunk = account_ids[index:index + ACCOUNT_BATCH]
        try:
            outcome = _export_accounts_batch(chunk)
        except (OSError, ValueError):  # one bad folder must not stop the others: each alone, logged
            outcome = _BatchOutcome(single=chunk)
        done += len(outcome.done)
        not_done += len(outcome.busy)
        for account_id in outcome.single:
            if export_object(outbox.ACCOUNT, str(account_id)):
                done += 1
            else:
                not_done += 1
    return done, not_done


def drain(*, seconds: float = DRAIN_SECONDS) -> DrainResult:
    """Export every object the outbox names until nothing more can be done (what another worker
    holds is left to it: it drains again after its commit) or `seconds` have passed. Server files
    and domains go first, oldest change first; accounts that only need their files rewritten go
    in batches (one transaction and two disk flushes for a whole batch)."""
    result = DrainResult()
    deadline = time.monotonic() + seconds
    while True:
        exported_before, failures = result.exported, 0
        cursor, seen = 0, set()
        while True:
            rows = list(
                ExportOutbox.objects.filter(kind__in=OUR_KINDS, id__gt=cursor)
                .order_by("id").values_list("id", "kind", "key")[:DRAIN_BATCH]
            )
            if not rows:
                break
            cursor = rows[-1][0]
            accounts: list[int] = []
            for _row_id, kind, key in rows:
                if (kind, key) in seen:
                    continue
                seen.add((kind, key))
                if kind == outbox.ACCOUNT:
                    accounts.append(int(key))
                elif export_object(kind, key):
                    result.exported += 1
                else:
                    failures += 1
            done, not_done = _accounts_in_batches(accounts)
            result.exported += done
            failures += not_done
            if time.monotonic() > deadline:
                result.more, result.busy_or_failed = True, failures
                return result
        result.busy_or_failed = failures
        if result.exported == exported_before:
            break
    if not result.busy_or_failed:
        _writes_work_again()
    return result


# --- the whole tree ----------------------------------------------------------------------------


@dataclass
class FullExport:
    files_written: int = 0
    accounts: int = 0
    domains: int = 0
    removed: list[str] = field(default_factory=list)


def export_full(*, progress: Callable[[str], None] | None = None, jobs: int = 1) -> FullExport:
    """Rebuild the whole tree from the database: every file written where it differs, folders
    moved where the database says, what is no longer in the database removed. Then the outbox
    rows it has covered are deleted and the rest drained. jobs > 1 exports that many domains side
    by side, each in a process of its own (PostgreSQL; each domain under its own lock, as ever)."""
    from domains.models import Domain
    from server.models import ServerDocument

    covered = list(ExportOutbox.objects.filter(kind__in=OUR_KINDS).values_list("id", flat=True))
    base = paths.base()
    ensure_layout(base)
    result = FullExport()
    batch = FileBatch()
    for file_name in render.server_file_names(ServerDocument.objects.values_list("name", flat=True)):
        with transaction.atomic():
            _wait_lock(_NS_OBJECT, f"server:{file_name}")
            batch.add(paths.settings_dir() / file_name, server_file_bytes(file_name))
            result.files_written += batch.commit()
    remove_leftovers(paths.settings_dir())
    domains = list(Domain.objects.order_by("name").values_list("pk", flat=True))
    side_by_side = jobs > 1 and len(domains) > 1 and _postgres() and not connection.in_atomic_block
    outcomes = _domains_in_processes(domains, jobs) if side_by_side else map(_export_domain_whole, domains)
    for files, accounts, removed in outcomes:
        result.files_written += files
        result.accounts += accounts
        result.removed += removed
        result.domains += 1
        if progress:
            progress(f"{result.domains}/{len(domains)} domains, {result.accounts} accounts")
    result.removed += _remove_stray_domains(domains)
    export_all_lists()  # each domain's Lists/ folder (lists.export), now that every domain folder is in place
    for index in range(0, len(covered), 10000):
        ExportOutbox.objects.filter(id__in=covered[index:index + 10000]).delete()
    drain()
    _writes_work_again()
    _log(2, f"full export: {result.domains} domain(s), {result.accounts} account(s), "
            f"{result.files_written} file(s) written, {len(result.removed)} removed")
    return result


def _export_domain_whole(domain_id: int) -> tuple[int, int, list[str]]:
    """One domain and every account in it, in one transaction under the domain's lock:
    (files written, accounts, what was removed)."""
    partial = FullExport()
    with transaction.atomic():
        _wait_lock(_NS_DOMAIN, str(domain_id))
        files = _export_domain(domain_id)
        files += _export_domain_accounts(domain_id, partial)
    return files, partial.accounts, partial.removed


def _domains_in_processes(domain_ids: list[int], jobs: int) -> Iterable[tuple[int, int, list[str]]]:
    """_export_domain_whole of each domain in a pool of forked processes, results as they come."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # no connection may be shared across the fork
    with multiprocessing.get_context("fork").Pool(jobs) as pool:  # each child opens its own connection
        yield from pool.imap_unordered(_export_domain_whole, domain_ids)


def _export_domain_accounts(domain_id: int, result: FullExport) -> int:
    """Every account of the domain, a chunk at a time (the caller holds the domain's lock)."""
    from accounts.models import Account

    domain_state = ExportedDomain.objects.get(pk=domain_id)
    folder = _absolute(domain_state.path)
    states = {row.account_id: row for row in ExportedAccount.objects.filter(domain_id=domain_id)}
    moved_in = {row.account_id: row for row in ExportedAccount.objects.filter(
        account_id__in=Account.objects.filter(domain_id=domain_id).values("pk")).exclude(domain_id=domain_id)}
    expected: set[str] = set()
    written = 0
    last = 0
    batch = FileBatch()
    while True:
        rows = list(Account.objects.filter(domain_id=domain_id, pk__gt=last).order_by("pk")
                    .values(*ACCOUNT_FIELDS)[:FULL_CHUNK])
        if not rows:
            break
        last = rows[-1]["id"]
        mailboxes = mailboxes_of(row["id"] for row in rows)
        mailbox_states = mailbox_states_of(row["id"] for row in rows)
        new_mailboxes: list[tuple[Path, ExportedMailbox]] = []
        upserts = []
        for row in rows:
            relative = account_relative(row["name"], row["kind"], domain_state.foldering)
            state = states.pop(row["id"], None) or moved_in.get(row["id"])
            if state is not None and (state.domain_id, state.path) != (domain_id, relative):
                _move_account(state, folder, relative)
            new_mailboxes += _stage_account(batch, row, folder, relative, mailboxes, mailbox_states)
            expected.update(account_units(relative))
            if state is None or (state.domain_id, state.path, state.has_rights) != (
                    domain_id, relative, bool(row["rights"])):
                upserts.append(ExportedAccount(account_id=row["id"], domain_id=domain_id, path=relative,
                                               has_rights=bool(row["rights"])))
        written += batch.commit()
        ExportedAccount.objects.bulk_create(upserts, update_conflicts=True, unique_fields=["account_id"],
                                            update_fields=["domain_id", "path", "has_rights"])
        ExportedMailbox.objects.bulk_create([state for _, state in new_mailboxes], ignore_conflicts=True)
        make_empty_mailboxes(new_mailboxes)
        # The full export also remakes, empty, the file of a mailbox that lost it (basedir check: missing).
        make_empty_mailboxes((folder / account_relative(row["name"], row["kind"], domain_state.foldering),
                              ExportedMailbox(name=name, format=storage))
                             for row in rows for _id, name, storage in mailboxes.get(row["id"], ()))
        result.accounts += len(rows)
    _forget_mailboxes(list(states))
    ExportedAccount.objects.filter(account_id__in=list(states)).delete()  # accounts no longer there
    result.removed += _remove_stray_accounts(folder, expected, domain_state.foldering)
    return written


def _remove_stray_accounts(folder: Path, expected: set[str], foldering: str) -> list[str]:
    from basedir.check import domain_folder_entries

    removed = []
    for relative, kind in domain_folder_entries(folder, foldering):
        if kind == "account" and relative not in expected:
            remove_path(folder / relative)
            removed.append(f"{_relative(folder)}/{relative}")
        elif kind in ("temporary", "removed", "misplaced"):
            remove_path(folder / relative)
    for sub in sorted(folder.glob("*.sub"), reverse=True):
        for inner in sorted(sub.glob("*.sub")):
            remove_empty_folders(inner, folder)
        remove_empty_folders(sub, folder)
    return removed


def _remove_stray_domains(domain_ids: Iterable[int]) -> list[str]:
    from domains.models import Domain

    ExportedDomain.objects.exclude(domain_id__in=list(domain_ids)).delete()
    _forget_mailboxes(ExportedAccount.objects.exclude(domain_id__in=list(domain_ids)))
    ExportedAccount.objects.exclude(domain_id__in=list(domain_ids)).delete()
    expected = {domain.ascii_name for domain in Domain.objects.filter(is_main=False)}
    removed = []
    domains_folder = paths.base() / "Domains"
    remove_removed_leftovers(domains_folder)
    for entry in sorted(domains_folder.iterdir()) if domains_folder.is_dir() else []:
        if entry.name.startswith("."):
            if entry.name.endswith(".tmp"):
                remove_path(entry)
            continue
        if entry.name not in expected and entry.is_dir():
            remove_path(entry)
            removed.append(_relative(entry))
    return removed
