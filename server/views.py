"""Settings realm pages of the server app: the General page."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from realms.navigation import interface_level
from realms.pages import realm_page, realm_reverse
from realms.settingsform import SettingsForm
from realms.viewtools import actor, call_service
from server import osinfo
from server.selectors import general_info, general_settings_effective
from server.services import network_refresh_request, server_root_privilege_set, server_settings_update
from server.settings_schema import MAIN


def _domain_settings_url(request: HttpRequest, domain: str | None) -> str | None:
    """Each server address links to the Domain Settings page of the domain it is assigned to."""
    if domain is None:
        return None
    return realm_reverse(request.cg_scheme, "Users", "domain_settings", domain)  # type: ignore[attr-defined]


@realm_page("Settings", "General", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def general(request: HttpRequest) -> HttpResponse:
    level = interface_level(request.user)
    values = general_settings_effective()
    form = SettingsForm(request.POST if request.POST.get("action") == "update" else None,
                        catalogue=MAIN, values=values, level=level, may_change=lambda definition: True)
    status = 200
    if request.method == "POST":
        if request.POST.get("action") == "refresh":
            call_service(request, None, lambda: network_refresh_request(actor=actor(request)),
                         done="Refresh requested: addresses are re-read in the background.")
            return HttpResponseRedirect(request.path)
        if request.POST.get("action") in ("drop_root", "restore_root"):
            drop = request.POST["action"] == "drop_root"
            call_service(request, None, lambda: server_root_privilege_set(actor=actor(request), drop=drop),
                         done="Root privilege: the server is switching its user; components restart meanwhile.")
            return HttpResponseRedirect(request.path)
        if form.is_valid():
            updates = form.updates()
            if form.is_valid() and call_service(
                request, form, lambda: server_settings_update(actor=actor(request), updates=updates),
                done="Settings updated.",
            ) is not None:
                return HttpResponseRedirect(request.path)
        status = 400
    info = general_info()
    info["ip_rows"] = [(address, domain, _domain_settings_url(request, domain)) for address, domain in info["ip_rows"]]
    context = {"form": form, "info": info, "time_zone": settings.TIME_ZONE, "os_time": osinfo.server_time()}
    return render(request, "server/general.html", context, status=status)
