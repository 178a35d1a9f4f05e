"""Account settings and preferences, grouped as the seed's rights table (Account Settings).

A Domain Administrator changes a setting only with the right named in its entry; custom and
public info settings, RealName and the password come under BasicSettings (spec/rights.md)."""

import time
import zoneinfo
from functools import cache

from django.utils.translation import gettext as _

from cgadmin.catalogue import (
    NO_EFFECT,
    Catalogue,
    Kind,
    Level,
    SettingDef,
    check_percent,
    services_checker,
)
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from domains.settings_schema import SERVICES

BASIC = "BasicSettings"
HOST_OS_ZONE = "HostOS"
PASSWORD_ENCRYPTIONS = ("Argon2id", "PBKDF2", "A-crpt", "clear")
RULES = ("Any", "Filter Only", "No Redirect", "None")
# The format of new mailboxes, in the words of the WebAdmin and of CommuniGate's files alike.
MAILBOX_TYPES = ("Text", "MailDir", "TextMailbox", "MailDirMailbox")
# CommuniGate's own storage formats, which this server does not write (README: Mailbox formats).
UNSERVED_MAILBOX_TYPES = ("Sliced", "SlicedMailbox", "mslc", "mb4")
UNSERVED_MAILBOX_FORMAT = ("Sliced (.mslc) and 4th-version (.mb4) mailboxes are CommuniGate's own formats, "
                           "which this server does not store: choose Text or MailDir")


def check_bool_or_percent(value: Value) -> Value:
    """YES / NO, or a percentage of the quota (`95%`, `95`), kept as sent."""
    if isinstance(value, str) and value.upper() in ("YES", "NO"):
        return value.upper()
    return check_percent(value)


def check_device_list(value: Value) -> Value:
    """AirSync clients: `All`, `None`, or a list of device names / ids, kept as sent."""
    if isinstance(value, str) and value.lower() in ("all", "none"):
        return value.capitalize()
    if isinstance(value, list) and all(isinstance(item, str) and item for item in value):
        return value
    raise InvalidInput(f"{value!r} is not All, None or a list of device names")


def check_mailbox_type(value: Value) -> Value:
    """DefaultMailboxType: Text or MailDir (in either spelling); Sliced is refused with the reason."""
    if isinstance(value, str):
        for choice in MAILBOX_TYPES:
            if choice.lower() == value.lower():
                return choice
        if value.lower() in (name.lower() for name in UNSERVED_MAILBOX_TYPES):
            raise InvalidInput(UNSERVED_MAILBOX_FORMAT)
    raise InvalidInput(f"{value!r} is not one of: {', '.join(MAILBOX_TYPES)}")


def _account(name, kind, default, group, label, level=Level.ADVANCED, **extra) -> SettingDef:
    extra.setdefault("right", name)
    return SettingDef(name, kind, default, group, label, level, **extra)


def _flow(name, group, label, level=Level.EXPERT) -> SettingDef:
    return _account(name, Kind.FLOW, ["unlimited", "1h"], group, label, level)


