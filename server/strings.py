"""Server Strings (the seed's "Customizing Server Prompts"): every text the server sends to clients.

Each string has a keyword, a default text and numbered parameters `^0`, `^1`, ... that the caller
fills in: `text("FTPPrompt", version)`. An administrator may replace the text on the Strings page
or with SetServerStrings; only customised strings are stored (server.documents.STRINGS, exported
as Settings/Strings.settings). Every process re-reads them at most STRINGS_CACHE_SECONDS after a
change, and the process that made the change at once, so no restart is needed.

Protocol prompts are one line: a CR or LF in a custom prompt would let it inject protocol lines,
so only the strings marked multi-line (message bodies) may hold line breaks."""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput

STRINGS_CACHE_SECONDS = 1.0
MAX_STRING_LENGTH = 2000
_PARAMETER = re.compile(r"\^(\d)")


@dataclass(frozen=True)
class ServerString:
    keyword: str
    default: str
    group: str
    description: str
    parameters: tuple[str, ...] = ()  # what ^0, ^1, ... stand for
    multiline: bool = False

    @property
    def served(self) -> bool:
        """Whether this server sends the string (False: kept for compatibility, no effect here)."""
        return self.group not in NOT_SERVED_GROUPS


CLI_GROUP = "CLI (PWD)"
MAIL_ACCESS_GROUP = "POP, IMAP and FTP"
SMTP_GROUP = "SMTP"
WEBADMIN_GROUP = "WebAdmin"
NOTIFICATION_GROUP = "Notifications and bounces"
CALENDAR_GROUP = "Calendar"
# Protocols whose strings are kept (Strings page, Get/SetServerStrings, Strings.settings) so a settings
# file from a CommuniGate server round-trips, although this server does not serve them.
NOT_SERVED_GROUPS = frozenset({MAIL_ACCESS_GROUP, SMTP_GROUP, CALENDAR_GROUP})

