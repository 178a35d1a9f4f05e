"""Users realm pages of a domain's Groups: the list (paged by name, with Create Group) and each
group's page (Real Name and members editor, rename, remove). Reading needs the domain; changing
needs CanCreateGroups."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from cgadmin.dataformat import Value
from domains.views import domain_links, users_url
from groups.forms import CreateGroupForm, GroupForm, RemoveGroupForm, RenameGroupForm
from groups.models import Group
from groups.selectors import find_group, groups_page
from groups.services import CAN_CREATE_GROUPS, group_create, group_delete, group_rename, group_set
from realms.access import access_domain
from realms.listing import list_request
from realms.pages import realm_page
from realms.permissions import can_write_domain
from realms.viewtools import actor, call_service

CURRENT = "Groups"
REAL_NAME = "RealName"


@realm_page("Users", "Groups", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_groups(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's groups, a page at a time, with a filter; Create Group."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    may_change = can_write_domain(user, the_domain, CAN_CREATE_GROUPS)
    form = CreateGroupForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            settings: dict[str, Value] = {REAL_NAME: data["real_name"]} if data["real_name"] else {}
            created = call_service(request, form if may_change else None, lambda: group_create(
                actor=user, domain=the_domain, name=data["name"], settings=settings), done=_("Group created."))
            if created is not None:
                return HttpResponseRedirect(users_url(request, "domain_group", the_domain.name, created.name))
        status = 400
    page = groups_page(the_domain, list_request(request))
    rows = [{"group": group, "url": users_url(request, "domain_group", the_domain.name, group.name),
             "real_name": group.settings.get(REAL_NAME, ""), "members": len(group.members)} for group in page.rows]
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": CURRENT,
               "page": page, "rows": rows, "form": form, "may_change": may_change}
    return render(request, "groups/group_list.html", context, status=status)


def _group_form(group: Group, data=None) -> GroupForm:
    initial = {"real_name": group.settings.get(REAL_NAME, ""), "members": "\n".join(group.members)}
    return GroupForm(data, initial=initial)


@realm_page("Users", "Group", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_group(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One group: its Real Name and members; rename and remove."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    group = find_group(the_domain, name)
    if group is None:
        raise Http404(_("No such group."))
    may_change = can_write_domain(user, the_domain, CAN_CREATE_GROUPS)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    edit = _group_form(group, request.POST if action == "update" else None)
    rename = RenameGroupForm(request.POST if action == "rename" else None)
    remove = RemoveGroupForm(request.POST if action == "remove" else None)
    status = 200
    if action == "update" and edit.is_valid():
        settings: dict[str, Value] = {**group.settings, REAL_NAME: edit.cleaned_data["real_name"] or None,
                                      "Members": list[Value](edit.member_list())}
        if call_service(request, edit if may_change else None, lambda: group_set(
                actor=user, group=group, settings=settings), done=_("Group updated.")) is not None:
            return HttpResponseRedirect(users_url(request, "domain_group", the_domain.name, group.name))
        status = 400
    elif action == "rename" and rename.is_valid():
        new_name = rename.cleaned_data["new_name"]
        if call_service(request, rename if may_change else None, lambda: group_rename(
                actor=user, group=group, new_name=new_name), done=_("Group renamed.")) is not None:
            return HttpResponseRedirect(users_url(request, "domain_group", the_domain.name, group.name))
        status = 400
    elif action == "remove":
        if call_service(request, remove if may_change else None, lambda: group_delete(
                actor=user, group=group) or True, done=_("Group removed.")) is not None:
            return HttpResponseRedirect(users_url(request, "domain_groups", the_domain.name))
        status = 400
    elif action:
        status = 400
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": CURRENT,
               "group": group, "form": edit, "rename_form": rename, "remove_form": remove,
               "may_change": may_change, "list_url": users_url(request, "domain_groups", the_domain.name)}
    return render(request, "groups/group.html", context, status=status)
