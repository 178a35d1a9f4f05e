"""One view body for every page that edits one layer of settings (defaults, templates,
preferences): the catalogue's settings, each with its value in force and the layer it comes from,
a "default" switch back to the layers below, and one service call on Update."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from cgadmin.catalogue import Catalogue, Layer, SettingDef, effective_with_inherited
from cgadmin.dataformat import Value
from realms.navigation import interface_level
from realms.settingsform import SettingsForm
from realms.viewtools import actor, call_service


def layered_settings_page(
    request: HttpRequest,
    *,
    catalogue: Catalogue,
    below: list[Layer],
    own: Mapping[str, Value],
    may_change: Callable[[SettingDef], bool],
    update: Callable[[dict[str, Value]], object],
    context: dict[str, Any],
    template: str = "realms/layered_settings.html",
) -> HttpResponse:
    """GET shows the layer; POST validates it, calls `update(changes)` (one service) and redirects back."""
    values, inherited = effective_with_inherited(catalogue, below, own)
    data = request.POST if request.method == "POST" else None
    form = SettingsForm(data, catalogue=catalogue, values=values, inherited=inherited,
                        level=interface_level(actor(request)), may_change=may_change)
    status = 200
    if data is not None:
        if form.is_valid():
            updates = form.updates()
            if form.is_valid() and call_service(request, form, lambda: update(updates), done=_("Updated.")) is not None:
                return HttpResponseRedirect(request.get_full_path())
        status = 400
    sources = " → ".join([*(_(layer.source) for layer in below), _("this page")])
    page = {"form": form, "sources": sources, "read_only": not any(form.editable.values()), **context}
    return render(request, template, page, status=status)
