"""The Skins pages: server-wide skins (Settings realm) and a domain's skins (Users realm), and the
address that serves skin files to the pages they dress."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accounts.services import account_update_webadmin_prefs
from cgadmin.catalogue import Level
from cgadmin.errors import CGError, InvalidInput
from domains.models import Domain
from domains.views import domain_links, users_url
from realms import pages
from realms.access import access_domain
from realms.pages import realm_page
from realms.permissions import can_write_domain, has_server_right
from realms.viewtools import actor, call_service, confirmation_page, confirmed
from skins import services, storage
from skins.forms import ChooseSkinForm, UploadSkinFileForm
from skins.look import PREFERENCE, chosen_skin, skin_file_url
from skins.services import CAN_MODIFY_SKINS

# A skin file opened on its own is a document of our origin: let it do nothing but show itself.
FILE_POLICY = "sandbox; default-src 'none'; style-src 'self'; img-src 'self' data:"


@realm_page("Settings", "Skins", level=Level.ADVANCED)
@require_http_methods(["GET", "POST"])
def server_skins(request: HttpRequest) -> HttpResponse:
    """Server-wide Admin- skins: the files Domain Administrators' pages fall back to."""
    return _skins_page(request, None, may_change=has_server_right(actor(request), "Settings"))


@realm_page("Users", "Domain Skins", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_skins(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's Admin- skins, which dress its Domain Administrators' WebAdmin pages."""
    the_domain = access_domain(actor(request), domain)
    return _skins_page(request, the_domain, may_change=can_write_domain(actor(request), the_domain, CAN_MODIFY_SKINS))


def _skins_page(request: HttpRequest, domain: Domain | None, *, may_change: bool) -> HttpResponse:
    user = actor(request)
    skin = request.GET.get("skin", "")
    upload = UploadSkinFileForm(initial={"skin": skin})
    choose = ChooseSkinForm(choices=[], initial={})
    if request.method == "POST" and request.POST.get("action") == "delete" and may_change and not confirmed(request):
        name, skin_name = request.POST.get("name", ""), request.POST.get("skin", "")
        return confirmation_page(
            request, title=_("Delete %(name)s") % {"name": name}, button=_("Delete"),
            back_url=f"{request.path}?skin={skin_name}",
            question=_("Yes, delete the file %(name)s of the skin %(skin)s") % {
                "name": name, "skin": skin_name or _("(unnamed)")})
    if request.method == "POST":
        done = _post(request, domain, upload_form := UploadSkinFileForm(request.POST, request.FILES), may_change)
        if done is not None:
            return HttpResponseRedirect(done)
        upload = upload_form
    skins = services.skins_list(actor=user, domain=domain)
    if skin and skin not in skins:
        skin = ""
    files = services.skin_files(actor=user, domain=domain, skin=skin)
    own_domain = domain is not None and user is not None and user.domain_id == domain.pk
    if own_domain:
        choose = ChooseSkinForm(choices=skins + services.skins_list(actor=user, domain=None),
                                initial={"skin": chosen_skin(user)})
    context = {
        "domain": domain, "skins": skins, "skin": skin, "may_change": may_change, "upload_form": upload,
        "choose_form": choose if own_domain else None,
        "files": [(entry, skin_file_url(domain, skin, entry.name)) for entry in files],
        "links": domain_links(request, domain) if domain else None, "current": "Skins",
    }
    return render(request, "skins/skins.html", context)


def _post(request: HttpRequest, domain: Domain | None, form: UploadSkinFileForm, may_change: bool) -> str | None:
    """Run the posted action; the address to go to next, or None to show the form's errors."""
    user = actor(request)
    action = request.POST.get("action")
    here = users_url(request, "domain_skins", domain.name) if domain else request.path
    if action == "delete":
        skin, name = request.POST.get("skin", ""), request.POST.get("name", "")
        call_service(request, None, lambda: services.skin_file_delete(actor=user, domain=domain, skin=skin, name=name),
                     done=_("%(name)s deleted.") % {"name": name})
        return f"{here}?skin={skin}"
    if action == "choose":
        chosen = request.POST.get("skin", "")
        call_service(request, None, lambda: account_update_webadmin_prefs(actor=user, account=user,
                                                                          updates={PREFERENCE: chosen}),
                     done=_("Your skin is chosen."))
        return here
    if not form.is_valid():
        return None
    skin, upload = form.cleaned_data["skin"], form.cleaned_data["upload"]
    if upload.size > storage.MAX_FILE_SIZE:
        form.report(InvalidInput(_("%(name)s is larger than %(size)s KB") % {
            "name": upload.name, "size": storage.MAX_FILE_SIZE // 1024}, field="data"))
        return None
    # Without the right the form is not on the page, so the refusal goes above it, as a message.
    stored = call_service(request, form if may_change else None, lambda: services.skin_file_store(
        actor=user, domain=domain, skin=skin, name=upload.name, data=upload.read()) or True,
        done=_("%(name)s stored.") % {"name": upload.name})
    return f"{here}?skin={skin}" if stored else None


@pages.authenticated
@require_GET
def skin_file(request: HttpRequest) -> HttpResponse:
    """One skin file, for the pages it dresses (rights as for reading the skin)."""
    user = actor(request)
    try:
        domain = access_domain(user, request.GET["domain"]) if request.GET.get("domain") else None
        name = request.GET.get("name", "")
        data, modified = services.skin_file_read(actor=user, domain=domain, skin=request.GET.get("skin", ""),
                                                 name=name)
    except CGError as error:
        return HttpResponse(error.message, status=error.status, content_type="text/plain")
    response = HttpResponse(data, content_type=storage.CONTENT_TYPES[name.rsplit(".", 1)[1]])
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cache-Control"] = "private, max-age=60"
    response["Last-Modified"] = modified.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response
