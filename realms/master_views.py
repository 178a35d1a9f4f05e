"""Master realm pages: the server administrators and the server rights they hold."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from accounts.models import Account
from accounts.services import account_set_server_rights
from cgadmin.catalogue import Level
from cgadmin.errors import CGError
from realms.access import access_account
from realms.forms import ServiceForm
from realms.pages import realm_page
from realms.rights import MONITOR_SUB_RIGHTS, SERVER_RIGHTS
from realms.viewtools import actor

RIGHT_CHOICES = [(name, name) for name in SERVER_RIGHTS]


class ServerRightsForm(ServiceForm):
    """One account and the exact set of server rights it should hold."""

    service_fields = {"rights": "rights", "name": "account"}
    account = forms.CharField(label=_("Account"), max_length=320, strip=True,
                              help_text=_("A Main Domain account: name (or name@main-domain)."))
    rights = forms.MultipleChoiceField(label=_("Server rights"), choices=RIGHT_CHOICES, required=False,
                                       widget=forms.CheckboxSelectMultiple)


def server_administrators() -> list[Account]:
    """Main Domain accounts that hold at least one server right (two queries, whatever the number)."""
    candidates = Account.objects.filter(domain__is_main=True).exclude(rights=[]).select_related("domain")
    return [account for account in candidates.order_by("name")
            if any(right in SERVER_RIGHTS for right in account.rights)]


@realm_page("Master", "Access Rights", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def server_rights(request: HttpRequest) -> HttpResponse:
    """Grant and revoke server rights: one form per administrator, and one for any other account."""
    user = actor(request)
    form = ServerRightsForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                target = access_account(user, form.cleaned_data["account"])
                after = account_set_server_rights(actor=user, account=target, rights=form.cleaned_data["rights"])
            except CGError as error:
                form.report(error)
            else:
                held = ", ".join(name for name in after if name in SERVER_RIGHTS) or gettext("no server rights")
                messages.success(request, f"{target.address}: {held}.")
                return HttpResponseRedirect(request.path)
        status = 400
    rows = [{"account": account, "held": set(account.rights)} for account in server_administrators()]
    context = {"rows": rows, "form": form, "server_rights": SERVER_RIGHTS, "sub_rights": MONITOR_SUB_RIGHTS}
    return render(request, "realms/server_administrators.html", context, status=status)
