"""Users realm pages of a domain's Forwarders: the list (paged by name, with Create Forwarder) and
each forwarder's page (rename, remove). Reading needs the domain; changing needs CanCreateForwarders."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from domains.object_views import ObjectPages, object_list, object_page
from forwarders.forms import CreateForwarderForm, RemoveForwarderForm, RenameForwarderForm
from forwarders.selectors import find_forwarder, forwarders_page
from forwarders.services import CAN_CREATE_FORWARDERS, forwarder_create, forwarder_delete, forwarder_rename
from realms.pages import realm_page
from realms.permissions import can_write_domain

PAGES = ObjectPages(current="Forwarders", list_url="domain_forwarders", object_url="domain_forwarder",
                    may_change=lambda user, domain: can_write_domain(user, domain, CAN_CREATE_FORWARDERS))


@realm_page("Users", "Forwarders", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_forwarders(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's forwarders, a page at a time, with a filter; Create Forwarder."""
    return object_list(
        request, domain, PAGES, template="forwarders/forwarder_list.html", rows=forwarders_page,
        form_class=CreateForwarderForm, done=_("Forwarder created."), open_created=False,
        create=lambda user, the_domain, data: forwarder_create(
            actor=user, domain=the_domain, name=data["name"], target=data["target"]))


@realm_page("Users", "Forwarder", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_forwarder(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One forwarder: where it forwards to; rename and remove."""
    page = object_page(request, domain, name, PAGES, find_forwarder, _("No such forwarder."))
    forwarder = page.named
    rename = RenameForwarderForm(page.data("rename"))
    remove = RemoveForwarderForm(page.data("remove"))
    done = page.rename_or_remove(
        rename, remove, renamed=_("Forwarder renamed."), removed=_("Forwarder removed."),
        remove_title=_("Remove Forwarder"),
        rename=lambda new_name: forwarder_rename(actor=page.user, forwarder=forwarder, new_name=new_name),
        remove=lambda: forwarder_delete(actor=page.user, forwarder=forwarder))
    return done or page.render("forwarders/forwarder.html", forwarder=forwarder, rename_form=rename,
                               remove_form=remove)
