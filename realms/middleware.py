"""The WebAdmin's two gates: who is asking (session or HTTP Basic), and whether they may open the page."""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from accounts.services import account_note_login
from cgadmin import context
from cgadmin.errors import CGError
from cgadmin.security import cross_origin
from realms import pages
from realms.auth import check_basic_login, client_address, may_log_in, request_login_name
from realms.navigation import page_charset
from realms.permissions import may_open
from realms.request import CGRequest
from server import strings
from server.selectors import separate_realms_enabled

SESSION_REALMS = "cg_auth_realms"
SESSION_LOGIN_TIME = "cg_login_time"
SESSION_LAST_SEEN = "cg_last_seen"
SESSION_ENROL = "cg_must_enrol"  # a server administrator who must set up a second factor first
# Last seen is written when it is older than this: a page view then costs no session write (an UPDATE
# and a commit), and an idle session still ends between 29 and 30 minutes after its last request.
LAST_SEEN_RESOLUTION = 60


def basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        name, _, password = base64.b64decode(encoded.strip()).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    return name, password


def _session_expired(request: HttpRequest) -> bool:
    """Idle too long, older than the 12-hour limit, killed by KillAccountSessions, or the account was
    disabled since login."""
    now = time.time()
    session = request.session
    last_seen = session.get(SESSION_LAST_SEEN, 0)
    if now - last_seen > settings.WEBADMIN_IDLE_TIMEOUT:
        return True
    # Each request saves the session (last seen), which would push its cookie's age forward for ever:
    # the 12-hour limit counts from the login itself.
    if now - session.get(SESSION_LOGIN_TIME, 0) > settings.WEBADMIN_MAX_SESSION:
        return True
    account = request.user
    killed_at = account.sessions_valid_after  # type: ignore[union-attr]
    if killed_at is not None and session.get(SESSION_LOGIN_TIME, 0) <= killed_at.timestamp():
        return True
    return not may_log_in(account)  # type: ignore[arg-type]


UNSAVED = "unsaved"  # the login page's query flag: the form that led here was not saved


class WebAdminAuthMiddleware:
    """HTTP Basic authentication on every request that carries it; session checks otherwise."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: CGRequest) -> HttpResponse:
        request.cg_basic = False
        credentials = basic_credentials(request)
        if credentials is not None and cross_origin(request) and not _link_followed(request):
            # A browser keeps Basic credentials and sends them to any request for this origin,
            # even one a page of another site makes: it never gets to use them (nor to guess).
            return HttpResponse("403 cross-origin requests with HTTP Basic credentials are refused\n",
                                status=403, content_type="text/plain; charset=utf-8")
        if credentials is not None:
            interface = "CLI" if request.path.startswith("/CLI") else "WebAdmin"
            name, password = credentials
            account = check_basic_login(request_login_name(request, name), password,
                                        address=client_address(request), interface=interface)
            if account is None:
                # Challenged with the page's own realm, as a missing password is (Separate WebAdmin Realms).
                realm = "CLI" if request.path.startswith("/CLI") else pages.auth_realm_of_url(request.path_info)
                return unauthorized(realm or "WebAdmin")
            request.user = account
            request.cg_basic = True
        elif request.user.is_authenticated:
            if _session_expired(request):
                logout(request)
                request.user = AnonymousUser()
            else:
                _note_seen(request)
        with context.calling_from(context.WEBADMIN, client_address(request)):
            return self.get_response(request)


def _link_followed(request: HttpRequest) -> bool:
    """A link from another site opening a page (a top-level GET, which changes nothing); never the
    CLI, whose GET runs a command."""
    return (request.method in ("GET", "HEAD") and request.META.get("HTTP_SEC_FETCH_MODE") == "navigate"
            and not request.path.startswith("/CLI"))


def _note_seen(request: HttpRequest) -> None:
    now = int(time.time())
    if now - request.session.get(SESSION_LAST_SEEN, 0) >= LAST_SEEN_RESOLUTION:
        request.session[SESSION_LAST_SEEN] = now


def unauthorized(realm: str) -> HttpResponse:
    """A Basic challenge naming the realm as the WebAdminRealm Server String words it."""
    shown = realm if realm == "CLI" else strings.text("WebAdminRealm", realm)
    quoted = shown.replace("\\", "\\\\").replace('"', '\\"')
    response = HttpResponse("Authentication required\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = f'Basic realm="{quoted}", charset="UTF-8"'
    return response


def wants_html(request: HttpRequest) -> bool:
    return "text/html" in request.META.get("HTTP_ACCEPT", "")


def start_session(request: HttpRequest, account: object, auth_realm: str) -> None:
    """After a form login: remember which authentication realm the password opened."""
    now = time.time()  # not rounded: a login right after KillAccountSessions must count as later
    request.session[SESSION_LOGIN_TIME] = now
    request.session[SESSION_LAST_SEEN] = int(now)
    realms = set(request.session.get(SESSION_REALMS, []))
    realms.add(auth_realm)
    request.session[SESSION_REALMS] = sorted(realms)
    account_note_login(account, interface=context.WEBADMIN, address=client_address(request))  # type: ignore[arg-type]
    from realms.second_factor import must_enrol

    if must_enrol(account):  # type: ignore[arg-type]
        request.session[SESSION_ENROL] = True


def _other_scheme_path(path: str, scheme: str, realm: str) -> str:
    """The same page's address under the scheme in force."""
    if scheme == pages.MASTER_SCHEME:
        rest = path[len(f"/Master/{realm}/"):]
        return f"/{realm}/{rest}"
    rest = path[len(f"/{realm}/"):]
    return f"/Master/{realm}/{rest}"


