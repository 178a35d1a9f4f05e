"""Users realm pages of the domains app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cgadmin.catalogue import Level
from realms.access import administered_domains
from realms.pages import realm_page


@realm_page("Users", "Domains", level=Level.BASIC)
@require_GET
def domain_list(request: HttpRequest) -> HttpResponse:
    """The domains this administrator may see, with their account counts."""
    domains = administered_domains(request.user).only("name", "account_count", "suspended").order_by("name")[:500]
    return render(request, "domains/domain_list.html", {"domains": domains})
