"""Backup and recovery of the base directory, and ClearAccountCache (seed, "Backup and Recovery").

Backups read the tree the exporter keeps; restores put files back and then reload what they hold
into the database through the other apps' services (rights, audit and outbox as for any change),
all or nothing: the archive is checked and staged inside the base directory first, and every file
moved into place is moved back if anything after it fails."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings as django_settings
from django.db import transaction

from accounts.models import Account
from basedir import archive, paths
from basedir import restore as R
from basedir.layout import PROCESS_ID
from cgadmin.dataformat import Value
from cgadmin.errors import GeneralError, InvalidInput
from domains.models import Domain
from domains.selectors import account_foldering
from logs.audit import audit
from logs.events import Event
from realms import rights
from realms.permissions import require_server_right

ACCESS_MODES = "AccessModes"
PAUSED_SERVICES = "None"
BACKUP_KINDS = ("all", "settings", "logs", "directory", "domain", "account", "mailbox", "files")


# --- backup ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupResult:
    archive: Path
    what: str
    files: int
    bytes: int


def _state_dir_name() -> str | None:
    state = Path(django_settings.CGADMIN_STATE_DIR)
    try:
        return state.relative_to(paths.base()).as_posix()
    except ValueError:
        return None


def _skipper(output: Path):
    base = paths.base()
    try:
        own = output.relative_to(base).as_posix()
    except ValueError:
        own = None
    return lambda name: name == own


def _account_entries(account: Account) -> list[str]:
    """The account's folder, or a single-mailbox account's mailbox and the files beside it."""
    location = paths.account_path(account, account_foldering(account))
    if location.suffix == ".macnt":
        return [paths.relative(location)]
    return [paths.relative(p) for p in (location, *(location.with_suffix(s) for s in R.SIDE_FILES)) if p.exists()]


def _mailbox_entries(account: Account, mailbox: str) -> list[str]:
    from accounts.services import _mailbox

    row = _mailbox(account, mailbox)
    location = paths.mailbox_path(row, account_foldering(account))
    entries = [paths.relative(location)]
    flags = location.with_suffix(".flags")
    if location.suffix == ".mbox" and flags.exists():
        entries.append(paths.relative(flags))
    info = paths.account_info_file(account, account_foldering(account))
    if info.exists() and location != paths.account_path(account, account_foldering(account)):
        entries.append(paths.relative(info))  # the mailbox's type (non-mail mailboxes) is recorded there
    return entries


def backup_entries(kind: str, *, domain: Domain | None, account: Account | None, mailbox: str) -> tuple[list[str], str]:
    """The base-directory entries a backup of this kind copies, and its description."""
    base = paths.base()
    if kind == "all":
        skipped = {PROCESS_ID, _state_dir_name()}
        names = sorted(p.name for p in base.iterdir() if p.name not in skipped
                       and not p.name.startswith(archive.STAGING_PREFIX) and not archive.is_atomic_temp(p.name))
        return names, "the whole base directory"
    if kind in ("settings", "logs", "directory"):
        folder = {"settings": "Settings", "logs": "SystemLogs", "directory": "Directory"}[kind]
        return [folder], f"{folder}/"
    if kind == "domain":
        if domain is None:
            raise InvalidInput("name the domain to back up")
        return [paths.relative(paths.domain_dir(domain))], f"domain {domain.name}"
    if account is None:
        raise InvalidInput(f"name the account whose {kind} to back up")
    if kind == "account":
        return _account_entries(account), f"account {account.address}"
    if kind == "mailbox":
        return _mailbox_entries(account, mailbox), f"mailbox {mailbox} of {account.address}"
    if kind == "files":
        if account.storage_kind != "macnt":
            raise InvalidInput(f"{account.address} is a single-mailbox account: it has no File Storage")
        return [paths.relative(paths.account_files_dir(account, account_foldering(account)))], (
            f"File Storage of {account.address}")
    raise InvalidInput(f"unknown backup kind {kind!r}: use {', '.join(BACKUP_KINDS)}")


@contextlib.contextmanager
def _quiesced(
    actor: Account | None, *, domain: Domain | None, account: Account | None,
    suspend_domain: bool, pause_account: bool, kill_sessions: bool,
) -> Iterator[None]:
    """The seed's advice: copy a domain while it is suspended, an account while its services are
    disabled and its sessions killed; everything is put back as it was afterwards."""
    from accounts.services import account_kill_sessions, account_update_settings
    from domains.services import domain_resume, domain_suspend

    resume = False
    paused_from: Value = None
    paused = False
    try:
        if suspend_domain:
            if domain is None:
                raise InvalidInput("--suspend-domain applies to a domain backup")
            if not domain.suspended:
                domain_suspend(actor=actor, domain=domain)
                resume = True
        if (pause_account or kill_sessions) and account is None:
            raise InvalidInput("pausing services and killing sessions apply to an account's backups")
        if pause_account:
            assert account is not None
            paused_from = account.settings.get(ACCESS_MODES, "default")
            account_update_settings(actor=actor, account=account, updates={ACCESS_MODES: PAUSED_SERVICES})
            paused = True
        if kill_sessions:
            assert account is not None
            account_kill_sessions(actor=actor, account=account)
        yield
    finally:
        if paused:
            assert account is not None
            account_update_settings(actor=actor, account=account, updates={ACCESS_MODES: paused_from})
        if resume:
            assert domain is not None
            domain_resume(actor=actor, domain=domain)


def backup_create(
    *, actor: Account | None, output: Path, kind: str, domain: Domain | None = None, account: Account | None = None,
    mailbox: str = "", suspend_domain: bool = False, pause_account: bool = False, kill_sessions: bool = False,
    progress: bool = False,
) -> BackupResult:
    """Archive the base directory, whole or one part (tar.gz), optionally with the domain suspended
    or the account's services paused and sessions killed for the duration."""
    require_server_right(actor, rights.MASTER)
    output = output.absolute()
    if output.exists() and output.is_dir():
        raise InvalidInput(f"{output} is a folder: name the archive file")
    if domain is None and account is not None and suspend_domain:
        domain = account.domain
    entries, what = backup_entries(kind, domain=domain, account=account, mailbox=mailbox)
    base = paths.base()
    missing = [name for name in entries if not (base / name).exists()]
    if missing:
        raise GeneralError(f"nothing to back up at {', '.join(missing)} in {base}")
    skip = _skipper(output)
    with _quiesced(actor, domain=domain, account=account, suspend_domain=suspend_domain,
                   pause_account=pause_account, kill_sessions=kill_sessions):
        sources = [source for name in entries for source in archive.walk_sources(base, name, skip=skip)]
        files, size = archive.write_archive(output, sources, progress=progress)
    with transaction.atomic():
        audit(actor=actor, event=Event.BASEDIR_BACKUP, object_type="basedir", object_name=what,
              domain_name=domain.name if domain else (account.domain.name if account else ""),
              after={"Archive": str(output), "Files": files, "Bytes": size})
    return BackupResult(output, what, files, size)


