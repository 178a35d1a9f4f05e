"""Users realm pages of a domain's Forwarders: the list (paged by name, with Create Forwarder) and
each forwarder's page (rename, remove). Reading needs the domain; changing needs CanCreateForwarders."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from domains.views import domain_links, users_url
from forwarders.forms import CreateForwarderForm, RemoveForwarderForm, RenameForwarderForm
from forwarders.selectors import find_forwarder, forwarders_page
from forwarders.services import CAN_CREATE_FORWARDERS, forwarder_create, forwarder_delete, forwarder_rename
from realms.access import access_domain
from realms.listing import list_request
from realms.pages import realm_page
from realms.permissions import can_write_domain
from realms.viewtools import actor, call_service

CURRENT = "Forwarders"


@realm_page("Users", "Forwarders", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_forwarders(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's forwarders, a page at a time, with a filter; Create Forwarder."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    may_change = can_write_domain(user, the_domain, CAN_CREATE_FORWARDERS)
    form = CreateForwarderForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            created = call_service(request, form if may_change else None, lambda: forwarder_create(
                actor=user, domain=the_domain, name=data["name"], target=data["target"]),
                done=_("Forwarder created."))
            if created is not None:
                return HttpResponseRedirect(users_url(request, "domain_forwarders", the_domain.name))
        status = 400
    page = forwarders_page(the_domain, list_request(request))
    rows = [{"forwarder": forwarder, "url": users_url(request, "domain_forwarder", the_domain.name, forwarder.name)}
            for forwarder in page.rows]
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": CURRENT,
               "page": page, "rows": rows, "form": form, "may_change": may_change}
    return render(request, "forwarders/forwarder_list.html", context, status=status)


@realm_page("Users", "Forwarder", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_forwarder(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One forwarder: where it forwards to; rename and remove."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    forwarder = find_forwarder(the_domain, name)
    if forwarder is None:
        raise Http404(_("No such forwarder."))
    may_change = can_write_domain(user, the_domain, CAN_CREATE_FORWARDERS)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    rename = RenameForwarderForm(request.POST if action == "rename" else None)
    remove = RemoveForwarderForm(request.POST if action == "remove" else None)
    status = 200
    if action == "rename" and rename.is_valid():
        new_name = rename.cleaned_data["new_name"]
        if call_service(request, rename if may_change else None, lambda: forwarder_rename(
                actor=user, forwarder=forwarder, new_name=new_name), done=_("Forwarder renamed.")) is not None:
            return HttpResponseRedirect(users_url(request, "domain_forwarder", the_domain.name, forwarder.name))
        status = 400
    elif action == "remove":
        if call_service(request, remove if may_change else None, lambda: forwarder_delete(
                actor=user, forwarder=forwarder) or True, done=_("Forwarder removed.")) is not None:
            return HttpResponseRedirect(users_url(request, "domain_forwarders", the_domain.name))
        status = 400
    elif action:
        status = 400
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": CURRENT,
               "forwarder": forwarder, "rename_form": rename, "remove_form": remove, "may_change": may_change,
               "list_url": users_url(request, "domain_forwarders", the_domain.name)}
    return render(request, "forwarders/forwarder.html", context, status=status)
