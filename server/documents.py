"""The server-wide dictionaries (one ServerDocument row each), read and written whole.

Only services write them (they check rights and record the audit entry); anyone may read."""

from cgadmin.dataformat import Value
from server.models import ServerDocument

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


def write(name: str, data: dict[str, Value]) -> None:
    """Replace the document (callers hold the transaction and record the change)."""
    ServerDocument.objects.update_or_create(name=name, defaults={"data": data})