ACCOUNT = Catalogue(
    "account",
    [
        _account("RealName", Kind.STRING, "", "Basic Settings", "Real Name", Level.BASIC, right=BASIC),
        _account("ServiceClass", Kind.STRING, "", "Class of Service", "Class of Service"),
        _account("AccessModes", Kind.SERVICES, "All", "Enabled Services", "Enabled Services", Level.BASIC,
                 choices=SERVICES, check=services_checker(SERVICES)),
        _account("UseAppPassword", Kind.BOOL, "YES", "CommuniGate Password", "Allow to Use"),
        _account("PWDAllowed", Kind.BOOL, "YES", "CommuniGate Password", "Allow to Modify", Level.BASIC),
        _account("PasswordEncryption", Kind.ENUM, "Argon2id", "CommuniGate Password", "Encryption",
                 choices=PASSWORD_ENCRYPTIONS,
                 help="Argon2id: one-way hash (secure, the default). PBKDF2: the older one-way hash. "
                      "A-crpt: encrypted with the server key, allows APOP. "
                      "clear: kept as clear text (not recommended)."),
        _account("RequireAPOP", Kind.BOOL, "NO", "Authentication methods", "Secure only"),
        _account("UseKerberosPassword", Kind.BOOL, "NO", "Authentication methods", "Kerberos Authentication",
                 Level.EXPERT),
        _account("UseCertificateAuth", Kind.BOOL, "NO", "Authentication methods", "Certificate Authentication",
                 Level.EXPERT),
        _account("UseSysPassword", Kind.BOOL, "NO", "Authentication methods", "Enable OS Password",
                 Level.EXPERT),
        _account("OSUserName", Kind.STRING, "", "Authentication methods", "Server OS user name", Level.EXPERT),
        _account("UseExtPassword", Kind.BOOL, "NO", "Authentication methods", "External Authentication",
                 Level.EXPERT),
        _account("LogLogin", Kind.BOOL, "NO", "Authentication methods", "Log login/logout events"),
        _account("FailedLoginFlow", Kind.FLOW, ["10", "10m"], "Authentication methods", "Failed Login Limit",
                 right="FailedLoginFlows"),
        _flow("MailInpFlow", "Mail Transfer options", "Incoming Mail Limit", Level.ADVANCED),
        _flow("MailOutFlow", "Mail Transfer options", "Outgoing Mail Limit", Level.ADVANCED),
        _account("MaxMessageSize", Kind.SIZE, "unlimited", "Mail Transfer options", "Incoming Message Size Limit"),
        _account("MaxMailOutSize", Kind.SIZE, "unlimited", "Mail Transfer options", "Outgoing Message Size Limit"),
        _account("MailToAll", Kind.BOOL, "YES", "Mail processing options", "Accept Mail to all"),
        _account("AddMailTrailer", Kind.BOOL, "NO", "Mail processing options", "Add Trailer to Sent Mail",
                 Level.EXPERT),
        _account("RulesAllowed", Kind.ENUM, "Any", "Mail processing options", "Rules", choices=RULES),
        _account("RPOPAllowed", Kind.BOOL, "YES", "Mail processing options", "RPOP Accounts", Level.EXPERT),
        _account("QuotaNotice", Kind.PERCENT, "90%", "Mail Quota Processing", "Send Notice", Level.EXPERT,
                 check=check_percent),
        _account("QuotaAlert", Kind.PERCENT, "95%", "Mail Quota Processing", "Send Alerts", Level.EXPERT,
                 check=check_percent),
        _account("QuotaSuspend", Kind.SHARE, "NO", "Mail Quota Processing", "Delay New Mail",
                 check=check_bool_or_percent,
                 help="YES: when the account is over its quota, keep new mail in the queue instead of rejecting "
                      "it. A share of the quota in percent, as CommuniGate writes it (95 and a percent sign): new "
                      "mail waits from that share of the quota on."),
        _account("MaxAccountSize", Kind.SIZE, "unlimited", "Mail Storage limits", "Mail Storage", Level.BASIC),
        _account("MaxMailboxes", Kind.COUNT, "unlimited", "Mail Storage limits", "Mailboxes"),
        _account("DefaultMailboxType", Kind.ENUM, "Text", "Mail Storage options", "New Mailboxes",
                 choices=MAILBOX_TYPES, check=check_mailbox_type),
        _account("MaxSignalContacts", Kind.COUNT, "unlimited", "Signal processing limits", "Contacts",
                 Level.EXPERT),
        _account("SignalRulesAllowed", Kind.ENUM, "Any", "Signal processing options", "Rules", Level.EXPERT,
                 choices=RULES),
        _account("CallsLimit", Kind.COUNT, "unlimited", "Signals", "Concurrent Calls", Level.EXPERT),
        _account("CallLogs", Kind.BOOL, "NO", "Signals", "Call Logs", Level.EXPERT),
        _account("DialogInfo", Kind.BOOL, "NO", "Signals", "Call Info", Level.EXPERT),
        _flow("CallInpFlow", "Signals", "Incoming Calls Limit"),
        _flow("CallOutFlow", "Signals", "Outgoing Calls Limit"),
        _account("RSIPAllowed", Kind.BOOL, "YES", "Signals", "RSIP Registrations", Level.EXPERT),
        _account("AirSyncAllowed", Kind.ANY, "All", "Signals", "AirSync clients", Level.EXPERT,
                 check=check_device_list),
        _account("MaxRosterItems", Kind.COUNT, "unlimited", "Signals", "Roster Items", Level.EXPERT),
        _account("IMLogs", Kind.BOOL, "NO", "Signals", "IM Logs", Level.EXPERT),
        _flow("NotifyOutFlow", "Signals", "Outgoing NOTIFY Requests Limit"),
        _account("PSTNSettings", Kind.DICT, {}, "PSTN", "PSTN settings", Level.EXPERT),
        _account("MaxWebSize", Kind.SIZE, "unlimited", "File Storage limits", "Web Storage"),
        _account("MaxFileSize", Kind.SIZE, "unlimited", "File Storage limits", "File Size", Level.EXPERT),
        _account("MaxWebFiles", Kind.COUNT, "unlimited", "File Storage limits", "Web Files", Level.EXPERT),
        _account("AddWebBanner", Kind.BOOL, "NO", "File Storage options", "Add Web Banner", Level.EXPERT),
        _account("DefaultWebPage", Kind.STRING, "index.html", "File Storage options", "Default Web Page",
                 Level.EXPERT),
        # The administrator's own WebAdmin Preferences (Interface Type, objects per page, ...).
        SettingDef("WebAdminPrefs", Kind.DICT, {}, "WebAdmin", "WebAdmin Preferences", Level.EXPERT),
    ],
    allow_custom=True,
    custom_right=BASIC,
    effects={
        "RealName": "the account's name in the directory and on its pages",
        "ServiceClass": "the Class of Service whose settings lie under the account's own",
        "AccessModes": "mail without Mail fails; logins only to enabled services",
        "UseAppPassword": "NO: the password opens no login (form, HTTP Basic, CLI, APOP)",
        "PWDAllowed": "the user may change the password",
        "PasswordEncryption": "how a new password is stored",
        "RequireAPOP": "the CLI refuses clear-text passwords",
        "UseKerberosPassword": NO_EFFECT,
        "UseCertificateAuth": NO_EFFECT,
        "UseSysPassword": NO_EFFECT,
        "OSUserName": NO_EFFECT,
        "UseExtPassword": NO_EFFECT,
        "LogLogin": "a Server Log record of each login and logout",
        "FailedLoginFlow": "failed logins beyond the flow are refused for a while",
        "MailInpFlow": "messages to the account beyond n per period wait in the queue",
        "MailOutFlow": "messages the account sends beyond n per period are refused (queue)",
        "MaxMessageSize": "larger messages to the account fail (queue)",
        "MaxMailOutSize": "larger messages the account sends are refused (queue)",
        "MailToAll": NO_EFFECT,
        "AddMailTrailer": "the domain's TrailerText is added to the mail the account sends (queue)",
        "RulesAllowed": "the actions the account's mail rules may hold; others are refused and skipped (mail rules)",
        "RPOPAllowed": NO_EFFECT,
        "QuotaNotice": "a notice message when mail storage crosses this share of the quota (queue)",
        "QuotaAlert": "an alert message when mail storage crosses this share of the quota (queue)",
        "QuotaSuspend": "over this share of the quota new mail waits instead of failing (queue)",
        "MaxAccountSize": "mail beyond the quota fails or waits (queue)",
        "MaxMailboxes": "no more mailboxes are created beyond it",
        "DefaultMailboxType": "the format of new mailboxes",
        "MaxSignalContacts": NO_EFFECT,
        "SignalRulesAllowed": NO_EFFECT,
        "CallsLimit": NO_EFFECT,
        "CallLogs": NO_EFFECT,
        "DialogInfo": NO_EFFECT,
        "CallInpFlow": NO_EFFECT,
        "CallOutFlow": NO_EFFECT,
        "RSIPAllowed": NO_EFFECT,
        "AirSyncAllowed": NO_EFFECT,
        "MaxRosterItems": NO_EFFECT,
        "IMLogs": NO_EFFECT,
        "NotifyOutFlow": NO_EFFECT,
        "PSTNSettings": NO_EFFECT,
        "MaxWebSize": NO_EFFECT,
        "MaxFileSize": NO_EFFECT,
        "MaxWebFiles": NO_EFFECT,
        "AddWebBanner": NO_EFFECT,
        "DefaultWebPage": NO_EFFECT,
        "WebAdminPrefs": "the administrator's WebAdmin Preferences",
    },
)


