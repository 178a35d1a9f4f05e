"""The server-wide dictionaries (one ServerDocument row each), read and written whole.

Only services write them (they check rights and record the audit entry); anyone may read."""

from django.core.cache import cache
from django.db import transaction

from cgadmin.dataformat import Value
from cgadmin.oncommit import current_transaction_state, transaction_state
from server.models import ServerDocument

CACHE_SECONDS = 60

MAIN = "Main"  # the General page (Settings/Main.settings)
DOMAIN_DEFAULTS = "DomainDefaults"  # server-wide Domain defaults (Settings/DomainDefault.settings)
ACCOUNT_DEFAULTS = "AccountDefaults"  # server-wide Account Defaults
ACCOUNT_PREFS = "AccountPrefs"  # server-wide Default Preferences (Settings/AccountPrefs.settings)
STRINGS = "Strings"  # customised Server Strings (Settings/Strings.settings)
LOG = "Log"  # Log Manager settings (Settings/Log.settings)
NETWORK = "Network"  # what Refresh read from the OS and DNS
RUNTIME = "Runtime"  # the running server: start time, startup parameters


def read(name: str) -> dict[str, Value]:
    """The document's dictionary ({} when never written)."""
    row = ServerDocument.objects.filter(name=name).only("data").first()
    return dict(row.data) if row else {}


def read_cached(name: str) -> dict[str, Value]:
    """The document through the shared cache: for what every request reads (defaults, General flags)."""
    if name in _written_in_this_transaction():
        return read(name)  # a write not yet committed (perhaps to be rolled back) is never cached
    key = _cache_key(name)
    data = cache.get(key)
    if data is None:
        data = read(name)
        cache.set(key, data, CACHE_SECONDS)
    return dict(data)


def write(name: str, data: dict[str, Value]) -> None:
    """Replace the document (callers hold the transaction and record the change)."""
    ServerDocument.objects.update_or_create(name=name, defaults={"data": data})
    _note_written(name)
    key = _cache_key(name)
    cache.delete(key)
    # Again after commit: a reader between this write and the commit may have cached the old value.
    transaction.on_commit(lambda: cache.delete(key))


_WRITTEN = "server.documents.written"  # the names of the documents the open transaction wrote


def _written_in_this_transaction() -> set[str]:
    return current_transaction_state(_WRITTEN) or set()


def _note_written(name: str) -> None:
    written: set[str] | None = transaction_state(_WRITTEN, set)
    if written is not None:  # None: committed already
        written.add(name)


def _cache_key(name: str) -> str:
    return f"server-document:{name}"
