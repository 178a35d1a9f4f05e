"""The WebAdmin shell: login, logout, the root and each realm's root."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from realms import pages
from realms.auth import check_login, client_address
from realms.forms import LoginForm
from realms.middleware import may_open, separate_realms_enabled, start_session
from realms.navigation import first_page_url, interface_level, realm_links


def _auth_realm_of(url: str) -> str | None:
    """The authentication realm of the page at url (None for pages outside the realms)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    scheme, realm = match.kwargs.get("cg_scheme"), match.kwargs.get("cg_realm")
    return pages.auth_realm(scheme, realm) if scheme and realm else None


def _home_realm(request: HttpRequest) -> str:
    """A login for a page outside the realms (the root) opens the realm the root leads to."""
    links = realm_links(request)
    return (_auth_realm_of(links[0].url) if links else None) or "WebAdmin"


@pages.public
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = "/"
    realm = _auth_realm_of(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account = check_login(form.cleaned_data["name"], form.cleaned_data["password"],
                              address=client_address(request))
        if account is not None:
            login(request, account, backend="realms.auth.AccountBackend")
            start_session(request, account, realm or _home_realm(request))
            return HttpResponseRedirect(next_url)
        form.add_error(None, "Incorrect password or account name.")
    context = {"form": form, "next": next_url, "auth_realm": realm or request.GET.get("realm", "")}
    return render(request, "realms/login.html", context)


@pages.authenticated
@require_http_methods(["GET", "POST"])
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        logout(request)
        return HttpResponseRedirect("/login/")
    return render(request, "realms/logout.html")


@pages.authenticated
def root_view(request: HttpRequest) -> HttpResponse:
    """The first page the administrator may open, or a page saying there is none."""
    links = realm_links(request)
    if links:
        return HttpResponseRedirect(links[0].url)
    return render(request, "realms/forbidden.html", {"realm": None}, status=403)


def realm_index(request: HttpRequest) -> HttpResponse:
    """A realm's root opens its first page at the administrator's Interface Type."""
    url = first_page_url(request.cg_scheme, request.cg_realm, interface_level(request.user))  # type: ignore[attr-defined]
    return HttpResponseRedirect(url)


def _declare_realm_index() -> None:
    realm_index.cg_access = pages.PageAccess(pages.REALM, None, "", in_menu=False)  # type: ignore[attr-defined]


_declare_realm_index()

__all__ = ["login_view", "logout_view", "may_open", "realm_index", "root_view", "separate_realms_enabled"]


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
