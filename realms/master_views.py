"""Master realm pages: the server administrators and the server rights they hold."""

from __future__ import annotations

import functools
import operator
from typing import Any

from django import forms
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import Account
from accounts.services import account_set_server_rights
from cgadmin.catalogue import Level
from cgadmin.paging import KeyPage, ListRequest, page_by_key
from realms.access import access_account
from realms.forms import ServiceForm
from realms.listing import list_request
from realms.pages import realm_page
from realms.rights import MONITOR_SUB_RIGHTS, SERVER_RIGHTS
from realms.viewtools import actor, form_post, form_status

RIGHT_CHOICES = [(name, name) for name in SERVER_RIGHTS]


class ServerRightsForm(ServiceForm):
    """One account and the exact set of server rights it should hold."""

    service_fields = {"rights": "rights", "name": "account"}
    account = forms.CharField(label=_("Account"), max_length=320, strip=True,
                              help_text=_("A Main Domain account: name (or name@main-domain)."))
    rights = forms.MultipleChoiceField(label=_("Server rights"), choices=RIGHT_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)


def server_administrators_page(wanted: ListRequest) -> KeyPage:
    """One page (the administrator's Objects per page, by name) of the Main Domain accounts that
    hold at least one server right, their names containing the filter."""
    # A right is an element of the JSON list: its quoted name in the text (the same on SQLite).
    holds_one = functools.reduce(operator.or_, (Q(rights__icontains=f'"{right}"') for right in SERVER_RIGHTS))
    candidates = Account.objects.filter(holds_one, domain__is_main=True).select_related("domain")
    if wanted.filter:
        candidates = candidates.filter(name__contains=wanted.filter.lower())
    return page_by_key(candidates, wanted)


@realm_page("Master", "Access Rights", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def server_rights(request: HttpRequest) -> HttpResponse:
    """Grant and revoke server rights: one form per administrator, and one for any other account."""
    user = actor(request)
    form = ServerRightsForm(request.POST if request.method == "POST" else None)

    def grant(data: dict[str, Any]) -> tuple[Account, list[str]]:
        target = access_account(user, data["account"])
        return target, account_set_server_rights(actor=user, account=target, rights=data["rights"])

    def granted(result: tuple[Account, list[str]]) -> str:
        target, after = result
        held = ", ".join(name for name in after if name in SERVER_RIGHTS) or gettext("no server rights")
        return f"{target.address}: {held}."

    posted = form_post(request, form, grant, then=request.path, done=granted)
    if posted is not None:
        return posted
    page = server_administrators_page(list_request(request))
    rows = [{"account": account, "held": set(account.rights)} for account in page.rows]
    context = {"rows": rows, "page": page, "form": form, "server_rights": SERVER_RIGHTS,
               "sub_rights": MONITOR_SUB_RIGHTS}
    return render(request, "realms/server_administrators.html", context, status=form_status(request))
