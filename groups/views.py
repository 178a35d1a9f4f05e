"""Users realm pages of a domain's Groups: the list (paged by name, with Create Group) and each
group's page (Real Name and members editor, rename, remove). Reading needs the domain; changing
needs CanCreateGroups."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from cgadmin.dataformat import Value
from domains.object_views import ObjectPages, object_list, object_page
from groups.forms import CreateGroupForm, GroupForm, RemoveGroupForm, RenameGroupForm
from groups.models import Group
from groups.selectors import find_group, groups_page
from groups.services import CAN_CREATE_GROUPS, group_create, group_delete, group_rename, group_set
from realms.pages import realm_page
from realms.permissions import can_write_domain

REAL_NAME = "RealName"
PAGES = ObjectPages(current="Groups", list_url="domain_groups", object_url="domain_group",
                    may_change=lambda user, domain: can_write_domain(user, domain, CAN_CREATE_GROUPS))


def _create_settings(real_name: str) -> dict[str, Value]:
    return {REAL_NAME: real_name} if real_name else {}


@realm_page("Users", "Groups", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_groups(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's groups, a page at a time, with a filter; Create Group."""
    return object_list(
        request, domain, PAGES, template="groups/group_list.html", rows=groups_page,
        form_class=CreateGroupForm, done=_("Group created."),
        create=lambda user, the_domain, data: group_create(
            actor=user, domain=the_domain, name=data["name"], settings=_create_settings(data["real_name"])),
        columns=lambda group: {"real_name": group.settings.get(REAL_NAME, ""), "members": len(group.members)})


def _group_form(group: Group, data=None) -> GroupForm:
    initial = {"real_name": group.settings.get(REAL_NAME, ""), "members": "\n".join(group.members)}
    return GroupForm(data, initial=initial)


@realm_page("Users", "Group", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_group(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One group: its Real Name and members; rename and remove."""
    page = object_page(request, domain, name, PAGES, find_group, _("No such group."))
    group = page.named
    edit = _group_form(group, page.data("update"))
    rename = RenameGroupForm(page.data("rename"))
    remove = RemoveGroupForm(page.data("remove"))
    done = None
    if page.action == "update" and edit.is_valid():
        settings: dict[str, Value] = {**group.settings, REAL_NAME: edit.cleaned_data["real_name"] or None,
                                      "Members": list[Value](edit.member_list())}
        done = page.run(edit, lambda: group_set(actor=page.user, group=group, settings=settings), _("Group updated."))
    done = done or page.rename_or_remove(
        rename, remove, renamed=_("Group renamed."), removed=_("Group removed."),
        remove_title=_("Remove Group"),
        rename=lambda new_name: group_rename(actor=page.user, group=group, new_name=new_name),
        remove=lambda: group_delete(actor=page.user, group=group))
    return done or page.render("groups/group.html", group=group, form=edit, rename_form=rename, remove_form=remove)
