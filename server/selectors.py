"""Reads of the server's own settings and state: the General page, the running server."""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from basedir.layout import PROCESS_ID
from cgadmin.catalogue import Layer, effective_values, parse_bool
from cgadmin.dataformat import Value, value_list
from domains.models import Domain
from domains.selectors import main_domain
from domains.settings_schema import USING_DNS
from server import documents
from server.lock import running_pid
from server.settings_schema import MAIN

DOMAIN_NAME = "DomainName"


def ip_assignments() -> dict[str, str]:
    """Each assigned address and the domain it belongs to: listed ones, then DNS-found ones."""
    network = documents.read(documents.NETWORK)
    by_dns: dict[str, Value] = network.get("DomainIPs") or {}  # type: ignore[assignment]
    assigned: dict[str, str] = {}
    for domain in Domain.objects.only("name", "settings").order_by("-is_main", "name"):
        listed = domain.settings.get("IPAddresses")
        addresses = by_dns.get(domain.name, []) if listed == USING_DNS else (listed or [])
        for address in addresses:  # type: ignore[union-attr]
            assigned.setdefault(str(address).strip("[]"), domain.name)
    return assigned


def server_ip_rows() -> list[tuple[str, str | None]]:
    """The General page's Server IP Addresses: (address, its domain or None when un-assigned)."""
    from server import osinfo

    network = documents.read(documents.NETWORK)
    addresses = network.get("LocalIPs")
    if addresses is None:
        addresses = value_list(osinfo.runtime_local_ip_addresses(documents.read(documents.RUNTIME)))
    assigned = ip_assignments()
    return [(str(address), assigned.get(str(address))) for address in addresses]  # type: ignore[union-attr]


def general_settings_effective():
    """The General page's settings with their sources, the Main Domain Name included."""
    from cgadmin.catalogue import EffectiveValue, Layer, effective
    from domains.selectors import main_domain
    from server.settings_schema import MAIN

    values = effective(MAIN, [Layer("explicit", documents.read(documents.MAIN))])
    values["DomainName"] = EffectiveValue(main_domain().name, "explicit")
    return values


