"""Logging in: name or name@domain and a password, for the WebAdmin and the CLI alike."""

from __future__ import annotations

import hashlib
import hmac

from django.http import HttpRequest

from accounts.hashers import recover_password, verify_login_password
from accounts.models import Account
from accounts.selectors import account_effective_values, account_may_log_in, find_account
from accounts.services import account_rehash_password
from cgadmin.catalogue import parse_flow
from cgadmin.errors import InvalidInput
from domains.selectors import domain_reached_at
from logs import serverlog, stats
from logs.statistics import login_counter
from realms import basic_cache, throttle
from realms.permissions import split_address


def resolve_login_name(login_name: str) -> Account | None:
    """`name` is a Main Domain account, `name@domain` one of that domain (aliases work too)."""
    from domains.selectors import main_domain_name

    main = main_domain_name()
    if main is None or not login_name:
        return None
    name, domain = split_address(login_name, main)
    return find_account(domain, name)


def qualify_login_name(login_name: str, reached_domain: str | None) -> str:
    """A bare name typed at a secondary domain's name or address is that domain's account (the seed:
    Domain Administrators log in with their short name there); `name@domain` is kept as it is."""
    if not reached_domain or not login_name or "@" in login_name or "%" in login_name:
        return login_name
    return f"{login_name}@{reached_domain}"


def request_login_name(request: HttpRequest, login_name: str) -> str:
    """The login name of a WebAdmin or HTTP CLI request, qualified by the domain its Host or its local
    address reaches."""
    return qualify_login_name(login_name, domain_reached_at(request.META.get("HTTP_HOST"), local_address(request)))


def local_address(request: HttpRequest) -> str:
    """The server address the client connected to (gunicorn passes the socket; a test client has none)."""
    sock = request.META.get("gunicorn.socket")
    try:
        return str(sock.getsockname()[0]) if sock is not None else str(request.META.get("SERVER_ADDR", ""))
    except (OSError, IndexError, TypeError):
        return ""


def account_flow(account: Account | None) -> tuple[int | None, int]:
    if account is None:
        return throttle.DEFAULT_ACCOUNT_FLOW
    try:
        return parse_flow(account_effective_values(account)["FailedLoginFlow"])
    except InvalidInput:
        return throttle.DEFAULT_ACCOUNT_FLOW


def may_log_in(account: Account) -> bool:
    """Disabled accounts (AccessModes None) and accounts of suspended domains cannot log in."""
    return account_may_log_in(account)


_UNRESOLVED = object()


def check_login(login_name: str, password: str, *, address: str, interface: str = "WebAdmin",
                resolved: object = _UNRESOLVED) -> Account | None:
    """The account when the name and password are right and no failure limit is reached.

    Every failure looks the same to the caller, and costs the same hashing: one verification of the
    default hash for an unknown name, an A-crpt or clear account and a hashed one alike
    (accounts.hashers.verify_login_password). Failures count under the resolved account, so an alias
    or a trailing dot gets no fresh counters. Each attempt counts in the statistics of its interface
    (WebAdmin, CLI). `resolved` is what resolve_login_name(login_name) answered, when the caller has
    asked it already. A right password stored in an older form is re-hashed into the current one."""
    account: Account | None = resolve_login_name(login_name) if resolved is _UNRESOLVED else resolved  # type: ignore[assignment]
    subject = throttle.subject_key(login_name, account)
    flow = account_flow(account)
    if throttle.is_blocked(subject, address, flow):
        stats.count(login_counter(interface, failed=True))
        return None
    ok = verify_login_password(password, account.password if account is not None else None)
    ok = ok and may_log_in(account) and password_accepted(account)  # type: ignore[arg-type]
    if not ok:
        throttle.note_failure(subject, address, flow)
        stats.count(login_counter(interface, failed=True))
        _log_webadmin_login(interface, login_name, address, ok=False)
        return None
    account_rehash_password(account, password=password)  # type: ignore[arg-type]
    throttle.note_success(subject, address)
    stats.count(login_counter(interface, failed=False))
    _log_webadmin_login(interface, login_name, address, ok=True)
    if account is not None:
        log_login_event(account, interface, address, "logged in")
    return account


def _flag(account: Account, name: str, default: str) -> bool:
    return str(account_effective_values(account).get(name, default)).upper() == "YES"


def password_accepted(account: Account) -> bool:
    """UseAppPassword ("CommuniGate Password: Allow to Use"): NO refuses every login with the account's
    password (form, HTTP Basic, CLI, APOP). This server has no other way in (no OS, Kerberos, external
    or certificate authentication), so such an account cannot log in until it is set back to YES."""
    return _flag(account, "UseAppPassword", "YES")


LOGIN_TAGS = {"WebAdmin": "HTTPA", "CLI": "CLI"}


def log_login_event(account: Account, interface: str, address: str, what: str) -> None:
    """LogLogin: a Major record of the account's login or logout in the Server Log, under the tag of
    the interface (HTTPA for the WebAdmin, CLI), whatever records that component keeps otherwise
    at lower levels."""
    if _flag(account, "LogLogin", "NO"):
        tag = LOGIN_TAGS.get(interface, "ACCOUNT")
        serverlog.log(tag, serverlog.MAJOR, f"{account.address} {what} ({interface}, LogLogin)", peer=address or None)


