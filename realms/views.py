"""The WebAdmin shell: login, logout, the root and each realm's root."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, NamedTuple

import segno
from django.contrib import messages
from django.contrib.auth import login, logout
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import Account
from basedir.paths import base
from domains.selectors import domain_reached_at, main_domain_name
from logs import statistics
from logs.notifications import active_notifications
from logs.selectors import AuditFilter, audit_page
from realms import pages
from realms.auth import check_form_login, client_address, local_address, log_login_event, request_login_name
from realms.forms import LoginForm, WebAdminPrefsForm
from realms.localization import administrator_language
from realms.middleware import SESSION_REALMS, UNSAVED, start_session
from realms.navigation import (
    CHARSET,
    INTERFACE_TYPE,
    OBJECTS_PER_PAGE,
    REFRESH_PERIOD,
    first_page_url,
    interface_level,
    objects_per_page,
    page_charset,
    realm_links,
    refresh_seconds,
)
from realms.permissions import administered_domains, may_open
from realms.request import RealmRequest
from realms.viewtools import actor, call_service, form_post, form_status
from server import strings
from server.selectors import separate_realms_enabled

LANGUAGE = "Language"  # the account preference (every realm), not a WebAdminPrefs key
SESSION_RECOVERY_CODES = "cg_totp_recovery"


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


OVERVIEW_CHANGES = 8
FIGURES = ("taken", "queue_messages", "queue_recipients", "domains", "accounts", "submitted", "delivered", "failed",
           "failed_logins")


def _home_realm(request: HttpRequest) -> str:
    """A login for a page outside the realms (the root) opens the realm the root leads to."""
    links = realm_links(request)
    return (pages.auth_realm_of_url(links[0].url) if links else None) or "WebAdmin"


@pages.public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    realm = pages.auth_realm_of_url(next_url)
    unsaved = bool(request.POST.get(UNSAVED) or request.GET.get(UNSAVED))
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = request_login_name(request, form.cleaned_data["name"])
        account = check_form_login(name, form.cleaned_data["password"], form.cleaned_data.get("code", ""),
                                   address=client_address(request))
        if account is not None:
            login(request, account, backend="realms.auth.AccountBackend")
            start_session(request, account, realm or _home_realm(request))
            if unsaved:
                messages.warning(request, _("The change you sent before logging in again was not saved: "
                                            "make it again."))
            return HttpResponseRedirect(next_url)
        form.add_error(None, strings.text_unless_customised(
            "WebAdminLoginFailed", _("Incorrect password or account name.")))
    context = {"form": form, "next": next_url, "auth_realm": realm or request.GET.get("realm", ""),
               "login_prompt": _login_prompt(request), "unsaved": unsaved,
               "logged_out": request.GET.get("loggedout") == "1"}
    return render(request, "realms/login.html", context)


def _login_prompt(request: HttpRequest) -> str:
    """The login heading (WebAdminLoginPrompt) naming the domain the browser reached, else the server."""
    server = domain_reached_at(request.META.get("HTTP_HOST"), local_address(request)) or main_domain_name() or ""
    return strings.text_unless_customised(
        "WebAdminLoginPrompt", _("Log in to the WebAdmin of %(server)s") % {"server": server}, server)


@pages.authenticated
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if isinstance(request.user, Account):
            log_login_event(request.user, "WebAdmin", client_address(request), "logged out")
        logout(request)
        return HttpResponseRedirect("/login/?loggedout=1")
    return render(request, "realms/logout.html")


@pages.authenticated
@require_GET
def root_view(request: HttpRequest) -> HttpResponse:
    """Server administrators land on the overview; a Domain Administrator on the Domain WebAdmin;
    an account without WebAdmin rights gets a page saying so."""
    links = realm_links(request)
    if not links:
        return render(request, "realms/forbidden.html", {"realm": None}, status=403)
    shown = [link.title for link in links if _realm_opened(request, link.title)]
    if links[0].title == "Domain" or not shown:
        return HttpResponseRedirect(links[0].url)
    return render(request, "realms/overview.html", _overview(request, set(shown)))


def _realm_opened(request: HttpRequest, realm: str) -> bool:
    """Whether this session may read the realm's data now (with Separate WebAdmin Realms, a realm
    is opened by its own login)."""
    scheme = pages.scheme_for("", separate_realms_enabled())
    opened = request.session.get(SESSION_REALMS, [])
    return getattr(request, "cg_basic", False) or pages.auth_realm(scheme, realm) in opened


def _overview(request: HttpRequest, realms: set[str]) -> dict:
    """The landing page's figures, each only from a realm this administrator has opened."""
    user = actor(request)
    scheme = pages.scheme_for("", separate_realms_enabled())
    context: dict = {"notifications": active_notifications(), "disk": _disk_usage(base()),
                     "links": {realm: pages.realm_reverse(scheme, realm, "index") for realm in realms},
                     "monitors": "Monitors" in realms, "users": "Users" in realms}
    if context["monitors"] or context["users"]:
        context["figures"] = _figures(statistics.recent(timezone.now() - timedelta(days=1)))
    if context["monitors"]:
        context["changes"] = audit_page(user, AuditFilter(), limit=OVERVIEW_CHANGES).entries
        context["audit_url"] = pages.realm_reverse(scheme, "Monitors", "audit")
    return context


