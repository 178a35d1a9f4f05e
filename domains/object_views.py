"""The Users realm pages every kind of domain object has (Forwarders, Groups, Mailing Lists): the list
of the domain's objects (by name, with a filter, paged by key, with the Create form) and, on one
object's page, Rename and Remove. Each app keeps its own views and forms and calls one service a
change; these hold the steps its views share. The list template each app's extends is
domains/object_list.html; domains/object_rename_remove.html draws the Rename and Remove panels."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from cgadmin.paging import KeyPage, ListRequest
from domains.models import Domain
from domains.views import domain_links, users_url
from forwarders.models import Forwarder
from groups.models import Group
from lists.models import MailingList
from realms.access import access_domain
from realms.forms import ServiceForm
from realms.listing import list_request
from realms.viewtools import actor, call_service, confirmation_page, confirmed, form_post, form_status

Shown = TypeVar("Shown", Forwarder, Group, MailingList)


@dataclass(frozen=True)
class ObjectPages:
    """Where one app's two pages are, and who may change its objects there."""

    current: str  # its entry in the domain's strip of pages
    list_url: str  # the URL names of the list and of one object's page
    object_url: str
    may_change: Callable[[Any, Domain], bool]  # (actor, domain): may create, rename and remove


def object_list(
    request: HttpRequest, domain: str, pages: ObjectPages, *, template: str,
    rows: Callable[[Domain, ListRequest], KeyPage], form_class: type[ServiceForm],
    create: Callable[[Any, Domain, dict[str, Any]], Shown | None], done: str, open_created: bool = True,
    columns: Callable[[Shown], Mapping[str, object]] = lambda _row: {},
) -> HttpResponse:
    """A domain's objects, a page at a time, with a filter, and the Create form: `create` (actor, domain,
    the form's data) calls the service; a created object's page opens, or the list again."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    may_change = pages.may_change(user, the_domain)
    form = form_class(request.POST if request.method == "POST" else None)
    posted = form_post(
        request, form, lambda data: create(user, the_domain, data), done=done, shown=may_change,
        then=lambda created: (users_url(request, pages.object_url, the_domain.name, created.name)
                              if open_created else users_url(request, pages.list_url, the_domain.name)))
    if posted is not None:
        return posted
    page = rows(the_domain, list_request(request))
    shown = [{"object": row, "url": users_url(request, pages.object_url, the_domain.name, row.name), **columns(row)}
             for row in page.rows]
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": pages.current,
               "page": page, "rows": shown, "form": form, "may_change": may_change}
    return render(request, template, context, status=form_status(request))


@dataclass(frozen=True)
class ObjectPage(Generic[Shown]):
    """One object's page as its view starts: who asks, the object, and the action posted ("" on a GET)."""

    request: HttpRequest
    pages: ObjectPages
    user: Any
    domain: Domain
    named: Shown
    may_change: bool
    action: str

    def data(self, action: str) -> QueryDict | None:
        """The posted data for the form of this action, None for the others."""
        return self.request.POST if self.action == action else None

    def object_url(self) -> str:
        """The object's page, by the name it has now."""
        return users_url(self.request, self.pages.object_url, self.domain.name, self.named.name)

    def list_url(self) -> str:
        """The list of the domain's objects of this kind."""
        return users_url(self.request, self.pages.list_url, self.domain.name)

    def run(self, form: ServiceForm, call: Callable[[], object], done: str, *,
            to_list: bool = False) -> HttpResponse | None:
        """Call the service of the posted form (refused without the right): a redirect to the object's
        page (or the list) when it worked, None (the page with the errors) when not."""
        if call_service(self.request, form if self.may_change else None, call, done=done) is None:
            return None
        return HttpResponseRedirect(self.list_url() if to_list else self.object_url())

    def rename_or_remove(self, rename_form: ServiceForm, remove_form: ServiceForm, *,
                         rename: Callable[[str], object], remove: Callable[[], object], renamed: str,
                         removed: str, remove_title: str) -> HttpResponse | None:
        """The Rename and Remove actions: a redirect when one worked, the confirmation page before a
        removal, None otherwise (other actions too)."""
        if self.action == "rename" and rename_form.is_valid():
            new_name = rename_form.cleaned_data["new_name"]
            return self.run(rename_form, lambda: rename(new_name), renamed)
        if self.action == "remove":
            if self.may_change and not confirmed(self.request):
                return confirmation_page(
                    self.request, title=remove_title, button=remove_title, back_url=self.object_url(),
                    question=_("Yes, remove %(address)s") % {"address": f"{self.named.name}@{self.domain.name}"})
            return self.run(remove_form, lambda: remove() or True, removed, to_list=True)
        return None

    def context(self, **more: object) -> dict[str, object]:
        """What every object page shows, and the page's own values."""
        return {"domain": self.domain, "links": domain_links(self.request, self.domain),
                "current": self.pages.current, "may_change": self.may_change, "list_url": self.list_url(), **more}

    def render(self, template: str, **more: object) -> HttpResponse:
        """The page: 200 on a GET, 400 after a POST that changed nothing."""
        return render(self.request, template, self.context(**more), status=400 if self.action else 200)


def object_page(request: HttpRequest, domain: str, name: str, pages: ObjectPages,
                find: Callable[[Domain, str], Shown | None], missing: str) -> ObjectPage[Shown]:
    """Open one object's page: the domain as the actor may read it, the object (404: `missing`)."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    found = find(the_domain, name)
    if found is None:
        raise Http404(missing)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    return ObjectPage(request, pages, user, the_domain, found, pages.may_change(user, the_domain), action)