def _log_webadmin_login(interface: str, login_name: str, address: str, *, ok: bool) -> None:
    """HTTPA records of WebAdmin logins (the CLI listener records its own under CLI)."""
    if interface != "WebAdmin":
        return
    if ok:
        serverlog.log("HTTPA", serverlog.ALL_INFO, f"{login_name} logged in", peer=address or None)
    else:
        serverlog.log("HTTPA", serverlog.PROBLEMS, f"login failed for {login_name[:100]!r}", peer=address or None)


def check_apop(login_name: str, challenge: str, digest: str, *, address: str, interface: str = "CLI") -> Account | None:
    """The account when digest is the hex MD5 of the challenge followed by its password (APOP).

    Only a recoverable password (A-crpt or clear) can be checked; any other account, an unknown
    name or a wrong digest fail alike, and count against the same limits as check_login."""
    account = resolve_login_name(login_name)
    subject = throttle.subject_key(login_name, account)
    flow = account_flow(account)
    if throttle.is_blocked(subject, address, flow):
        stats.count(login_counter(interface, failed=True))
        return None
    clear = recover_password(account.password) if account is not None else None
    ok = False
    if clear is not None and account is not None:
        expected = hashlib.md5((challenge + clear).encode("utf-8")).hexdigest()
        given = digest.strip().lower().encode("utf-8", "replace")
        ok = hmac.compare_digest(expected.encode(), given) and may_log_in(account) and password_accepted(account)
    if not ok or account is None:
        throttle.note_failure(subject, address, flow)
        stats.count(login_counter(interface, failed=True))
        return None
    throttle.note_success(subject, address)
    stats.count(login_counter(interface, failed=False))
    # An APOP digest has no room for a one-time code: an account that needs a second factor logs
    # into the CLI with its password and code (check_cli_login), never with APOP.
    if _second_factor_fails(login_name, account, address, None):
        return None
    log_login_event(account, interface, address, "logged in")
    return account


def requires_apop(account: Account) -> bool:
    """RequireAPOP ("Secure only"): the account refuses clear-text passwords over the CLI."""
    return str(account_effective_values(account).get("RequireAPOP", "NO")).upper() == "YES"


def _second_factor_fails(login_name: str, account: Account, address: str, code: str | None) -> bool:
    """A password was right: does the second factor still refuse (counted as a failed login)?
    `code` None is HTTP Basic, which cannot carry a one-time code (realms.second_factor)."""
    from realms import second_factor

    if second_factor.enrolled(account):
        ok = code is not None and second_factor.second_factor_verify(account, code)
    else:
        ok = code is not None or not second_factor.must_enrol(account)
    if not ok:
        throttle.note_failure(throttle.subject_key(login_name, account), address, account_flow(account))
    return not ok


def check_form_login(login_name: str, password: str, code: str, *, address: str) -> Account | None:
    """The login form: the password, then the one-time code of an account that has a second factor.
    Any failure gives the same answer, so nothing tells which part was wrong or whether the name exists."""
    account = check_login(login_name, password, address=address)
    if account is None or _second_factor_fails(login_name, account, address, code):
        return None
    return account


CODE_DIGITS = 6


def check_cli_login(login_name: str, password: str, *, address: str) -> Account | None:
    """A CLI login with a password (USER/PASS, AUTH WEBUSER): the second factor goes with it.

    An account with a second factor gives its password followed directly by the current
    six-digit code (`PASS secret123456`); each code works once. A server administrator who must
    set one up first (RequireAdminTOTP) cannot log into the CLI until it has, since the CLI has
    no set-up page to send it to. Every refusal is the same failed login, counted as such."""
    from realms import second_factor

    code = None
    candidate = resolve_login_name(login_name)
    if (candidate is not None and second_factor.enrolled(candidate) and len(password) > CODE_DIGITS
            and password[-CODE_DIGITS:].isdigit()):
        password, code = password[:-CODE_DIGITS], password[-CODE_DIGITS:]
    account = check_login(login_name, password, address=address, interface="CLI", resolved=candidate)
    if account is None or _second_factor_fails(login_name, account, address, code):
        return None
    return account


def check_basic_login(login_name: str, password: str, *, address: str, interface: str = "WebAdmin") -> Account | None:
    """HTTP Basic: the password alone, refused for an account that needs a second factor. A
    credential verified in the last few minutes is taken from realms.basic_cache (no hash), still
    under the failure limits and may_log_in, and still counted in the statistics."""
    cached = basic_cache.recall(login_name, password)
    if cached is not None:
        if throttle.is_blocked(throttle.subject_key(login_name, cached), address, account_flow(cached)) \
                or not may_log_in(cached) or not password_accepted(cached) \
                or _second_factor_fails(login_name, cached, address, None):
            basic_cache.forget(login_name, password)
            stats.count(login_counter(interface, failed=True))
            return None
        stats.count(login_counter(interface, failed=False))
        return cached
    account = check_login(login_name, password, address=address, interface=interface)
    if account is None or _second_factor_fails(login_name, account, address, None):
        return None
    basic_cache.remember(login_name, password, account)
    return account


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class AccountBackend:
    """Django's authentication backend over check_login."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: object) -> Account | None:
        if not username or password is None:
            return None
        return check_login(username, password, address=client_address(request) if request else "")

    def get_user(self, user_id: int) -> Account | None:
        return Account.objects.select_related("domain").filter(pk=user_id).first()