@cache
def time_zones() -> tuple[str, ...]:
    """The tz database's zones, and the built-in HostOS zone first."""
    return (HOST_OS_ZONE, *sorted(zoneinfo.available_timezones()))


def host_os_zone_note() -> str:
    """What the built-in HostOS zone means right now (the seed: no daylight saving time)."""
    offset = time.localtime().tm_gmtoff
    sign = "+" if offset >= 0 else "-"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return _("%(zone)s is a built-in zone with the server OS's current offset from GMT (%(offset)s) and no "
             "daylight saving time; it cannot be used for recurrent events sent outside this server. Avoid it "
             "unless your zone is not listed.") % {"zone": HOST_OS_ZONE, "offset": f"{sign}{hours:02d}:{minutes:02d}"}


LANGUAGES = ("English", "German", "Russian", "French", "Spanish", "Italian", "Japanese", "Chinese")
CHARSETS = (
    "utf-8", "iso-8859-1", "iso-8859-2", "iso-8859-5", "iso-8859-15", "windows-1251", "windows-1252",
    "iso-2022-jp", "shift_jis", "euc-jp", "koi8-r", "koi8-u", "gb2312", "big5", "euc-kr",
)
PREFERENCES = "Preferences"
MAILBOX_NAMES = "Special Mailbox Names"