CATALOGUE: tuple[ServerString, ...] = (
    # The CLI (spec/cli.md): the greeting is followed by the APOP challenge the listener adds.
    ServerString("PWDPrompt", "^0 CommuniGate Pro PWD Server ^1 ready", CLI_GROUP,
                 "CLI greeting (200)", ("server name", "version")),
    ServerString("PWDByeBye", "CommuniGate Pro PWD connection closed", CLI_GROUP, "answer to QUIT (200)"),
    ServerString("PWDPassPrompt", "please send the PASS", CLI_GROUP, "answer to USER (300)"),
    ServerString("PWDLoginOK", "login OK, proceed", CLI_GROUP, "answer to a successful login (200)"),
    ServerString("PWDLoginFailed", "incorrect password or account name", CLI_GROUP,
                 "answer to a failed login (515); the same for a wrong name and a wrong password"),
    ServerString("PWDIdleClosed", "connection idle for too long, closing", CLI_GROUP,
                 "sent before an idle session is closed"),
    ServerString("PWDShutdown", "server is shutting down", CLI_GROUP, "answer to SHUTDOWN, and to sessions it closes"),
    ServerString("POPPrompt", "CommuniGate Pro POP3 Server ^0 ready", MAIL_ACCESS_GROUP, "POP3 greeting",
                 ("version",)),
    ServerString("POPByeBye", "CommuniGate Pro POP3 Server connection closed", MAIL_ACCESS_GROUP, "POP3 QUIT"),
    ServerString("IMAPPrompt", "CommuniGate Pro IMAP Server ^0 at ^1 ready", MAIL_ACCESS_GROUP, "IMAP greeting",
                 ("version", "server name")),
    ServerString("IMAPByeBye", "CommuniGate Pro IMAP Server connection closed", MAIL_ACCESS_GROUP, "IMAP LOGOUT"),
    ServerString("FTPPrompt", "CommuniGate Pro FTP Server ^0 ready", MAIL_ACCESS_GROUP, "FTP greeting",
                 ("version",)),
    ServerString("FTPByeBye", "CommuniGate Pro FTP Server connection closed", MAIL_ACCESS_GROUP, "FTP QUIT"),
    ServerString("LoginPasswordPrompt", "Password required for ^0", MAIL_ACCESS_GROUP,
                 "asks for the password after a user name", ("account name",)),
    ServerString("LoginFailed", "incorrect password or account name", MAIL_ACCESS_GROUP,
                 "a failed login; the same for a wrong name and a wrong password"),
    ServerString("SMTPPrompt", "^0 ESMTP CommuniGate Pro ^1", SMTP_GROUP, "SMTP greeting (220)",
                 ("server name", "version")),
    ServerString("SMTPByeBye", "^0 CommuniGate Pro SMTP closing connection", SMTP_GROUP, "SMTP QUIT (221)",
                 ("server name",)),
    ServerString("SMTPAuthRequired", "authentication required", SMTP_GROUP, "refusal when AUTH is forced"),
    ServerString("WebAdminLoginPrompt", "Log in to the WebAdmin of ^0", WEBADMIN_GROUP,
                 "the heading of the WebAdmin login page", ("server name",)),
    ServerString("WebAdminLoginFailed", "Incorrect password or account name.", WEBADMIN_GROUP,
                 "the WebAdmin login page after a failed login"),
    ServerString("WebAdminRealm", "CommuniGate Pro ^0", WEBADMIN_GROUP,
                 "the HTTP Basic authentication realm a browser shows", ("realm",)),
    ServerString("SubjectFailed", "Undeliverable mail", NOTIFICATION_GROUP, "subject of a bounce (DSN failure)"),
    ServerString("SubjectDelayed", "Delayed mail", NOTIFICATION_GROUP, "subject of a delay notification"),
    ServerString("SubjectDelivered", "Delivered mail", NOTIFICATION_GROUP, "subject of a delivery report"),
    ServerString("SubjectRejected", "Message rejected by the administrator", NOTIFICATION_GROUP,
                 "subject of the report sent when an administrator rejects a queued message"),
    ServerString("BounceIntro",
                 "This is a delivery status notification from ^0.\nYour message could not be delivered to "
                 "one or more recipients.", NOTIFICATION_GROUP, "first lines of a bounce", ("server name",),
                 multiline=True),
    ServerString("DelayIntro",
                 "This is a delivery status notification from ^0.\nYour message has not been delivered yet; "
                 "the server keeps trying.", NOTIFICATION_GROUP, "first lines of a delay notification",
                 ("server name",), multiline=True),
    ServerString("SubjectQuotaNotice", "Your mail storage is almost full", NOTIFICATION_GROUP,
                 "subject of the Mail Quota notice"),
    ServerString("QuotaNoticeText", "Your account ^0 uses ^1 of its ^2 storage.", NOTIFICATION_GROUP,
                 "body of the Mail Quota notice", ("account", "used", "limit"), multiline=True),
    ServerString("SubjectAlert", "Alert from ^0", NOTIFICATION_GROUP, "subject of a posted alert",
                 ("server name",)),
    ServerString("AutoReplySubject", "Re: ^0", NOTIFICATION_GROUP, "subject of automatic replies",
                 ("original subject",)),
    ServerString("EventDeclineReason", "This time slot is assigned to ^0", CALENDAR_GROUP,
                 "reason given when a meeting request is declined automatically", ("event title",)),
    ServerString("EventAccepted", "Accepted: ^0", CALENDAR_GROUP, "subject of an acceptance", ("event title",)),
    ServerString("EventDeclined", "Declined: ^0", CALENDAR_GROUP, "subject of a refusal", ("event title",)),
    ServerString("EventTentative", "Tentative: ^0", CALENDAR_GROUP, "subject of a tentative answer",
                 ("event title",)),
)

_BY_KEYWORD: dict[str, ServerString] = {entry.keyword.lower(): entry for entry in CATALOGUE}
assert len(_BY_KEYWORD) == len(CATALOGUE), "a Server String keyword is catalogued twice"


def entry(keyword: str) -> ServerString:
    """The catalogue entry of a keyword (case-insensitive), or InvalidInput naming it."""
    found = _BY_KEYWORD.get(str(keyword).lower())
    if found is None:
        raise InvalidInput(f"unknown Server String {keyword!r}", field=str(keyword))
    return found


