"""Users realm pages for Classes of Service: the server's (kept in the Domain Defaults) and each domain's
(its ServiceClasses setting), a list with Create, Rename and Remove, and one settings page per class."""

from __future__ import annotations

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.selectors import account_setting_layers, service_classes
from accounts.settings_schema import ACCOUNT
from cgadmin.catalogue import Layer, Level, SettingDef
from cgadmin.errors import CGError
from domains.models import Domain
from domains.selectors import server_document_for
from domains.services import (
    SERVICE_CLASSES,
    service_class_create,
    service_class_remove,
    service_class_rename,
    service_class_update,
)
from domains.views import domain_links, users_url
from realms.access import access_domain
from realms.pages import realm_page
from realms.permissions import can_read_all_domains, can_write_all_domains, domain_setting_authorizer
from realms.settingspage import layered_settings_page
from realms.viewtools import actor, form_post, form_status
from server import documents


class ClassForm(forms.Form):
    """One of the list's actions: create (name), rename (name, new_name) or remove (name, confirm)."""

    action = forms.ChoiceField(choices=[("create", "create"), ("rename", "rename"), ("remove", "remove")])
    name = forms.CharField(label=gettext_lazy("Class name"), max_length=200)
    new_name = forms.CharField(label=gettext_lazy("New name"), max_length=200, required=False)
    confirm = forms.BooleanField(label=gettext_lazy("Yes, remove this Class of Service"), required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        assert cleaned is not None  # Form.clean answers cleaned_data
        if cleaned.get("action") == "rename" and not cleaned.get("new_name"):
            self.add_error("new_name", _("Type the new name."))
        if cleaned.get("action") == "remove" and not cleaned.get("confirm"):
            self.add_error("confirm", _("Tick the box to confirm the removal."))
        return cleaned

    def report(self, error: CGError) -> None:
        self.add_error(error.field if error.field in self.fields else None, error.message)


def _own_classes(user, domain: Domain | None) -> dict[str, dict]:
    """The classes this page edits: the server's (DomainsRead reads them, as GetDomainDefaults) or the domain's."""
    source = server_document_for(user, documents.DOMAIN_DEFAULTS) if domain is None else domain.settings
    value = source.get(SERVICE_CLASSES)
    return {str(name): dict(settings) for name, settings in value.items()} if isinstance(value, dict) else {}


def _may_change(user, domain: Domain | None) -> bool:
    if domain is None:
        return can_write_all_domains(user)
    try:
        domain_setting_authorizer(user, domain)(SERVICE_CLASSES, SERVICE_CLASSES)
    except CGError:
        return False
    return True


def _class_url(request: HttpRequest, domain: Domain | None, name: str) -> str:
    if domain is None:
        return users_url(request, "server_service_class", name)
    return users_url(request, "domain_service_class", domain.name, name)


def _list_url(request: HttpRequest, domain: Domain | None) -> str:
    return users_url(request, "server_service_classes") if domain is None else users_url(
        request, "domain_service_classes", domain.name)


def _run(user, domain: Domain | None, data: dict) -> str | None:
    """The service the form's action names; the class page to go to (None: back to the list)."""
    action, name = data["action"], data["name"]
    if action == "create":
        return service_class_create(actor=user, domain=domain, name=name)
    if action == "rename":
        service_class_rename(actor=user, domain=domain, name=name, new_name=data["new_name"])
    else:
        service_class_remove(actor=user, domain=domain, name=name)
    return None


def _classes_page(request: HttpRequest, domain: Domain | None) -> HttpResponse:
    user = actor(request)
    classes = _own_classes(user, domain)
    form = ClassForm(request.POST if request.method == "POST" else None)
    posted = form_post(
        request, form, lambda data: _run(user, domain, data) or "",
        then=lambda result: _class_url(request, domain, result) if result else _list_url(request, domain),
        done=lambda result: {"create": _("Class of Service created."), "rename": _("Class of Service renamed."),
                             "remove": _("Class of Service removed.")}[form.cleaned_data["action"]])
    if posted is not None:
        return posted
    server_classes = {} if domain is None else {
        name: settings for name, settings in service_classes(domain).items() if name not in classes}
    context = {
        "title": _("Classes of Service") + (f": {domain.name}" if domain else ""),
        "links": domain_links(request, domain) if domain else None, "current": "Classes of Service",
        "rows": [{"name": name, "settings": settings, "url": _class_url(request, domain, name)}
                 for name, settings in sorted(classes.items(), key=lambda item: item[0].lower())],
        "server_classes": sorted(server_classes.items()), "domain": domain,
        "form": form, "may_change": _may_change(user, domain),
    }
    return render(request, "domains/service_classes.html", context, status=form_status(request))


def _class_page(request: HttpRequest, domain: Domain | None, name: str) -> HttpResponse:
    user = actor(request)
    classes = _own_classes(user, domain)
    if name not in classes:
        raise Http404(_("No Class of Service is named %(name)s.") % {"name": name})
    if domain is None:
        below = [Layer("server defaults", documents.read_cached(documents.ACCOUNT_DEFAULTS))]
    else:
        below = account_setting_layers(domain)
    writable = _may_change(user, domain)

    def may_change(definition: SettingDef) -> bool:
        return writable and definition.name not in ("ServiceClass", "Password")

    return layered_settings_page(
        request, catalogue=ACCOUNT, below=below, own=classes[name], may_change=may_change,
        update=lambda updates: service_class_update(actor=user, domain=domain, name=name, updates=updates),
        context={"title": _("Class of Service %(name)s") % {"name": name} + (f": {domain.name}" if domain else ""),
                 "links": domain_links(request, domain) if domain else None, "current": "Classes of Service",
                 "back_url": _list_url(request, domain), "back_title": _("Classes of Service"),
                 "intro": _("Accounts whose Class of Service is %(name)s get these settings over their template; "
                            "an account's own values still win.") % {"name": name}},
    )


@realm_page("Users", "Classes of Service", level=Level.ADVANCED, shown_to=can_read_all_domains)
@require_http_methods(["GET", "POST"])
def server_service_classes(request: HttpRequest) -> HttpResponse:
    """The server's Classes of Service, which every domain's accounts may name."""
    return _classes_page(request, None)


@realm_page("Users", "Class of Service", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def server_service_class(request: HttpRequest, name: str) -> HttpResponse:
    """One server Class of Service: its account settings."""
    return _class_page(request, None, name)


@realm_page("Users", "Domain Classes of Service", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_service_classes(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's own Classes of Service (and the server's its accounts may name)."""
    return _classes_page(request, access_domain(actor(request), domain))


@realm_page("Users", "Domain Class of Service", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_service_class(request: HttpRequest, domain: str, name: str) -> HttpResponse:
    """One Class of Service of a domain: its account settings."""
    return _class_page(request, access_domain(actor(request), domain), name)
