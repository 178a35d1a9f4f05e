"""One PWD/CLI session (spec/cli.md), without any I/O: the transport (cli.listener) feeds it lines
and sends back what it answers. Kept apart from the sockets so the same object is tested and
fuzzed in-process, and so every Django call of a session happens in one place, run by the
listener in its worker threads.

The session owns the protocol's own verbs (USER, PASS, APOP, AUTH, INLINE, QUIT); everything else
goes to the command table through cli.dispatch.execute, with the logged-in account as the actor."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings

from cgadmin import context
from cli.dispatch import (
    DENIED,
    FAILED,
    LOG_TAG,
    LOGIN_FAILED,
    OK,
    PASSWORD_NEEDED,
    SYNTAX,
    Answer,
    error,
    execute,
    one_line_text,
    split_verb,
)
from logs import serverlog, stats
from server import strings

if TYPE_CHECKING:
    from accounts.models import Account

PROTOCOL_VERSION = "6.3"
DEFAULT_FAILURE_DELAY = 1.0
MAX_FAILURE_DELAY = 10.0
DEFAULT_RECHECK_SECONDS = 1.0


@dataclass
class Reply:
    """What the transport sends for one line: the lines (CRLF added by the transport), whether to
    close the connection afterwards, and how long to wait before answering (failed logins)."""

    lines: list[str]
    close: bool = False
    delay: float = 0.0


@dataclass
class Session:
    """The state of one connection: who is logged in, inline mode, the APOP challenge."""

    peer: str
    session_id: int
    host: str
    local_address: str = ""  # the server address the client connected to (a domain's assigned IP)
    challenge: str = ""
    account: Account | None = None
    inline: bool = False
    login_name: str | None = None  # after USER, waiting for PASS
    login_time: float = 0.0
    failures: int = 0
    closed: bool = False
    checked_at: float = 0.0  # when the logged-in account was last re-read (monotonic)
    _handlers: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if not self.challenge:
            # <N.unixtime@host>: N random, so no two connections share a challenge (APOP replays).
            self.challenge = f"<{secrets.randbelow(10**9)}.{int(time.time())}@{self.host}>"
        self._handlers = {
            "user": self._user, "pass": self._pass, "apop": self._apop, "auth": self._auth,
            "inline": self._inline, "quit": self._quit,
        }

    # --- the transport's entry points --------------------------------------------------------

    def greeting(self) -> str:
        """The first line: host, product and the APOP challenge."""
        stats.count("cli.sessions")
        self._log(serverlog.ALL_INFO, "connection accepted")
        return f"{OK} {one_line_text(strings.text('PWDPrompt', self.host, PROTOCOL_VERSION))} {self.challenge}"

    def handle(self, line: str) -> Reply:
        """Answer one command line (its line end already removed); never raises."""
        if "\x00" in line:
            return self._answer(error(SYNTAX, "a command line may not contain NUL characters"))
        name, start = split_verb(line)
        handler = self._handlers.get(name.lower())
        if handler is not None:
            return handler(line[start:].strip(" \t\r\n"))
        if self.account is not None and self._due_for_check() and not self._still_valid():
            self.closed = True
            return Reply([f"{DENIED} the session was ended by an administrator"], close=True)
        return self._answer(execute(line, actor=self.account, logged_in=self.account is not None,
                                    peer=self.peer, session_id=self.session_id, session=self))

    def ended(self, reason: str) -> None:
        """The connection is gone (QUIT, idle timeout, the client hung up)."""
        self._log(serverlog.ALL_INFO, f"connection closed: {reason}")

    # --- login -----------------------------------------------------------------------------

    def _user(self, rest: str) -> Reply:
        if self.account is not None:
            return self._answer(error(FAILED, "already logged in"))
        if not rest:
            return self._answer(error(SYNTAX, "USER: the account name is missing"))
        self.login_name = rest
        return Reply([f"{PASSWORD_NEEDED} {_text('PWDPassPrompt')}"])

    def _pass(self, rest: str) -> Reply:
        if self.account is not None:
            return self._answer(error(FAILED, "already logged in"))
        if self.login_name is None:
            return self._answer(error(SYNTAX, "PASS: send USER first"))
        name, self.login_name = self.login_name, None
        return self._plain_login(name, rest, "USER/PASS")

    def _auth(self, rest: str) -> Reply:
        if self.account is not None:
            return self._answer(error(FAILED, "already logged in"))
        method, _, rest = rest.partition(" ")
        if method.upper() != "WEBUSER":
            return self._answer(error(SYNTAX, "AUTH: only the WEBUSER method is supported"))
        name, _, password = rest.strip(" \t").partition(" ")
        if not name:
            return self._answer(error(SYNTAX, "AUTH WEBUSER: the account name is missing"))
        return self._plain_login(name, password.lstrip(" \t"), "AUTH WEBUSER")

    def _apop(self, rest: str) -> Reply:
        from realms.auth import check_apop

        if self.account is not None:
            return self._answer(error(FAILED, "already logged in"))
        name, _, digest = rest.partition(" ")
        if not name or not digest.strip():
            return self._answer(error(SYNTAX, "APOP: expected APOP name digest"))
        qualified = self._qualified(name)
        account = self._guarded(lambda: check_apop(qualified, self.challenge, digest.strip(), address=self.peer,
                                                      interface=context.CLI))
        return self._login_result(name, account, "APOP")

    def _plain_login(self, name: str, password: str, method: str) -> Reply:
        from realms.auth import check_cli_login, requires_apop

        qualified = self._qualified(name)

        def attempt() -> Account | None:
            # the password, followed by the current code for an account with a second factor
            account = check_cli_login(qualified, password, address=self.peer)
            # RequireAPOP ("Secure only"): a clear-text password does not open this account here.
            return None if account is not None and requires_apop(account) else account

        return self._login_result(name, self._guarded(attempt), method)

    def _qualified(self, name: str) -> str:
        """A bare name given at a secondary domain's assigned address is that domain's account."""
        from domains.selectors import domain_reached_at
        from realms.auth import qualify_login_name

        return qualify_login_name(name, domain_reached_at(None, self.local_address) if self.local_address else None)

    def _guarded(self, attempt) -> Account | None:
        """A login attempt that fails on odd input (a name the database refuses) is a failed login."""
        try:
            return attempt()
        except Exception:  # never let a login crash the session; the answer stays the same 515
            serverlog.log(LOG_TAG, serverlog.PROBLEMS, "login attempt failed with an internal error",
                          session=self.session_id, peer=self.peer or None)
            return None

    def _login_result(self, name: str, account: Account | None, method: str) -> Reply:
        from accounts.services import account_note_login

        if account is None:
            self.failures += 1  # counted in the statistics (login.failed.CLI) by realms.auth
            self._log(serverlog.PROBLEMS, f"{method} login failed for {name[:200]!r}")
            # PWDLoginFailed: the same text for every failure (spec/cli.md)
            return Reply([f"{LOGIN_FAILED} {_text('PWDLoginFailed')}"], delay=self._failure_delay())
        self.account = account
        self.login_time = time.time()
        self.checked_at = time.monotonic()
        with context.calling_from(context.CLI, self.peer, self.session_id):
            account_note_login(account, interface=context.CLI, address=self.peer)
        self._log(serverlog.MAJOR, f"{account.address} logged in ({method})")
        return Reply([f"{OK} {_text('PWDLoginOK')}"])

    def _failure_delay(self) -> float:
        """Each failure in a session waits longer before its answer: a password-guessing loop on
        one connection crawls, while other sessions (served by other tasks) never notice."""
        base = float(getattr(settings, "CLI_FAILURE_DELAY", DEFAULT_FAILURE_DELAY))
        return min(base * self.failures, MAX_FAILURE_DELAY)

    def _due_for_check(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at < float(getattr(settings, "CLI_RECHECK_SECONDS", DEFAULT_RECHECK_SECONDS)):
            return False
        self.checked_at = now
        return True

    def _still_valid(self) -> bool:
        """Re-read the account before a command, as the WebAdmin does on each request: changed
        rights take effect, and the session ends once the account could not log in again (removed,
        disabled, its domain suspended), its password was changed other than by this session's own
        NEWPASS, or KillAccountSessions; within CLI_RECHECK_SECONDS (a second: a script's tight loop
        of commands does not pay a query for each)."""
        from accounts.models import Account
        from realms.auth import may_log_in

        assert self.account is not None
        fresh = Account.objects.select_related("domain").filter(pk=self.account.pk).first()
        # NEWPASS changes self.account itself (the verb's actor), so only someone else's change differs.
        if fresh is None or fresh.password != self.account.password or not may_log_in(fresh):
            return False
        killed_at = fresh.sessions_valid_after
        if killed_at is not None and killed_at.timestamp() >= self.login_time:
            return False
        self.account = fresh
        return True

    # --- the rest of the protocol ----------------------------------------------------------

    def _inline(self, rest: str) -> Reply:
        if rest:
            return self._answer(error(SYNTAX, "INLINE takes no arguments"))
        self.inline = True
        return Reply([f"{OK} OK"])

    def _quit(self, rest: str) -> Reply:
        self.closed = True
        return Reply([f"{OK} {_text('PWDByeBye')}"], close=True)

    def _answer(self, answer: Answer) -> Reply:
        return Reply(answer.lines(inline=self.inline))

    def farewell(self, keyword: str) -> str:
        """The line sent when the server closes the session itself (PWDIdleClosed, PWDShutdown)."""
        return f"{FAILED} {_text(keyword)}"

    def _log(self, level: int, text: str) -> None:
        serverlog.log(LOG_TAG, level, text, session=self.session_id, peer=self.peer or None)


def _text(keyword: str) -> str:
    """A Server String (server/strings.py: an administrator may customise it), on one line."""
    return one_line_text(strings.text(keyword))
