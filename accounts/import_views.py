"""Users realm pages for CSV import and export of a domain's accounts. An upload is checked first
(its bad rows shown), then started or cancelled; the import runs in a worker (accounts.tasks) and its
page shows the progress (percent, time left) until the import is done, then the rejected rows."""

from __future__ import annotations

from itertools import chain

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods

from accounts.forms import ImportAccountsForm
from accounts.models import AccountImport
from accounts.selectors import accounts_csv
from accounts.services import (
    CAN_CREATE_ACCOUNTS,
    account_import_cancel,
    account_import_confirm,
    account_import_start,
)
from cgadmin.catalogue import Level
from cgadmin.errors import NotFound
from domains.views import domain_links, users_url
from realms.access import access_domain
from realms.pages import realm_page
from realms.permissions import can_write_domain
from realms.viewtools import actor, call_service, form_post, form_status

RECENT_IMPORTS = 10
BOM = "\ufeff"  # first in a download, so spreadsheets read it as UTF-8 (Cyrillic names)
POLL_SECONDS = 2
# The import's states as its pages show them ({% translate job.get_status_display %}), for makemessages.
STATUS_TEXTS = (gettext_noop("Checked"), gettext_noop("Waiting"), gettext_noop("Running"),
                gettext_noop("Done"), gettext_noop("Failed"))


@realm_page("Users", "Import Accounts", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_import(request: HttpRequest, domain: str) -> HttpResponse:
    """Upload a CSV of accounts (checked, then started on its own page); export link; recent imports."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    form = ImportAccountsForm(request.POST or None, request.FILES or None)
    may_import = can_write_domain(user, the_domain, CAN_CREATE_ACCOUNTS)
    posted = form_post(request, form, lambda data: account_import_start(
        actor=user, domain=the_domain, text=form.csv_text, file_name=data["file"].name),
        then=lambda job: users_url(request, "account_import_status", the_domain.name, job.pk),
        shown=may_import)  # else the refusal goes above the page
    if posted is not None:
        return posted
    imports = AccountImport.objects.filter(domain=the_domain).defer("text", "errors")[:RECENT_IMPORTS]
    context = {
        "domain": the_domain, "links": domain_links(request, the_domain), "form": form, "imports": imports,
        "may_import": may_import,
        "export_url": users_url(request, "account_export", the_domain.name),
    }
    context["rows"] = [(job, users_url(request, "account_import_status", the_domain.name, job.pk)) for job in imports]
    return render(request, "accounts/account_import.html", context, status=form_status(request))


def _the_job(request: HttpRequest, domain: str, job: int, *, text: bool = False) -> AccountImport:
    the_domain = access_domain(actor(request), domain)
    jobs = AccountImport.objects.filter(domain=the_domain, pk=job).select_related("domain")
    found = (jobs if text else jobs.defer("text", "rejected")).first()
    if found is None:
        raise NotFound(f"no import {job} in {the_domain.name}")
    return found


@realm_page("Users", "Import Progress", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_import_status(request: HttpRequest, domain: str, job: int) -> HttpResponse:
    """One import: its check (bad rows; start or cancel), its progress while it runs (percent, time
    left; the page updates itself), then its report. `?format=json` answers the same as JSON for scripts."""
    user = actor(request)
    found = _the_job(request, domain, job)
    the_domain = found.domain
    if request.method == "POST":
        if request.POST.get("action") == "cancel":
            if call_service(request, None, lambda: account_import_cancel(actor=user, job=found),
                            done=_("The import was cancelled; nothing was imported.")) is not None:
                return HttpResponseRedirect(users_url(request, "account_import", the_domain.name))
        else:
            call_service(request, None, lambda: account_import_confirm(actor=user, job=found))
        return HttpResponseRedirect(users_url(request, "account_import_status", the_domain.name, found.pk))
    running = found.status in (AccountImport.Status.WAITING, AccountImport.Status.RUNNING)
    seconds_left = found.seconds_left(timezone.now())
    if request.GET.get("format") == "json":
        return JsonResponse({
            "status": found.status, "total": found.total, "processed": found.processed, "percent": found.percent,
            "seconds_left": seconds_left, "created": found.created_count, "bad_lines": found.error_count,
            "errors": [{"line": error[0], "message": error[-1]} for error in found.errors],
            "message": found.message,
        })
    here = users_url(request, "account_import_status", the_domain.name, found.pk)
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "job": found, "running": running,
               "checked": found.status == AccountImport.Status.CHECKED,
               "may_start": can_write_domain(user, the_domain, CAN_CREATE_ACCOUNTS),
               "has_rejected": found.status == AccountImport.Status.DONE and found.error_count > 0,
               "seconds_left": seconds_left, "minutes_left": None if seconds_left is None else seconds_left // 60,
               "json_url": f"{here}?format=json",
               "rejected_url": users_url(request, "account_import_rejected", the_domain.name, found.pk),
               "poll_seconds": POLL_SECONDS, "accounts_url": users_url(request, "accounts", the_domain.name),
               "import_url": users_url(request, "account_import", the_domain.name)}
    return render(request, "accounts/account_import_status.html", context)


@realm_page("Users", "Rejected Rows", level=Level.BASIC, in_menu=False)
@require_GET
def account_import_rejected(request: HttpRequest, domain: str, job: int) -> HttpResponse:
    """The rows a finished import did not take, as CSV: their cells as uploaded and a Reason column."""
    found = _the_job(request, domain, job, text=True)
    if found.status != AccountImport.Status.DONE or not found.rejected:
        raise NotFound(f"import {job} has no rejected rows to download")
    response = HttpResponse(BOM + found.rejected, content_type="text/csv; charset=utf-8")
    name = f"{found.domain.name}-import-{found.pk}-rejected.csv"
    response["Content-Disposition"] = _download_header(name)
    return response


@realm_page("Users", "Export Accounts", level=Level.BASIC, in_menu=False)
@require_GET
def account_export(request: HttpRequest, domain: str) -> StreamingHttpResponse:
    """The domain's accounts as a CSV download (stored password forms with ?passwords=1)."""
    the_domain = access_domain(actor(request), domain)
    lines = accounts_csv(actor(request), the_domain, passwords=request.GET.get("passwords") == "1")
    response = StreamingHttpResponse(chain([BOM], lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _download_header(f"{the_domain.name}-accounts.csv")
    return response


def _download_header(name: str) -> str:
    """The Content-Disposition of a download saved under this name."""
    header = content_disposition_header(True, name)
    assert header is not None  # None only for an inline response without a name
    return header