# --- restore -----------------------------------------------------------------------------------


def _require_stopped(what: str) -> None:
    from server.lock import running_pid

    pid = running_pid(paths.base() / PROCESS_ID)
    if pid is not None:
        raise GeneralError(f"restoring {what} requires the server to be stopped (the seed's Backup and Recovery): "
                           f"a server (pid {pid}) is running on {paths.base()}; stop it first")


RestoreResult = R.RestoreResult


def _restore(actor: Account | None, archive_path: Path, plan: R.Plan) -> RestoreResult:
    """Check and stage the archive, validate, then apply the plan: files and database, all or nothing."""
    require_server_right(actor, rights.MASTER)
    with archive.staging(paths.base()) as stage:
        staged = archive.read_archive(archive_path, stage / "tree", select=plan.select)
        plan.validate(staged)
        swap = archive.Swap(stage / "replaced", base=paths.base())
        try:
            with transaction.atomic():
                result = plan.apply(actor, staged, swap)
                audit(actor=actor, event=Event.BASEDIR_RESTORE, object_type="basedir", object_name=result.what,
                      domain_name=plan.domain_name, after={"Archive": str(archive_path), "Files": result.files})
        except BaseException:
            swap.undo()
            raise
        swap.finish()
    return result


def restore_account(
    *, actor: Account | None, archive_path: Path, account: Account, source: str | None = None
) -> RestoreResult:
    """Restore an Account's files into the existing Account, then ClearAccountCache (and its
    preferences and mailbox list) so the database holds what the files say."""
    return _restore(actor, archive_path, R.AccountPlan(account=account, source=source or account.address))


