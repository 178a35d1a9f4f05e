"""CLI verbs of the Server section that concern the General page and the server itself."""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings

from cgadmin.dataformat import Value
from cli.registry import NULL, SERVER, Call, Reply, verb
from server import selectors, services


@verb("GetServerSettings", rights="Settings or Master", section=SERVER)
def get_server_settings(call: Call) -> Value:
    """The General page's settings (Main.settings), the Main Domain Name included."""
    return selectors.server_settings_for(call.actor)


@verb("UpdateServerSettings settings:dict", rights="Settings or Master", section=SERVER)
def update_server_settings(call: Call, settings: dict) -> None:
    """Change General page settings; a new DomainName renames the Main Domain."""
    services.server_settings_update(actor=call.actor, updates=settings)


@verb("GetVersion", rights="any logged-in account", section=SERVER)
def get_version(call: Call) -> Value:
    """The CommuniGate Pro version this server speaks for."""
    return settings.CGATE_VERSION


@verb("GetSystemInfo what:str", rights="Settings or Master", section=SERVER)
def get_system_info(call: Call, what: str) -> Reply:
    """One item of the General page's information: Version, ServerOS, UpTime, LocalIPs, ..."""
    value = selectors.system_info(call.actor, what)
    return NULL if value is None else value


@verb("GetCurrentTime", rights="any logged-in account", section=SERVER)
def get_current_time(call: Call) -> Value:
    """The server's time (GMT)."""
    return datetime.now(UTC).replace(microsecond=0, tzinfo=None)


@verb("RefreshOSData", rights="Settings or Master", section=SERVER)
def refresh_os_data(call: Call) -> None:
    """Re-read the local IP addresses and name servers (the General page's Refresh)."""
    services.network_refresh_request(actor=call.actor)


@verb("SHUTDOWN", rights="Master", section=SERVER)
def shutdown(call: Call) -> None:
    """Stop the server gracefully, as SIGTERM does."""
    services.server_shutdown(actor=call.actor)


@verb("GetServerStrings", rights="Settings or Master", section=SERVER)
def get_server_strings(call: Call) -> Value:
    """The customised Server Strings {Keyword="text";...}; every string not listed has its default."""
    return selectors.server_strings_customised(call.actor)


@verb("SetServerStrings strings:dict", rights="Settings or Master", section=SERVER)
def set_server_strings(call: Call, strings: dict) -> None:
    """Customise Server Strings; a value of `default` restores a string's default text."""
    services.server_strings_update(actor=call.actor, updates=strings)