def _disk_usage(path: Path) -> DiskUsage | None:
    """The disk the base directory is (or will be, before the first start) on; None if unreadable."""
    for folder in (path, *path.parents):
        if folder.exists():
            try:
                return DiskUsage(*shutil.disk_usage(folder))
            except OSError:
                return None
    return None


def _figures(recent: statistics.Recent) -> dict:
    grown, gauges, interfaces = recent.grown, recent.gauges, statistics.LOGIN_INTERFACES
    if recent.taken is None:  # no sample yet: nothing to show rather than zeros that look measured
        return dict.fromkeys(FIGURES) | {"logins": dict.fromkeys(interfaces)}
    return {
        "taken": recent.taken, "queue_messages": gauges["queue.messages"],
        "queue_recipients": gauges["queue.recipients"], "domains": gauges["domains"], "accounts": gauges["accounts"],
        "submitted": grown["mail.submitted"], "delivered": grown["mail.delivered"], "failed": grown["mail.rejected"],
        "logins": {name: grown[statistics.login_counter(name, failed=False)] for name in interfaces},
        "failed_logins": sum(grown[statistics.login_counter(name, failed=True)] for name in interfaces),
    }


@require_GET
def realm_index(request: RealmRequest) -> HttpResponse:
    """A realm's root opens its first page at the administrator's Interface Type; the Domain WebAdmin of
    an administrator of one domain opens that domain."""
    if request.cg_scheme == pages.DOMAIN_SCHEME and isinstance(request.user, Account):  # (a realm page: logged in)
        domains = list(administered_domains(request.user).values_list("name", flat=True)[:2])
        if len(domains) == 1:
            return HttpResponseRedirect(pages.realm_reverse(request.cg_scheme, request.cg_realm, "domain_settings",
                                                            domains[0]))
    url = first_page_url(request.cg_scheme, request.cg_realm, interface_level(request.user))
    return HttpResponseRedirect(url)


@require_http_methods(["GET", "POST"])
def webadmin_preferences(request: RealmRequest) -> HttpResponse:
    """This realm's WebAdmin Preferences of the administrator viewing it (kept in its WebAdminPrefs),
    and the administrator's TOTP second factor."""
    from accounts.services import account_update_prefs, account_update_webadmin_prefs

    user = actor(request)
    realm = request.cg_realm
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if action.startswith("totp_"):
        return _second_factor_post(request, user, action)
    initial = {LANGUAGE: administrator_language(user), INTERFACE_TYPE: interface_level(user).label,
               OBJECTS_PER_PAGE: objects_per_page(user, realm),
               REFRESH_PERIOD: str(refresh_seconds(user, realm)), CHARSET: page_charset(user, realm)}
    form = WebAdminPrefsForm(request.POST if request.method == "POST" else None, initial=initial, realm=realm)

    def save(data: dict[str, Any]) -> bool:
        updates = {key: value for key, value in data.items() if str(value) != str(initial[key])}
        language = updates.pop(LANGUAGE, None) or None  # a form without the field changes nothing
        if language is not None:
            account_update_prefs(actor=user, account=user, updates={LANGUAGE: language})
        account_update_webadmin_prefs(actor=user, account=user, updates=updates, realm=realm)
        return True

    posted = form_post(request, form, save, then=request.path, done=_("Preferences saved."))
    if posted is not None:
        return posted
    context = {"form": form, "realm": realm, **_second_factor_context(request, user)}
    return render(request, "realms/preferences.html", context, status=form_status(request))


