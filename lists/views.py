"""Users realm pages of a domain's Mailing Lists: the list of lists (paged by name, with Create List)
and each list's page (its settings, its subscribers paged by address, add and remove a subscriber,
rename and remove the list). Reading needs the domain; managing a list needs CanAccessLists;
creating, renaming and removing one CanCreateLists (lists.access says who)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from domains.models import Domain
from domains.object_views import ObjectPages, object_list
from domains.views import domain_links, users_url
from lists.access import may_create_lists, may_manage_list
from lists.forms import (
    MODE_LABELS,
    CreateListForm,
    ListSettingsForm,
    RemoveListForm,
    RenameListForm,
    SubscribeForm,
    UnsubscribeForm,
)
from lists.models import MailingList
from lists.selectors import find_list, list_settings, lists_page, subscribers_page
from lists.services import list_create, list_delete, list_rename, list_subscribe, list_update_settings
from lists.settings_schema import CHARSET, POSTINGS, REAL_NAME, SIZE_LIMIT, SUBSCRIBE
from realms.access import access_domain
from realms.listing import list_request
from realms.pages import realm_page
from realms.viewtools import actor, call_service, confirmation_page, confirmed

CURRENT = "Mailing Lists"
PAGES = ObjectPages(current=CURRENT, list_url="domain_lists", object_url="domain_list", may_change=may_create_lists)


@realm_page("Users", "Mailing Lists", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_lists(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's mailing lists, a page at a time, with a filter; Create List."""
    return object_list(
        request, domain, PAGES, template="lists/list_list.html", rows=lists_page, form_class=CreateListForm,
        done=_("Mailing list created."), create=lambda user, the_domain, data: list_create(
            actor=user, domain=the_domain, name=data["name"], owner=data["owner"]))


def _settings_initial(mailing_list: MailingList) -> dict[str, object]:
    values = list_settings(mailing_list)
    return {"real_name": values[REAL_NAME], "subscribe": values[SUBSCRIBE], "postings": values[POSTINGS],
            "charset": values[CHARSET], "size_limit": values[SIZE_LIMIT]}


def _post(request: HttpRequest, the_domain: Domain, mailing_list: MailingList, forms: dict) -> HttpResponse | None:
    """Run the posted action; a redirect when it worked, None (the page with the errors) otherwise."""
    user = actor(request)
    action = request.POST.get("action", "")
    form = forms.get(action)
    if form is None or not form.is_valid():
        return None
    manage = form if may_manage_list(user, mailing_list) else None
    create = form if may_create_lists(user, the_domain) else None
    here = users_url(request, "domain_list", the_domain.name, mailing_list.name)
    data = form.cleaned_data
    done: object
    if action == "settings":
        done = call_service(request, manage, lambda: list_update_settings(
            actor=user, mailing_list=mailing_list, updates=form.updates()), done=_("List settings saved."))
    elif action == "subscribe":
        done = call_service(request, manage, lambda: list_subscribe(
            actor=user, mailing_list=mailing_list, operation=data["mode"], subscriber=data["address"]) or True,
            done=_("Subscriber added."))
    elif action == "unsubscribe":
        if manage is not None and not confirmed(request):
            return confirmation_page(
                request, title=_("Remove Subscriber"), button=_("Remove Subscriber"), back_url=here,
                question=_("Yes, remove %(address)s from %(list)s") % {
                    "address": data["address"], "list": f"{mailing_list.name}@{the_domain.name}"})
        done = call_service(request, manage, lambda: list_subscribe(
            actor=user, mailing_list=mailing_list, operation="unsubscribe", subscriber=data["address"]) or True,
            done=_("Subscriber removed."))
    elif action == "rename":
        done = call_service(request, create, lambda: list_rename(
            actor=user, mailing_list=mailing_list, new_name=data["new_name"]), done=_("Mailing list renamed."))
        here = users_url(request, "domain_list", the_domain.name, mailing_list.name)
    else:
        if create is not None and not confirmed(request):
            return confirmation_page(request, title=_("Remove List"), button=_("Remove List"), back_url=here,
                                     question=_("Yes, remove %(address)s") % {
                                         "address": f"{mailing_list.name}@{the_domain.name}"})
        done = call_service(request, create, lambda: list_delete(actor=user, mailing_list=mailing_list) or True,
                            done=_("Mailing list removed."))
        here = users_url(request, "domain_lists", the_domain.name)
    return HttpResponseRedirect(here) if done is not None else None


@realm_page("Users", "Mailing List", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_list(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One mailing list: its settings and subscribers; add and remove subscribers; rename, remove."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    mailing_list = find_list(the_domain, name)
    if mailing_list is None:
        raise Http404(_("No such mailing list."))
    posted = request.POST if request.method == "POST" else None
    action = posted.get("action", "") if posted is not None else ""
    forms = {
        "settings": ListSettingsForm(posted if action == "settings" else None, initial=_settings_initial(mailing_list)),
        "subscribe": SubscribeForm(posted if action == "subscribe" else None),
        "unsubscribe": UnsubscribeForm(posted if action == "unsubscribe" else None),
        "rename": RenameListForm(posted if action == "rename" else None),
        "remove": RemoveListForm(posted if action == "remove" else None),
    }
    status = 200
    if posted is not None:
        redirect = _post(request, the_domain, mailing_list, forms)
        if redirect is not None:
            return redirect
        status = 400
    page = subscribers_page(mailing_list, list_request(request))
    rows = [{"subscriber": row, "mode": MODE_LABELS.get(row.mode, row.mode)} for row in page.rows]
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "current": CURRENT,
               "mailing_list": mailing_list, "page": page, "rows": rows, "forms": forms,
               "may_manage": may_manage_list(user, mailing_list), "may_create": may_create_lists(user, the_domain),
               "list_url": users_url(request, "domain_lists", the_domain.name)}
    return render(request, "lists/list.html", context, status=status)