def restore_mailbox(
    *, actor: Account | None, archive_path: Path, account: Account, mailbox: str, new_name: str | None = None,
    over: bool = False, source: str | None = None,
) -> RestoreResult:
    """Restore a Mailbox as a copy under a new name (by default), or over an existing mailbox of
    the same type (the only way for calendars, contacts and other non-mail mailboxes)."""
    return _restore(actor, archive_path, R.MailboxPlan(
        account=account, source=source or account.address, mailbox=mailbox, new_name=new_name, over=over))


def restore_files(
    *, actor: Account | None, archive_path: Path, account: Account, source: str | None = None
) -> RestoreResult:
    """Restore files into an account's File Storage (files not in the archive stay)."""
    return _restore(actor, archive_path, R.FilesPlan(account=account, source=source or account.address))


def restore_domain(
    *, actor: Account | None, archive_path: Path, name: str, new_name: str | None = None
) -> RestoreResult:
    """Restore a Domain, under its name or another one (created when missing), with its settings
    and accounts reloaded into the database; the server must be stopped."""
    _require_stopped("a domain")
    return _restore(actor, archive_path, R.DomainPlan(name=name, new_name=new_name))


def restore_settings(*, actor: Account | None, archive_path: Path, files: list[str] | None = None) -> RestoreResult:
    """Restore server settings files (all, or the ones named) and reload them into the database;
    the server must be stopped."""
    _require_stopped("the server settings")
    return _restore(actor, archive_path, R.SettingsPlan(files=files or []))


def restore_logs(
    *, actor: Account | None, archive_path: Path, files: list[str] | None = None, new_name: str | None = None
) -> RestoreResult:
    """Restore Server Log files (all, or the ones named; one may take another name)."""
    return _restore(actor, archive_path, R.LogsPlan(files=files or [], new_name=new_name))


def restore_directory(*, actor: Account | None, archive_path: Path, files: list[str] | None = None) -> RestoreResult:
    """Restore Central Directory files (all, or the ones named); the server must be stopped."""
    _require_stopped("the Directory")
    return _restore(actor, archive_path, R.DirectoryPlan(files=files or []))


def restore_all(*, actor: Account | None, archive_path: Path, skip_unrestorable: bool = False) -> RestoreResult:
    """Restore everything a whole-directory backup holds, object by object; parts that must never
    be restored (Queue/, Submitted/, BadFiles/, ProcessID) refuse it unless they are skipped."""
    _require_stopped("a whole base directory")
    return _restore(actor, archive_path, R.AllPlan(skip_unrestorable=skip_unrestorable))


def archive_contents(*, actor: Account | None, archive_path: Path) -> list[tuple[str, str]]:
    """What an archive holds, object by object, with what restore would do with each."""
    require_server_right(actor, rights.MASTER)
    with archive.staging(paths.base()) as stage:
        staged = archive.read_archive(archive_path, stage / "tree", select=lambda name: False)
    return R.describe(staged.names)
