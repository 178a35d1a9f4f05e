"""Directory realm pages (the Central Directory) and the directory search API."""

from __future__ import annotations

from pathlib import Path

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from cgadmin.catalogue import Level
from cgadmin.errors import CGError, InvalidInput
from directory import config
from directory.export import directory_dir, unit_file
from directory.forms import CustomRecordForm, posted_rules
from directory.rules import ANONYMOUS, BASE_ATTRIBUTES, WHO, DirectoryReader, current_rules
from directory.selectors import PAGE_SIZE, Cursor, VisibleRecord, search_records
from directory.services import (
    directory_access_update,
    directory_public_info_update,
    directory_record_create,
    directory_record_delete,
)
from directory.units import LOCAL_UNIT, find_unit, get_unit, integration, local_unit, server_default_integration
from domains.models import Domain
from realms import pages
from realms import rights as R
from realms.navigation import request_page_size
from realms.pages import realm_page
from realms.permissions import has_server_right, may_open
from realms.request import RealmRequest
from realms.viewtools import actor, call_service, confirmation_page, confirmed
from server.selectors import separate_realms_enabled

BLANK_RULE_ROWS = 3


def _realm_url(request: RealmRequest, name: str) -> str:
    return pages.realm_reverse(request.cg_scheme, "Directory", name)


def _relative(path: Path) -> str:
    return str(path.relative_to(directory_dir().parent))


@realm_page("Directory", "Units", level=Level.BASIC)
@require_GET
def directory_units(request: RealmRequest) -> HttpResponse:
    """The directory's storage units: the Local Unit and one per domain, paged by domain name."""
    after = request.GET.get("after", "")
    size = request_page_size(request)
    domains = list(Domain.objects.filter(name__gt=after).only("name", "settings", "account_count")
                   .order_by("name")[: size + 1])
    default = server_default_integration()
    rows = [{"key": domain.name, "title": domain.name, "integration": integration(domain, default),
             "accounts": domain.account_count, "file": _relative(unit_file(domain.name))}
            for domain in domains[:size]]
    context = {
        "local": {"key": LOCAL_UNIT, "title": local_unit().title, "file": _relative(unit_file(LOCAL_UNIT))},
        "rows": rows,
        "next_after": domains[size - 1].name if len(domains) > size else "",
        "browse_url": _realm_url(request, "browse"),
    }
    return render(request, "directory/units.html", context)


def _browse_post(request: HttpRequest, form: CustomRecordForm) -> bool:
    """Add or remove a custom record of the Local Unit; True when done."""
    who = actor(request)
    if request.POST.get("action") == "remove":
        name = request.POST.get("name", "")
        return call_service(request, None, lambda: directory_record_delete(actor=who, name=name),
                            done=_("Record %(name)s removed.") % {"name": name}) is not None
    if not form.is_valid():
        return False
    try:
        attributes = form.attribute_values()
    except CGError as error:
        form.report(error)
        return False
    data = form.cleaned_data
    return call_service(
        request, form,
        lambda: directory_record_create(actor=who, name=data["name"], real_name=data["real_name"],
                                        email=data["email"], attributes=attributes),
        done=_("Record %(name)s added.") % {"name": data["name"]},
    ) is not None


def _account_urls(request: HttpRequest, records: list[VisibleRecord]) -> list[str]:
    """The account page each record mirrors, for a viewer who may open the Users realm; else none."""
    scheme = pages.scheme_for("", separate_realms_enabled())
    if not may_open(actor(request), scheme, "Users"):
        return [""] * len(records)
    return [pages.realm_reverse(scheme, "Users", "account", *record.account) if record.account else ""
            for record in records]