def uptime_text(seconds: int) -> str:
    days, rest = divmod(max(seconds, 0), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    return _("%(days)s day(s) %(hours)s hour(s) %(minutes)s min %(secs)s sec") % {
        "days": days, "hours": hours, "minutes": minutes, "secs": secs}


def general_info() -> dict:
    """The General page's information fields."""
    from datetime import datetime

    from django.conf import settings

    from server import osinfo

    runtime = documents.read(documents.RUNTIME)
    network = documents.read(documents.NETWORK)
    started = runtime.get("StartedAt")
    uptime = uptime_text(int((datetime.now() - started).total_seconds())) if isinstance(started, datetime) else ""
    parameters = runtime.get("StartupParameters") or []
    return {
        "os": osinfo.os_name(),
        "hardware": osinfo.hardware(),
        "version": settings.CGATE_VERSION,
        "cgadmin_version": settings.CGADMIN_VERSION,
        "ipv6": (gettext_noop("Enabled") if osinfo.ipv6_supported() and runtime.get("IPv6") != "NO"
                 else gettext_noop("Disabled")),
        "uptime": uptime or gettext_noop("not running under cgserver"),
        "dns_servers": network.get("DNSServers") or osinfo.dns_servers(),
        "ip_rows": server_ip_rows(),
        "startup_parameters": " ".join(f'"{item!s}"' for item in parameters),  # type: ignore[union-attr]
        "refreshed_at": network.get("RefreshedAt"),
        "root_privilege": runtime.get("RootPrivilege") or "",
        "run_as": runtime.get("RunAs") or "",
    }


def server_strings_customised(actor) -> dict[str, Value]:
    """The customised Server Strings only (GetServerStrings; Settings/Strings.settings): Settings right."""
    from realms import rights as R
    from realms.permissions import require_server_right

    require_server_right(actor, R.SETTINGS)
    return documents.read(documents.STRINGS)


def server_settings_for(actor):
    """The General page's settings in force (GetServerSettings): the Settings right is needed."""
    from realms import rights as R
    from realms.permissions import require_server_right
    require_server_right(actor, R.SETTINGS)
    return server_settings()


SYSTEM_INFO_KEYS = ("Version", "ServerOS", "Hardware", "ServerName", "MainDomainName", "StartTime", "UpTime",
                    "IPv6", "DNSServers", "LocalIPs", "CurrentTime", "PID", "StartupParameters")


def system_info(actor, what: str):
    """One item of the General page's information (GetSystemInfo what): the Settings right is needed."""
    from datetime import UTC, datetime

    from django.conf import settings

    from cgadmin.errors import InvalidInput
    from domains.selectors import main_domain
    from realms import rights as R
    from realms.permissions import require_server_right
    from server import osinfo

    require_server_right(actor, R.SETTINGS)
    key = {name.lower(): name for name in SYSTEM_INFO_KEYS}.get(what.lower())
    if key is None:
        raise InvalidInput(f"unknown system information {what!r}: use one of {', '.join(SYSTEM_INFO_KEYS)}")
    runtime = documents.read(documents.RUNTIME)
    started = runtime.get("StartedAt")
    readers = {
        "Version": lambda: settings.CGATE_VERSION,
        "ServerOS": osinfo.os_name,
        "Hardware": osinfo.hardware,
        "ServerName": osinfo.host_name,
        "MainDomainName": lambda: main_domain().name,
        "StartTime": lambda: started,
        "UpTime": lambda: int((datetime.now() - started).total_seconds()) if isinstance(started, datetime) else None,
        "IPv6": lambda: "YES" if osinfo.ipv6_supported() and runtime.get("IPv6") != "NO" else "NO",
        "DNSServers": lambda: documents.read(documents.NETWORK).get("DNSServers") or osinfo.dns_servers(),
        "LocalIPs": lambda: [address for address, _ in server_ip_rows()],
        "CurrentTime": lambda: datetime.now(UTC).replace(microsecond=0, tzinfo=None),
        "PID": lambda: runtime.get("PID"),
        "StartupParameters": lambda: runtime.get("StartupParameters") or [],
    }
    return readers[key]()


def snmp_system_group(agent_started: float):
    """What the SNMP agent answers: version and OS, start time, Main Domain Name, contact, location, community."""
    from datetime import datetime

    from django.conf import settings

    from server import osinfo
    from server.snmp import SystemGroup

    values = server_settings()
    started = documents.read(documents.RUNTIME).get("StartedAt")
    return SystemGroup(
        description=f"CommuniGate Pro {settings.CGATE_VERSION} (cgadmin {settings.CGADMIN_VERSION}) "
                    f"on {osinfo.os_name()} {osinfo.hardware()}",
        started=started.timestamp() if isinstance(started, datetime) else agent_started,
        name=str(values.get("DomainName") or ""),
        contact=str(values.get("ContactPerson") or ""),
        location=str(values.get("ServerLocation") or ""),
        community=str(values.get("SNMPCommunity") or ""),
    )


def root_privilege_request() -> str:
    """What the General page last asked of the running server: `drop`, `restore` or ``."""
    return str(documents.read(documents.RUNTIME).get("RootPrivilegeRequest") or "")


def root_privilege_state() -> str:
    """The running server's root privilege: root, dropped, dropped permanently or not root."""
    return str(documents.read(documents.RUNTIME).get("RootPrivilege") or "")


def server_settings() -> dict[str, Value]:
    """The General page's settings in force (GetServerSettings): defaults, Main.settings, the name."""
    values = effective_values(MAIN, [Layer("explicit", documents.read(documents.MAIN))])
    values[DOMAIN_NAME] = main_domain().name
    return values


def server_settings_flag(name: str) -> bool:
    """A YES/NO setting of the General page in force (e.g. SeparateAdminRealms)."""
    values = effective_values(MAIN, [Layer("explicit", documents.read_cached(documents.MAIN))])
    return parse_bool(values[name])


def separate_realms_enabled() -> bool:
    """Whether the WebAdmin serves each realm at /<Realm>/ (Separate Admin Realms) or at /Master/."""
    return server_settings_flag("SeparateAdminRealms")


def server_pid() -> int | None:
    """The running server's pid from the base directory's ProcessID (locked, or --lockLockFile NO)."""
    path = settings.CGATE_BASE / PROCESS_ID
    return running_pid(path) or running_pid(path, locked=False)