def _second_factor_post(request: HttpRequest, user: Account, action: str) -> HttpResponse:
    """Set up, confirm or remove the second factor; the answer is the Preferences page again."""
    from realms import second_factor as totp
    from realms.middleware import SESSION_ENROL

    code = request.POST.get("code", "")
    if action == "totp_begin":
        call_service(request, None, lambda: totp.second_factor_begin(actor=user, account=user))
    elif action == "totp_confirm":
        recovery = call_service(request, None, lambda: totp.second_factor_confirm(actor=user, account=user, code=code),
                                done=_("Second factor set up: logins now ask for a code."))
        if recovery is not None:
            request.session.pop(SESSION_ENROL, None)
            request.session[SESSION_RECOVERY_CODES] = recovery  # shown once, on the page this redirects to
    elif action == "totp_remove":
        call_service(request, None, lambda: totp.second_factor_remove(actor=user, account=user, code=code) or True,
                     done=_("Second factor removed."))
    return HttpResponseRedirect(request.path)


def _qr_code_svg(uri: str) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here (no outside service), black on
    white in both colour schemes, which is what phone cameras read."""
    svg = segno.make(uri, error="m").svg_inline(scale=4, border=4, dark="#000", light="#fff", omitsize=True,
                                                title="QR code of the authenticator key")
    return mark_safe(svg)  # segno's own markup of our address: nothing typed by anyone


def _second_factor_context(request: HttpRequest, user: Account) -> dict:
    from realms import second_factor as totp
    from realms.models import SecondFactor

    factor = SecondFactor.objects.filter(account=user).first()
    pending = factor is not None and not factor.confirmed
    uri = totp.provisioning_uri(user, factor.secret) if factor is not None and pending else ""
    return {
        "totp_enrolled": factor is not None and factor.confirmed,
        "totp_secret": factor.secret if factor is not None and pending else "",
        "totp_uri": uri,
        "totp_qr": _qr_code_svg(uri) if uri else "",
        "totp_recovery_codes": request.session.pop(SESSION_RECOVERY_CODES, []),
        "totp_recovery_left": len(factor.recovery_codes) if factor is not None and factor.confirmed else 0,
        "totp_required": totp.is_server_administrator(user) and totp.requirement_in_force(),
    }


def _declare_realm_index() -> None:
    realm_index.cg_access = pages.PageAccess(pages.REALM, None, "", in_menu=False)  # type: ignore[attr-defined]
    webadmin_preferences.cg_access = pages.PageAccess(  # type: ignore[attr-defined]
        pages.REALM, None, "Preferences", in_menu=False, extra={"enrolment": True})


_declare_realm_index()

__all__ = ["login_view", "logout_view", "may_open", "realm_index", "root_view", "separate_realms_enabled",
           "server_error"]


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page as a WebAdmin page (the navigation, the administrator's language); the bare page
    when even that cannot be drawn (the database, say, is the reason for the error)."""
    try:
        return render(request, "500.html", status=500)
    except Exception:  # anything: this is the last answer the request gets
        return HttpResponseServerError(loader.get_template("500.html").render())


@pages.public
@require_http_methods(["GET", "HEAD"])
def health_view(request: HttpRequest) -> HttpResponse:
    """For load balancers and container health checks: 200 when the database answers, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("OK\n", content_type="text/plain")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form refused by the CSRF check (settings.CSRF_FAILURE_VIEW): a WebAdmin page in plain words."""
    return render(request, "403_csrf.html", status=403)
