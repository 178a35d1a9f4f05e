"""Monitors realm pages of the logs app (and the Users realm's Audit page for Domain Administrators)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cgadmin.catalogue import Kind, Level
from cgadmin.dataformat import Value
from cgadmin.errors import CGError
from domains.views import account_links, domain_links
from logs import notifications, serverlog, statistics
from logs.alerts import ACCOUNT, DOMAIN, SERVER, alerts_read, may_post_alerts
from logs.changes import audit_changes
from logs.charts import line_chart
from logs.forms import AuditFilterForm, LogSearchForm
from logs.search import LogQuery, SearchPage, search
from logs.selectors import AuditFilter, AuditPage, audit_page, log_settings
from logs.services import alert_post, alert_remove, log_all_set, log_settings_update
from logs.settings_schema import KEEP_DAYS, LEVELS, ROTATION_PERIOD, ROTATION_SIZE
from realms import permissions
from realms import rights as R
from realms.access import access_account, access_domain
from realms.controls import SettingControl
from realms.navigation import request_page_size
from realms.pages import realm_page
from realms.viewtools import actor, call_service, confirmation_page, confirmed

# A page of the viewer looks at no more than this much before it offers the next page.
VIEWER_SCAN_LIMIT = 512 * 1024 * 1024


@realm_page("Monitors", "Logs", level=Level.BASIC)
@require_GET
def log_viewer(request: HttpRequest) -> HttpResponse:
    """The Server Log files (the current one marked) and the records that match the filters."""
    form = LogSearchForm(request.GET or None)
    page, error, status = SearchPage(), "", 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        query = form.query() if form.is_bound else LogQuery()
        try:
            page = search(query, cursor=request.GET.get("cursor", ""), limit=request_page_size(request),
                          max_scan=VIEWER_SCAN_LIMIT)
        except CGError as refused:
            error, status = refused.message, 400
            if refused.field in form.fields:
                form.add_error(refused.field, refused.message)
    current = serverlog.current_file().name
    namespace = request.resolver_match.namespace  # type: ignore[union-attr]
    every_file = serverlog.log_files()
    shown, older = _file_page(every_file, request.GET.get("files_after", ""), request_page_size(request))
    files = [
        {"name": item.name, "size": item.size, "modified": datetime.fromtimestamp(item.modified, UTC),
         "current": item.name == current, "download": reverse(f"{namespace}:log_file", args=[item.name])}
        for item in shown
    ]
    context = {"form": form, "page": page, "error": error, "files": files, "file_count": len(every_file),
               "older_files_after": older, "files_open": not form.is_bound or "files_after" in request.GET,
               "tags": serverlog.TAGS,
               "selected_file": form.cleaned_data.get("file", "") if form.is_bound and form.is_valid() else ""}
    return render(request, "logs/log_viewer.html", context, status=status)


def _file_page(files: list, after: str, size: int) -> tuple[list, str]:
    """The Objects-per-page files (newest first) after the one named, and the name to continue
    after ("" at the end). A name no longer there (rotated away) starts from the newest."""
    start = next((index + 1 for index, item in enumerate(files) if item.name == after), 0)
    shown = files[start:start + size]
    return shown, shown[-1].name if shown and start + size < len(files) else ""


@realm_page("Monitors", "Log File", level=Level.BASIC, in_menu=False)
@require_GET
def log_file(request: HttpRequest, name: str) -> FileResponse:
    """One Server Log file as it is on disk (streamed, never read whole)."""
    if serverlog.parse_file_name(name) is None:
        raise Http404("no such log file")
    path = serverlog.log_dir() / name
    try:
        handle = open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb")  # noqa: SIM115 - FileResponse closes it
    except OSError:  # missing, or a link planted in SystemLogs/: never followed
        raise Http404("no such log file")
    return FileResponse(handle, as_attachment=True, filename=name, content_type="text/plain; charset=utf-8")


@realm_page("Monitors", "Log Settings", level=Level.ADVANCED)
@require_http_methods(["GET", "POST"])
def log_settings_page(request: HttpRequest) -> HttpResponse:
    """Component levels, rotation and retention; changed with CanTuneLoggerSettings."""
    may_tune = permissions.has_server_right(request.user, R.CAN_TUNE_LOGGER)  # type: ignore[arg-type]
    if request.method == "POST":
        if request.POST.get("action") == "logall":
            enabled = request.POST.get("value") == "ON"
            call_service(request, None, lambda: log_all_set(actor=actor(request), enabled=enabled),
                         done=_("Log all records: %(state)s.") % {"state": "ON" if enabled else "OFF"})
            return HttpResponseRedirect(request.path)
        updates = _log_settings_updates(request, log_settings())
        if call_service(request, None, lambda: log_settings_update(actor=actor(request), updates=updates),
                        done=_("Log settings updated.")) is not None:
            return HttpResponseRedirect(request.path)
    values = log_settings()
    levels = values[LEVELS]
    context = {
        "may_tune": may_tune, "values": values, "level_names": list(enumerate(serverlog.LEVEL_NAMES)),
        "levels": sorted(levels.items()),  # type: ignore[union-attr]
        "fields": [_rotation_row(ROTATION_PERIOD, _("Start a new file every"), values[ROTATION_PERIOD], may_tune),
                   _rotation_row(ROTATION_SIZE, _("Start a new file above"), values[ROTATION_SIZE], may_tune),
                   (KEEP_DAYS, _("Delete files older than (days)"), _("0 keeps every file"), values[KEEP_DAYS], "",
                    f"id_{KEEP_DAYS}")],
    }
    return render(request, "logs/log_settings.html", context, status=400 if request.method == "POST" else 200)


ROTATION_KINDS = {ROTATION_PERIOD: Kind.DURATION, ROTATION_SIZE: Kind.SIZE}


def _rotation_row(name: str, label: str, value: object, may_tune: bool) -> tuple[str, str, str, str, str, str]:
    """(name, label, hint, value, the control's HTML, the id its label points to) of a rotation
    setting: a number and a unit."""
    control = SettingControl(ROTATION_KINDS[name], label=label, shown=str(value))
    attrs = {"id": f"id_{name}", "disabled": not may_tune}
    return name, label, "", str(value), control.render(name, str(value), attrs), control.id_for_label(f"id_{name}")


def _log_settings_updates(request: HttpRequest, values: dict) -> dict:
    levels = {}
    for key, value in request.POST.items():
        if key.startswith("level_") and value != "":
            levels[key[len("level_"):]] = value
    updates: dict = {LEVELS: levels} if levels else {}
    for name in (ROTATION_PERIOD, ROTATION_SIZE, KEEP_DAYS):
        posted = request.POST.get(name, "")
        if name in ROTATION_KINDS:  # the control's number and unit (or the text a script sent)
            control = SettingControl(ROTATION_KINDS[name], label=name, shown=str(values[name]))
            posted = control.value_from_datadict(request.POST, None, name) or ""
        value = posted.strip()
        if value:
            updates[name] = value
    return updates


def _audit_context(request: HttpRequest, *, domains_only: bool) -> tuple[dict, int]:
    form = AuditFilterForm(request.GET or None)
    page, status = AuditPage([], None), 200
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.filters() if form.is_bound else AuditFilter()
        try:
            page = audit_page(request.user, filters, cursor=request.GET.get("cursor", ""),  # type: ignore[arg-type]
                              limit=request_page_size(request), domains_only=domains_only)
        except CGError as refused:
            form.add_error(None, refused.message)
            status = 400
    # the event split at its dots: a narrow column breaks "account.settings" there, not mid-word
    rows = [(entry, audit_changes(entry.before, entry.after), entry.event.split(".")) for entry in page.entries]
    return {"form": form, "page": page, "rows": rows}, status


@realm_page("Monitors", "Audit Trail", level=Level.BASIC)
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Every change by any administrator, newest first, with filters."""
    context, status = _audit_context(request, domains_only=False)
    return render(request, "logs/audit_trail.html", context, status=status)


@realm_page("Users", "Audit", level=Level.ADVANCED)
@require_GET
def domain_audit_trail(request: HttpRequest) -> HttpResponse:
    """The changes in the domains this administrator may see (a Domain Administrator's own)."""
    context, status = _audit_context(request, domains_only=True)
    return render(request, "logs/audit_trail.html", context, status=status)


@realm_page("Monitors", "Statistics", level=Level.BASIC, auto_refresh=True)
@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Charts of the server counters over the last hour, day or week, drawn here as SVG."""
    period = statistics.PERIODS.get(request.GET.get("period", "hour"))
    if period is None:
        raise Http404("no such period: use hour, day or week")
    names = [name for _chart, _unit, lines in statistics.CHARTS for _label, name in lines]
    data = statistics.series(period, names)
    charts = [
        {"title": title, "svg": line_chart(f"{_(title)}, {_(period.label)}", data.start, data.step,
                                           [(_(label), data.values[name]) for label, name in lines], unit=_(unit))}
        for title, unit, lines in statistics.CHARTS
    ]
    last = statistics.latest()
    current = [(label, last.values.get(name, 0)) for _chart, _unit, lines in statistics.CHARTS for label, name in lines
               if name in statistics.GAUGES] if last else []
    context = {"charts": charts, "period": period, "periods": statistics.PERIODS.values(), "last": last,
               "current": current}
    return render(request, "logs/statistics.html", context)


@realm_page("Monitors", "Notifications", level=Level.BASIC, auto_refresh=True)
@require_http_methods(["GET", "POST"])
def notifications_page(request: HttpRequest) -> HttpResponse:
    """The Urgent Notifications in force and the posted server alerts (post and remove: AllDomains)."""
    if request.method == "POST":
        who = actor(request)
        if request.POST.get("action") == "remove":
            stamp = request.POST.get("stamp", "")
            if permissions.has_server_right(who, R.ALL_DOMAINS) and not confirmed(request):
                return _confirm_alert_removal(request, alerts_read(who, SERVER), stamp)
            call_service(request, None, lambda: alert_remove(
                actor=who, scope=SERVER, stamp=stamp), done=_("Alert removed."))
        else:
            text = request.POST.get("text", "")
            call_service(request, None, lambda: alert_post(
                actor=who, scope=SERVER, text=text), done=_("Alert posted."))
        return HttpResponseRedirect(request.path)
    raised = notifications.raised_notifications()
    worker = notifications.worker_notification()
    context = {
        "raised": [{**item, "since": datetime.fromtimestamp(item["since"], UTC)}
                   for item in raised + ([worker] if worker else [])],
        "posted": alerts_read(request.user, SERVER),  # type: ignore[arg-type]
        "may_post": permissions.has_server_right(request.user, R.ALL_DOMAINS),  # type: ignore[arg-type]
    }
    return render(request, "logs/notifications.html", context)


def _confirm_alert_removal(request: HttpRequest, posted: Mapping[str, Value], stamp: str) -> HttpResponse:
    """Ask before an alert is removed, showing the alert (a removed alert cannot be brought back)."""
    text = posted.get(stamp)
    return confirmation_page(
        request, title=_("Remove Alert"), button=_("Remove Alert"), back_url=request.path,
        items=[f"{stamp}: {text}"] if isinstance(text, str) else [],
        question=_("Yes, remove the alert posted %(stamp)s") % {"stamp": stamp})


def _alerts_page(request: HttpRequest, scope: str, name: str, links: list[tuple[str, str]], **context: object
                 ) -> HttpResponse:
    """The posted alerts of a domain or an account: read by its readers, posted and removed by
    AllDomains or a Domain Administrator with CanPostAlerts (the services decide)."""
    who = actor(request)
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            stamp = request.POST.get("stamp", "")
            if may_post_alerts(who, scope, name) and not confirmed(request):
                return _confirm_alert_removal(request, alerts_read(who, scope, name), stamp)
            call_service(request, None, lambda: alert_remove(actor=who, scope=scope, name=name, stamp=stamp),
                         done=_("Alert removed."))
        else:
            text = request.POST.get("text", "")
            call_service(request, None, lambda: alert_post(actor=who, scope=scope, name=name, text=text),
                         done=_("Alert posted."))
        return HttpResponseRedirect(request.path)
    posted = alerts_read(who, scope, name)
    return render(request, "logs/alerts.html", {"posted": posted, "may_post": may_post_alerts(who, scope, name),
                                                "links": links, **context})


@realm_page("Users", "Domain Alerts", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_alerts(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's alerts, with the domain's strip of pages."""
    found = access_domain(actor(request), domain)
    return _alerts_page(request, DOMAIN, found.name, domain_links(request, found),
                        heading=_("Alerts of %(domain)s") % {"domain": found.name}, nav_label=_("Domain pages"))


@realm_page("Users", "Account Alerts", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_alerts(request: HttpRequest, domain: str, account: str) -> HttpResponse:
    """An account's alerts, with the account's row of pages."""
    found = access_account(actor(request), f"{account}@{domain}")
    return _alerts_page(request, ACCOUNT, found.address, account_links(request, found), account=found,
                        heading=_("Alerts of %(account)s") % {"account": found.address}, nav_label=_("Account pages"))