@realm_page("Directory", "Browse", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def directory_browse(request: RealmRequest) -> HttpResponse:
    """Records of one unit (or of every unit), searched by a prefix of the name, real name or e-mail,
    paged by key; custom records of the Local Unit are added and removed here."""
    unit_key = request.GET.get("unit", "")
    unit = find_unit(unit_key) if unit_key else None
    form = CustomRecordForm(request.POST if request.method == "POST" and request.POST.get("action") == "add"
                            else None)
    status = 200
    if request.method == "POST":
        removing = request.POST.get("action") == "remove" and unit is not None and unit.is_local
        if removing and not confirmed(request) and has_server_right(actor(request), R.DIRECTORY):
            name = request.POST.get("name", "")
            return confirmation_page(
                request, title=_("Remove the record %(name)s") % {"name": name}, button=_("Remove"),
                back_url=request.get_full_path(),
                question=_("Yes, remove the record %(name)s from the Local Unit") % {"name": name})
        if unit is not None and unit.is_local and _browse_post(request, form):
            return HttpResponseRedirect(request.get_full_path())
        status = 400
    if unit_key and unit is None:
        status = 404
    prefix = request.GET.get("q", "")
    viewer = request.user if request.user.is_authenticated else ANONYMOUS
    reader = DirectoryReader(viewer)
    try:
        after = Cursor.parse(request.GET.get("after"))
    except InvalidInput:
        after, status = None, 400
    page = search_records(viewer=viewer, prefix=prefix, unit=unit, after=after, reader=reader,
                          limit=request_page_size(request)) if (
        unit is not None or not unit_key) else None
    readable = reader.readable(unit) if unit is not None else None
    records = page.records if page is not None else []
    rows = list(zip(records, _account_urls(request, records), strict=True))
    context = {
        "rows": rows,
        "unit": unit, "unit_key": unit_key, "prefix": prefix, "page": page, "form": form,
        "readable_names": readable is not None and "Name" in readable,
        "units_url": _realm_url(request, "units"),
    }
    return render(request, "directory/browse.html", context, status=status)


@realm_page("Directory", "Access Rights", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def directory_access(request: HttpRequest) -> HttpResponse:
    """The Directory Access Rights (who may read which attributes) and the Public Info list."""
    status = 200
    if request.method == "POST":
        who = actor(request)
        if request.POST.get("action") == "public_info":
            names = [line.strip() for line in request.POST.get("public_info", "").splitlines() if line.strip()]
            updated = call_service(request, None, lambda: directory_public_info_update(actor=who, names=names),
                                   done=_("Public Info updated.")) is not None
        else:
            rules = posted_rules(request.POST)
            updated = call_service(request, None, lambda: directory_access_update(actor=who, rules=rules),
                                   done=_("Access Rights updated.")) is not None
        if updated:
            return HttpResponseRedirect(request.path)
        status = 400
    public_info = config.public_info_names()
    context = {
        "rules": current_rules(),
        "blank_rows": range(BLANK_RULE_ROWS),
        "who_choices": WHO,
        "local_unit": LOCAL_UNIT,
        "attributes": [*BASE_ATTRIBUTES, *public_info],
        "public_info": "\n".join(public_info),
    }
    return render(request, "directory/access.html", context, status=status)


@pages.public
@require_GET
def directory_search_api(request: HttpRequest) -> JsonResponse:
    """GET /api/directory/search?q=prefix[&unit=key][&after=cursor][&limit=n]: the records the caller
    may read (Directory Access Rights), as JSON; anyone may ask, the rules decide what they see."""
    viewer = request.user if request.user.is_authenticated else ANONYMOUS
    try:
        unit_key = request.GET.get("unit", "")
        unit = get_unit(unit_key) if unit_key else None
        limit_text = request.GET.get("limit", str(PAGE_SIZE))
        if not limit_text.isdigit():
            raise InvalidInput("limit must be a number", field="limit")
        page = search_records(viewer=viewer, prefix=request.GET.get("q", ""), unit=unit,
                              after=Cursor.parse(request.GET.get("after")), limit=int(limit_text))
    except CGError as error:
        return JsonResponse({"error": error.message, "field": error.field}, status=error.status)
    return JsonResponse({
        "records": [{"unit": record.unit, **record.values} for record in page.records],
        "next": page.next.encode() if page.next else None,
    })
