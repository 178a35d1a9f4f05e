"""Directory realm pages (the Central Directory; see the directory issue for the full realm)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cgadmin.catalogue import Level
from domains.models import Domain
from realms.pages import realm_page


@realm_page("Directory", "Units", level=Level.BASIC)
@require_GET
def directory_units(request: HttpRequest) -> HttpResponse:
    """The directory's storage units: the local unit and one per domain."""
    domains = Domain.objects.only("name", "settings").order_by("name")[:500]
    return render(request, "realms/directory_units.html", {"domains": domains})
