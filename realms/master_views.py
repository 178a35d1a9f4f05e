"""Master realm pages: the server administrators and their rights."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.models import Account
from cgadmin.catalogue import Level
from realms.pages import realm_page
from realms.rights import SERVER_RIGHTS


@realm_page("Master", "Access Rights", level=Level.BASIC)
@require_GET
def server_administrators(request: HttpRequest) -> HttpResponse:
    """Main Domain accounts that hold server rights."""
    administrators = [
        account for account in Account.objects.filter(domain__is_main=True).exclude(rights=[]).select_related("domain")
        if any(right in SERVER_RIGHTS for right in account.rights)
    ]
    return render(request, "realms/server_administrators.html",
                  {"administrators": administrators, "server_rights": SERVER_RIGHTS})