def _pref(name, kind, default, group, label, level=Level.BASIC, **extra) -> SettingDef:
    extra.setdefault("right", "WebUserSettings")
    return SettingDef(name, kind, default, group, label, level, **extra)


PREFS = Catalogue(
    "preference",
    [
        _pref("Language", Kind.ENUM, "English", PREFERENCES, "Language", choices=LANGUAGES),
        _pref("PreferredCharset", Kind.ENUM, "utf-8", PREFERENCES, "Preferred Character set", choices=CHARSETS),
        _pref("UseUTF8", Kind.ENUM, "Reading", PREFERENCES, "Use UTF-8",
              choices=("Never", "Reading", "Reading and Composing")),
        _pref("TimeZone", Kind.ENUM, HOST_OS_ZONE, PREFERENCES, "Time Zone", choices=time_zones,
              help="HostOS is a built-in zone with the server OS's current offset from GMT and no "
                   "daylight saving time; avoid it unless your zone is not listed."),
        _pref("InboxName", Kind.STRING, "INBOX", MAILBOX_NAMES, "INBOX display name"),
        _pref("OutboxName", Kind.STRING, "Outbox", MAILBOX_NAMES, "MAPI Outbox display name"),
        _pref("SentBox", Kind.STRING, "Sent", MAILBOX_NAMES, "Sent"),
        _pref("DraftsBox", Kind.STRING, "Drafts", MAILBOX_NAMES, "Drafts"),
        _pref("NotesBox", Kind.STRING, "Notes", MAILBOX_NAMES, "Notes", Level.ADVANCED),
        _pref("TrashBox", Kind.STRING, "Trash", MAILBOX_NAMES, "Trash"),
        _pref("ContactsBox", Kind.STRING, "Contacts", MAILBOX_NAMES, "Contacts", Level.ADVANCED),
        _pref("CalendarBox", Kind.STRING, "Calendar", MAILBOX_NAMES, "Calendar", Level.ADVANCED),
        _pref("TasksBox", Kind.STRING, "Tasks", MAILBOX_NAMES, "Tasks", Level.ADVANCED),
    ],
    allow_custom=True,
    custom_right="WebUserSettings",
    effects={
        "Language": "the WebAdmin's language for this user",
        "PreferredCharset": NO_EFFECT,
        "UseUTF8": NO_EFFECT,
        "TimeZone": "the WebAdmin shows times in this zone",
        **dict.fromkeys(("InboxName", "OutboxName", "SentBox", "DraftsBox", "NotesBox", "TrashBox", "ContactsBox",
                         "CalendarBox", "TasksBox"), NO_EFFECT),
    },
)
