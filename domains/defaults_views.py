"""Users realm pages for the layers accounts and domains inherit: the server-wide Account Defaults,
Default Preferences and Domain Defaults, and each domain's Account Defaults, Account Template and
Default Preferences. Each page edits one layer and shows where every value in force comes from."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.selectors import account_prefs_layers, account_setting_layers
from accounts.settings_schema import ACCOUNT, PREFS, host_os_zone_note
from cgadmin.catalogue import Catalogue, Layer, Level, SettingDef
from domains.models import Domain
from domains.selectors import server_document_for
from domains.services import (
    account_default_prefs_update,
    account_defaults_update,
    account_template_update,
    domain_defaults_update,
)
from domains.settings_schema import DOMAIN
from domains.views import domain_links, users_url
from realms.access import access_domain
from realms.pages import realm_page
from realms.permissions import can_read_all_domains, can_write_all_domains, domain_setting_authorizer
from realms.settingsform import allowed_by
from realms.settingspage import layered_settings_page
from realms.viewtools import actor
from server import documents


def _server_layer_page(request: HttpRequest, *, catalogue: Catalogue, document: str, update, title: str,
                       intro: str, **context) -> HttpResponse:
    """A server-wide layer: DomainsRead reads it (as the CLI's Get commands), AllDomains changes it;
    a Domain Administrator is refused it, and sees only its domains' layers over it."""
    user = actor(request)
    own = server_document_for(user, document)  # the CLI's rule: DomainsRead, AllDomains or Master
    writable = can_write_all_domains(user)

    def may_change(definition: SettingDef) -> bool:
        return writable

    return layered_settings_page(
        request, catalogue=catalogue, below=[], own=own, may_change=may_change,
        update=lambda updates: update(actor=user, updates=updates),
        context={"title": title, "intro": intro, **context},
    )


@realm_page("Users", "Account Defaults", level=Level.BASIC, shown_to=can_read_all_domains)
@require_http_methods(["GET", "POST"])
def server_account_defaults(request: HttpRequest) -> HttpResponse:
    """The server-wide Account Defaults every account inherits."""
    return _server_layer_page(
        request, catalogue=ACCOUNT, document=documents.ACCOUNT_DEFAULTS, title=_("Account Defaults"),
        update=lambda *, actor, updates: account_defaults_update(actor=actor, domain=None, updates=updates),
        intro=_("Settings of every account on the server unless its domain, its template or the account says "
                "otherwise."),
        related=[(_("Default Preferences"), users_url(request, "server_account_prefs"))],
    )


@realm_page("Users", "Default Preferences", level=Level.BASIC, shown_to=can_read_all_domains)
@require_http_methods(["GET", "POST"])
def server_account_prefs(request: HttpRequest) -> HttpResponse:
    """The server-wide Default Preferences: language, character set, time zone, mailbox names."""
    return _server_layer_page(
        request, catalogue=PREFS, document=documents.ACCOUNT_PREFS, title=_("Default Preferences"),
        update=lambda *, actor, updates: account_default_prefs_update(actor=actor, domain=None, updates=updates),
        intro=_("The Preferences of every user unless the domain or the user chooses otherwise."),
        time_zone_note=host_os_zone_note(),
        related=[(_("Account Defaults"), users_url(request, "server_account_defaults"))],
    )


@realm_page("Users", "Domain Defaults", level=Level.ADVANCED, shown_to=can_read_all_domains)
@require_http_methods(["GET", "POST"])
def server_domain_defaults(request: HttpRequest) -> HttpResponse:
    """The server-wide Domain Defaults every domain's settings inherit."""
    return _server_layer_page(
        request, catalogue=DOMAIN, document=documents.DOMAIN_DEFAULTS, title=_("Domain Defaults"),
        update=domain_defaults_update,
        intro=_("Settings of every domain unless the domain's own settings say otherwise."),
    )


def _domain_layer_page(request: HttpRequest, domain: Domain, *, catalogue: Catalogue, below: list[Layer],
                       own: dict, update, title: str, current: str, **context) -> HttpResponse:
    user = actor(request)
    return layered_settings_page(
        request, catalogue=catalogue, below=below, own=own,
        may_change=allowed_by(domain_setting_authorizer(user, domain)),
        update=lambda updates: update(actor=user, domain=domain, updates=updates),
        context={"title": f"{title}: {domain.name}", "links": domain_links(request, domain), "current": current,
                 **context},
    )


@realm_page("Users", "Domain Account Defaults", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_account_defaults(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's Account Defaults, over the server-wide ones."""
    the_domain = access_domain(actor(request), domain)
    return _domain_layer_page(
        request, the_domain, catalogue=ACCOUNT, below=account_setting_layers(the_domain)[:1],
        own=the_domain.account_defaults, update=account_defaults_update, title=_("Account Defaults"),
        current="Account Defaults",
        intro=_("Settings of the domain's accounts unless the Account Template or the account says otherwise."),
    )


@realm_page("Users", "Account Template", level=Level.ADVANCED, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_account_template(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's Account Template, over the server-wide and domain Account Defaults."""
    the_domain = access_domain(actor(request), domain)
    return _domain_layer_page(
        request, the_domain, catalogue=ACCOUNT, below=account_setting_layers(the_domain)[:2],
        own=the_domain.template, update=account_template_update, title=_("Account Template"),
        current="Account Template",
        intro=_("Applied over the defaults to every account of the domain; an account's own values win."),
    )


@realm_page("Users", "Domain Default Preferences", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_account_prefs(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's Default Preferences, over the server-wide ones."""
    the_domain = access_domain(actor(request), domain)
    return _domain_layer_page(
        request, the_domain, catalogue=PREFS, below=account_prefs_layers(the_domain)[:1],
        own=the_domain.account_prefs, update=account_default_prefs_update, title=_("Default Preferences"),
        current="Default Preferences", time_zone_note=host_os_zone_note(),
        intro=_("The Preferences of the domain's users unless a user chooses otherwise."),
    )
