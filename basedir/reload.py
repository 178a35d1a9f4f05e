"""ClearAccountCache: an account's settings and info re-read from its files in the base directory
into the database, through the accounts' services. Backup restore reloads restored accounts with it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from accounts.models import Account
from accounts.password_forms import stored_form_of
from accounts.rows import store_info
from accounts.services import PASSWORD, account_update_settings
from accounts.usage import follow_info, recount_storage
from basedir import nofollow, outbox, paths
from basedir.render import STORAGE_USED
from cgadmin.dataformat import DataFormatError, Value, load_settings_file
from cgadmin.errors import GeneralError, InvalidInput
from domains.selectors import account_foldering
from logs.audit import audit
from logs.events import Event
from realms.permissions import check_account

BASIC = "BasicSettings"


def read_settings_file(path: Path, *, shown: str) -> dict[str, Value]:
    """A settings file's dictionary, or a clear error naming the file that is missing or bad."""
    try:
        text = nofollow.read_bytes(path).decode("utf-8")
    except FileNotFoundError:
        raise GeneralError(f"{shown} does not exist") from None
    except nofollow.SymlinkRefused:
        raise GeneralError(f"{shown} is reached through a symbolic link: refused") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{shown} is not UTF-8 text") from None
    try:
        return load_settings_file(text)
    except DataFormatError as error:
        raise InvalidInput(f"{shown} does not parse: {error}") from None


# --- ClearAccountCache -------------------------------------------------------------------------


@dataclass(frozen=True)
class ClearedCache:
    """What re-reading the account's files changed in the database."""

    settings: tuple[str, ...]
    info: tuple[str, ...]


def info_from_file(values: Mapping[str, Value]) -> dict[str, Value]:
    """account.info names volatile keys with a '#' ("#LastLogin"); the database without. StorageUsed
    is counted from the mailboxes, never stored."""
    info = {key[1:] if key.startswith("#") else key: value for key, value in values.items()}
    info.pop(STORAGE_USED, None)
    return info


@transaction.atomic
def account_clear_cache(*, actor: Account | None, account: Account) -> ClearedCache:
    """Re-read account.settings and account.info from the base directory into the database."""
    check_account(actor, account, write=True, right=BASIC)
    foldering = account_foldering(account)
    settings_file = paths.account_settings_file(account, foldering)
    info_file = paths.account_info_file(account, foldering)
    settings = read_settings_file(settings_file, shown=paths.relative(settings_file))
    info = read_settings_file(info_file, shown=paths.relative(info_file)) if info_file.exists() else {}
    updates: dict[str, Value] = {}
    password: Value = None
    for key, value in settings.items():
        if key.lower() == PASSWORD.lower():
            password = value
        else:
            updates[key] = value
    # The password only when it differs: a stored form (CommuniGate's \001-marked or our earlier
    # unmarked one) is compared as stored, a clear-text one (PasswordEncryption clear) is checked.
    if isinstance(password, str) and password:
        stored = stored_form_of(password)
        if (stored != account.password) if stored is not None else not account.check_password(password):
            updates[PASSWORD] = password
    change = account_update_settings(actor=actor, account=account, updates=updates, replace=True,
                                     stored_form=True)  # the files hold the stored form
    account.refresh_from_db()
    new_info = info_from_file(info)
    info_changed = tuple(sorted(k for k in set(new_info) | set(account.info) if new_info.get(k) != account.info.get(k)))
    if info_changed:
        store_info(account, new_info)
        outbox.mark_dirty(outbox.ACCOUNT, account.pk)
    follow_info(account, new_info)  # the Accounts list's columns follow the files too
    recount_storage(account)
    changed = tuple(change.changed) + ((PASSWORD,) if PASSWORD in updates else ())
    audit(actor=actor, event=Event.ACCOUNT_CLEAR_CACHE, object_type="account", object_name=account.address,
          domain_name=account.domain.name, after={"Settings": list(changed), "Info": list(info_changed)})
    return ClearedCache(changed, info_changed)
