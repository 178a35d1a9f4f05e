"""The server's own settings: the General page (Settings/Main.settings)."""

from django.conf import settings

from cgadmin.catalogue import Catalogue, Kind, Level, SettingDef
from cgadmin.dataformat import Value

LOG_LEVELS = ("None", "Crashes", "Major", "Problems", "Low-Level", "All Info")


def check_log_level(value: Value) -> Value:
    """A log level is a digit 0-5, sent as a number or a string."""
    from cgadmin.errors import InvalidInput

    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if text.isdigit() and int(text) < len(LOG_LEVELS):
        return value
    raise InvalidInput(f"{value!r} is not a log level: use 0 to 5 ({', '.join(LOG_LEVELS)})")


def check_journal_account(value: Value) -> Value:
    """An account name, `name` (Main Domain) or `name@domain`, or empty for no journal."""
    from cgadmin.errors import InvalidInput

    if not isinstance(value, str) or any(char.isspace() for char in value.strip()) or value.count("@") > 1:
        raise InvalidInput(f"{value!r} is not an account name (name or name@domain)")
    return value.strip()


GENERAL = "General"

MAIN = Catalogue(
    "server",
    [
        SettingDef(
            "DomainName", Kind.STRING, "", GENERAL, "Main Domain Name", Level.BASIC,
            help="Mail to this domain is local. No national symbols; changing it renames the Main Domain.",
        ),
        SettingDef(
            "ContactPerson", Kind.STRING, "", GENERAL, "Contact Person", Level.BASIC,
            help="Who to contact about this server, and how (SNMP sysContact).",
        ),
        SettingDef(
            "ServerLocation", Kind.STRING, "", GENERAL, "Server Location", Level.BASIC,
            help="The physical location of this node, e.g. 'telephone closet, 3rd floor' (SNMP sysLocation).",
        ),
        SettingDef(
            # production: no community anyone can guess, so the agent is off until one is set
            "SNMPCommunity", Kind.STRING, "" if settings.PRODUCTION else "public", GENERAL, "SNMP Community",
            Level.ADVANCED,
            help="The community string SNMP managers must send to read sysName, sysContact, sysLocation, ... "
                 "Empty: the SNMP agent answers nobody.",
        ),
        SettingDef(
            "LogLevel", Kind.NUMBER, 2, GENERAL, "Server Internals Log", Level.ADVANCED,
            check=check_log_level, choices=LOG_LEVELS,
            help="What the kernel records in the Server Log under the SYSTEM tag. Major is the usual level.",
        ),
        SettingDef(
            "CrashRecovery", Kind.BOOL, "YES", GENERAL, "Crash Recovery", Level.EXPERT,
            help="Restart a failing component and log it; off, the server stops and leaves a crash report.",
        ),
        SettingDef(
            "SeparateAdminRealms", Kind.BOOL, "NO", GENERAL, "Separate WebAdmin Realms", Level.ADVANCED,
            help="Off: pages at /Master/<realm>/ with the Master right. On: /<realm>/, each realm's own right.",
        ),
        SettingDef(
            "RequireAdminTOTP", Kind.BOOL, "NO", GENERAL, "Require a Second Factor of Server Administrators",
            Level.ADVANCED,
            help="On: every server administrator logs into the WebAdmin with a one-time code from an authenticator "
                 "app (set up on the Preferences page; HTTP Basic is then refused for them).",
        ),
        SettingDef(
            "JournalAccount", Kind.STRING, "", "Journaling", "Journal Account", Level.EXPERT,
            check=check_journal_account,
            help="An account (name or name@domain) that gets a copy of every locally delivered message, "
                 "to recover mail users deleted. Empty: no journal.",
        ),
    ],
    # Server settings this server has no page for (ExternalFilters, ExternalAUTH, TLS..., ...) are
    # kept and returned as CommuniGate keeps them, so a Main.settings from a real server restores.
    allow_custom=True,
    effects={
        "DomainName": "names the Main Domain: bare names and mail to it are local",
        "ContactPerson": "the SNMP agent's sysContact",
        "ServerLocation": "the SNMP agent's sysLocation",
        "SNMPCommunity": "the community the SNMP agent answers (empty: nobody)",
        "LogLevel": "the Server Log level of the SYSTEM component",
        "CrashRecovery": "a failing component is restarted and logged (off: the server stops)",
        "SeparateAdminRealms": "WebAdmin realms at /<realm>/, each under its own right",
        "RequireAdminTOTP": "server administrators log in with a one-time code",
        "JournalAccount": "gets a copy of every locally delivered message (queue)",
    },
)
