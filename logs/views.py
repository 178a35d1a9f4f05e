"""Monitors realm pages of the logs app."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cgadmin.catalogue import Level
from logs.models import AuditEntry
from realms.pages import realm_page


@realm_page("Monitors", "Audit Trail", level=Level.BASIC)
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """The latest changes, newest first."""
    entries = AuditEntry.objects.order_by("-time", "-id")[:100]
    return render(request, "logs/audit_trail.html", {"entries": entries})
