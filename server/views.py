"""Settings realm pages of the server app: the General page and the Strings page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from cgadmin.dataformat import Value
from realms import rights as R
from realms.navigation import interface_level
from realms.pages import realm_page, realm_reverse
from realms.permissions import has_server_right
from realms.request import RealmRequest
from realms.settingsform import SettingsForm
from realms.viewtools import Refusal, actor, call_service, confirmation_page, confirmed
from server import osinfo, strings
from server.selectors import general_info, general_settings_effective
from server.services import (
    network_refresh_request,
    server_root_privilege_set,
    server_settings_update,
    server_strings_update,
)
from server.settings_schema import MAIN


def _domain_settings_url(request: HttpRequest, domain: str | None) -> str | None:
    """Each server address links to the Domain Settings page of the domain it is assigned to."""
    if domain is None:
        return None
    return realm_reverse(cast(RealmRequest, request).cg_scheme, "Users", "domain_settings", domain)


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
                         done=_("Refresh requested: addresses are re-read in the background."))
            return HttpResponseRedirect(request.path)
        if request.POST.get("action") in ("drop_root", "restore_root"):
            drop = request.POST["action"] == "drop_root"
            if drop and not confirmed(request) and has_server_right(actor(request), R.SETTINGS):
                return confirmation_page(
                    request, title=_("Drop Root"), button=_("Drop Root"), back_url=request.path,
                    question=_("Yes, drop root: every component restarts as the server's own user, and ports "
                               "below 1024 or files only root may read can no longer be opened"))
            call_service(request, None, lambda: server_root_privilege_set(actor=actor(request), drop=drop),
                         done=_("Root privilege: the server is switching its user; components restart meanwhile."))
            return HttpResponseRedirect(request.path)
        if form.is_valid():
            updates = form.updates()
            if form.is_valid() and call_service(
                request, form, lambda: server_settings_update(actor=actor(request), updates=updates),
                done=_("Settings updated."),
            ) is not None:
                return HttpResponseRedirect(request.path)
        status = 400
    info = general_info()
    info["ip_rows"] = [(address, domain, _domain_settings_url(request, domain)) for address, domain in info["ip_rows"]]
    context = {"form": form, "info": info, "time_zone": settings.TIME_ZONE, "os_time": osinfo.server_time()}
    return render(request, "server/general.html", context, status=status)


@dataclass
class StringRow:
    """One Server String on the Strings page: its default above, the custom text below."""

    item: strings.ServerString
    custom: bool
    text: str
    error: str = ""

    @property
    def parameters(self) -> str:
        return ", ".join(f"^{index} {_(name)}" for index, name in enumerate(self.item.parameters))


def _string_rows(posted: dict[str, tuple[bool, str]] | None = None) -> list[tuple[str, list[StringRow]]]:
    custom = strings.customised()
    rows = []
    for group, items in strings.groups():
        group_rows = []
        for item in items:
            is_custom, text = (posted or {}).get(item.keyword, (item.keyword in custom,
                                                                custom.get(item.keyword, item.default)))
            group_rows.append(StringRow(item, is_custom, text))
        rows.append((group, group_rows))
    return rows


def _posted_strings(request: HttpRequest) -> tuple[dict[str, tuple[bool, str]], dict[str, Value]]:
    """(what the form says for each keyword, the updates it asks for: a text, or `default`)."""
    custom = strings.customised()
    posted: dict[str, tuple[bool, str]] = {}
    updates: dict[str, Value] = {}
    for item in strings.CATALOGUE:
        is_custom = request.POST.get(f"mode-{item.keyword}") == "custom"
        text = request.POST.get(f"text-{item.keyword}", "").replace("\r\n", "\n")
        posted[item.keyword] = (is_custom, text)
        if is_custom and custom.get(item.keyword) != text:
            updates[item.keyword] = text
        elif not is_custom and item.keyword in custom:
            updates[item.keyword] = "default"
    return posted, updates


@realm_page("Settings", "Strings", level=Level.ADVANCED)
@require_http_methods(["GET", "POST"])
def server_strings(request: HttpRequest) -> HttpResponse:
    """Every Server String: its default, and a custom text used instead when "custom" is chosen."""
    status = 200
    posted = None
    if request.method == "POST":
        posted, updates = _posted_strings(request)
        refusal = Refusal()
        if call_service(request, refusal, lambda: server_strings_update(actor=actor(request), updates=updates),
                        done=_("Strings updated.") if updates else _("Nothing changed.")) is not None:
            return HttpResponseRedirect(request.path)
        status = 400
        rows = _string_rows(posted)
        if (error := refusal.error) is not None:
            for _group, group_rows in rows:
                for row in group_rows:
                    if error.field and row.item.keyword == error.field:
                        row.error = error.message
            if not error.field:
                messages.error(request, error.message)
        return render(request, "server/strings.html", {"groups": rows}, status=status)
    return render(request, "server/strings.html", {"groups": _string_rows()}, status=status)