def groups() -> list[tuple[str, list[ServerString]]]:
    """The catalogue grouped for the Strings page, in catalogue order."""
    grouped: dict[str, list[ServerString]] = {}
    for item in CATALOGUE:
        grouped.setdefault(item.group, []).append(item)
    return list(grouped.items())


def fill(template: str, params: tuple[object, ...]) -> str:
    """Put the parameters in place of ^0, ^1, ...; one pass, so a parameter's own ^1 stays as it is."""

    def substitute(match: re.Match) -> str:
        index = int(match.group(1))
        return str(params[index]) if index < len(params) else ""

    return _PARAMETER.sub(substitute, template)


def validate(keyword: str, value: Value) -> tuple[str, str]:
    """(canonical keyword, text) for a custom string, or InvalidInput saying what is wrong."""
    item = entry(keyword)
    if not isinstance(value, str):
        raise InvalidInput(f"{item.keyword}: the text must be a string", field=item.keyword)
    if len(value) > MAX_STRING_LENGTH:
        raise InvalidInput(f"{item.keyword}: longer than {MAX_STRING_LENGTH} characters", field=item.keyword)
    if not item.multiline and ("\r" in value or "\n" in value):
        raise InvalidInput(f"{item.keyword}: must be one line (it is sent inside a protocol line)",
                           field=item.keyword)
    if any(ord(char) < 32 and char not in "\r\n\t" for char in value):
        raise InvalidInput(f"{item.keyword}: control characters are not allowed", field=item.keyword)
    for match in _PARAMETER.finditer(value):
        if int(match.group(1)) >= len(item.parameters):
            allowed = ", ".join(f"^{index} ({name})" for index, name in enumerate(item.parameters)) or "none"
            raise InvalidInput(f"{item.keyword}: ^{match.group(1)} is not a parameter of this string; "
                               f"it has {allowed}", field=item.keyword)
    return item.keyword, value


_lock = threading.Lock()
_customised: dict[str, str] = {}
_read_at = float("-inf")


def _read_customised() -> dict[str, str]:
    from server import documents

    stored = documents.read(documents.STRINGS)
    return {
        _BY_KEYWORD[str(key).lower()].keyword: value
        for key, value in stored.items()
        if str(key).lower() in _BY_KEYWORD and isinstance(value, str)
    }


def customised() -> dict[str, str]:
    """The customised strings in force in this process (re-read every STRINGS_CACHE_SECONDS)."""
    global _customised, _read_at
    now = time.monotonic()
    with _lock:
        if now - _read_at > STRINGS_CACHE_SECONDS:
            # The database away for a moment: keep sending the texts we had.
            with contextlib.suppress(Exception):
                _customised = _read_customised()
            _read_at = now
        return dict(_customised)


def forget() -> None:
    """The next text() re-reads the customised strings (called after a change commits)."""
    global _read_at
    with _lock:
        _read_at = float("-inf")


def template(keyword: str) -> str:
    """The text in force for a keyword, parameters not filled in."""
    item = entry(keyword)
    return customised().get(item.keyword, item.default)


def text(keyword: str, *params: object) -> str:
    """The text the server sends for a keyword, custom or default, with ^0, ^1, ... filled in."""
    return fill(template(keyword), params)


def text_unless_customised(keyword: str, translated_default: str, *params: object) -> str:
    """The administrator's text for a keyword when customised, else the page's own translation of the
    default (a WebAdmin page speaks the administrator's language; a custom text is shown as typed)."""
    custom = customised().get(entry(keyword).keyword)
    return fill(custom, params) if custom is not None else translated_default


def effective() -> dict[str, str]:
    """Every keyword with the text in force (parameters not filled in)."""
    custom = customised()
    return {item.keyword: custom.get(item.keyword, item.default) for item in CATALOGUE}


def strings_after(current: Mapping[str, Value], updates: Mapping[str, Value]) -> dict[str, Value]:
    """The customised strings after an update: a value of `default` removes one (the default applies)."""
    result = {str(key): value for key, value in current.items()}
    for keyword, value in updates.items():
        item = entry(keyword)
        result = {key: stored for key, stored in result.items() if key.lower() != item.keyword.lower()}
        if value is None or value == "default":  # #NULL# removes too, as in every Update
            continue
        canonical, checked = validate(item.keyword, value)
        result[canonical] = checked
    return result