def _refused(request: HttpRequest, response: HttpResponse, denied: CGError) -> HttpResponse:
    """A change refused for want of a right answers 403, whatever the view went on to do: a page
    that shows the refusal keeps its content; one that went back to the page (a redirect, as after
    a success) becomes the refusal itself, so no client takes it for a change that was made."""
    if response.status_code in (301, 302, 303):
        shown = getattr(request, "cg_denied_in_messages", False)  # then the page's messages say it already
        return render(request, "realms/error.html", {"error": denied, "error_in_messages": shown}, status=403)
    if response.status_code <= 400:
        response.status_code = 403
    return response


class RealmAccessMiddleware:
    """Checks the declared access of every view before it runs (realms.pages)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        denied = getattr(request, "cg_denied", None)
        if denied is not None:
            response = _refused(request, response, denied)
        return _in_charset(request, response)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A service's refusal that no form caught (an unknown or foreign domain in the URL, say)
        becomes a page with the service's own message and status, never a server error."""
        if isinstance(exception, CGError):
            return render(request, "realms/error.html", {"error": exception}, status=exception.status)
        return None

    def process_view(self, request: CGRequest, view: Callable, args: tuple, kwargs: dict) -> HttpResponse | None:
        declared = pages.access_of(view)
        scheme = kwargs.pop("cg_scheme", None)
        realm = kwargs.pop("cg_realm", None)
        request.cg_scheme, request.cg_realm = scheme, realm
        if declared is None:
            if request.path.startswith(settings.STATIC_URL):
                return None
            return HttpResponse("This page declares no access right.\n", status=403, content_type="text/plain")
        request.cg_page = declared
        if declared.kind == pages.PUBLIC:
            return None
        if declared.kind == pages.AUTHENTICATED:
            return None if request.user.is_authenticated else self._ask_login(request, "WebAdmin")
        return self._check_realm(request, scheme or pages.MASTER_SCHEME, realm or declared.realm or "")

    def _check_realm(self, request: CGRequest, scheme: str, realm: str) -> HttpResponse | None:
        if scheme != pages.DOMAIN_SCHEME:
            separate = separate_realms_enabled()
            if (scheme == pages.SEPARATE_SCHEME) != separate:
                return HttpResponseRedirect(_other_scheme_path(request.get_full_path(), scheme, realm))
        auth_realm = pages.auth_realm(scheme, realm)
        user = request.user
        opened = request.cg_basic or auth_realm in request.session.get(SESSION_REALMS, [])
        if not user.is_authenticated or not opened:
            return self._ask_login(request, auth_realm)
        if not may_open(user, scheme, realm):
            return forbidden(request, realm)
        if request.session.get(SESSION_ENROL) and not request.cg_page.extra.get("enrolment"):
            from realms.second_factor import must_enrol

            if must_enrol(user):
                return HttpResponseRedirect(pages.realm_reverse(scheme, realm, "preferences"))
            request.session.pop(SESSION_ENROL, None)
        return None

    @staticmethod
    def _ask_login(request: CGRequest, auth_realm: str) -> HttpResponse:
        if wants_html(request) and not request.cg_basic:
            asked = {"next": request.get_full_path(), "realm": auth_realm}
            if request.method == "POST":  # a form sent after the session ended: say it was not saved
                asked[UNSAVED] = "1"
            query = urlencode(asked)
            return HttpResponseRedirect(f"{settings.LOGIN_URL}?{query}")
        return unauthorized(auth_realm)


def _in_charset(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Send an HTML page in the character set the administrator chose for the realm (WebAdmin
    Preferences); characters the set lacks become numeric references, so nothing is lost. Forms still
    come back in UTF-8 (accept-charset): Django reads form posts as UTF-8 only."""
    realm = getattr(request, "cg_realm", None)
    user = getattr(request, "user", None)
    if not realm or user is None or not user.is_authenticated or response.streaming:
        return response
    charset = page_charset(user, realm)
    if charset == "utf-8" or not response.get("Content-Type", "").startswith("text/html"):
        return response
    text = response.content.decode(response.charset or "utf-8").replace("<form ", '<form accept-charset="utf-8" ')
    response.content = text.encode(charset, "xmlcharrefreplace")
    response["Content-Type"] = f"text/html; charset={charset}"
    return response


def forbidden(request: HttpRequest, realm: str) -> HttpResponse:
    return render(request, "realms/forbidden.html", {"realm": realm}, status=403)
