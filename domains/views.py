"""Users realm pages of the domains app: the Domains list and each domain's Settings page.

Views parse input, call one service, and render; every object comes through realms.access, so a
Domain Administrator reaches only the domains it administers, whatever it types in the URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from cgadmin.catalogue import Level
from domains.forms import (
    IP_LISTED,
    IP_USING_DNS,
    AssignedAddressesForm,
    CreateDomainForm,
    DomainAliasesForm,
    RenameDomainForm,
)
from domains.models import Domain
from domains.selectors import (
    dns_looked_up_addresses,
    domain_addresses,
    domain_settings_with_inherited,
    domains_page,
)
from domains.services import (
    domain_create,
    domain_delete,
    domain_rename,
    domain_resume,
    domain_set_aliases,
    domain_suspend,
    domain_update_settings,
)
from domains.settings_schema import DOMAIN, USING_DNS
from realms.access import access_domain
from realms.forms import ConfirmForm
from realms.listing import list_request
from realms.navigation import interface_level
from realms.pages import DOMAIN_WEBADMIN_REALM, access_of, realm_page, realm_reverse
from realms.permissions import can_write_all_domains, can_write_domain
from realms.request import RealmRequest
from realms.settingsform import SettingsForm
from realms.viewtools import actor, call_service, form_post, form_status

IP_SETTING = "IPAddresses"


def users_url(request: HttpRequest, name: str, *args: Any) -> str:
    """A Users realm page under the scheme this request came in by (/Master/Users/, /Users/, /Domain/)."""
    return realm_reverse(cast(RealmRequest, request).cg_scheme, DOMAIN_WEBADMIN_REALM, name, *args)


# Titles are translated where the strip is drawn (realms/sub_links.html); gettext_noop marks them for makemessages.
DOMAIN_PAGES = ((gettext_noop("Domain Settings"), "domain_settings"), (gettext_noop("Accounts"), "accounts"),
                (gettext_noop("Import/Export"), "account_import"),
                (gettext_noop("Account Defaults"), "domain_account_defaults"),
                (gettext_noop("Account Template"), "domain_account_template"),
                (gettext_noop("Default Preferences"), "domain_account_prefs"),
                (gettext_noop("Forwarders"), "domain_forwarders"), (gettext_noop("Groups"), "domain_groups"),
                (gettext_noop("Mailing Lists"), "domain_lists"),
                (gettext_noop("Classes of Service"), "domain_service_classes"), (gettext_noop("Skins"), "domain_skins"),
                (gettext_noop("Rules"), "domain_rules"), (gettext_noop("Alerts"), "domain_alerts"))


ACCOUNT_PAGES = ((gettext_noop("Account Settings"), "account"), (gettext_noop("Preferences"), "account_prefs"),
                 (gettext_noop("Rules"), "account_rules"), (gettext_noop("Access Rights"), "account_rights"),
                 (gettext_noop("Alerts"), "account_alerts"))


def account_links(request: HttpRequest, account: Any) -> list[tuple[str, str]]:
    """The pages of one account, the one row of links at the top of each of them (the way up to its
    domain is in the breadcrumbs)."""
    return [(title, users_url(request, name, account.domain.name, account.name)) for title, name in ACCOUNT_PAGES]


def domain_links(request: HttpRequest, domain: Domain) -> list[tuple[str, str]]:
    """The pages of one domain, for the strip of links at the top of each of them; a page above the
    administrator's Interface Type is left out (it still opens by its address)."""
    level = interface_level(request.user)
    links = []
    for title, name in DOMAIN_PAGES:
        url = users_url(request, name, domain.name)
        declared = _declared_level(name, url)
        if declared is None or declared <= level:
            links.append((title, url))
    return links


_DECLARED_LEVELS: dict[str, Level | None] = {}  # a page's URL name -> the Interface Type its view declares


def _declared_level(name: str, url: str) -> Level | None:
    """The level a domain page's view declares (None: any), resolved once a process per page: the
    view behind a URL name never changes while the process runs."""
    from django.urls import resolve

    if name not in _DECLARED_LEVELS:
        declared = access_of(resolve(url).func)
        _DECLARED_LEVELS[name] = None if declared is None else declared.level
    return _DECLARED_LEVELS[name]


@realm_page("Users", "Domains", level=Level.BASIC)
@require_http_methods(["GET", "POST"])
def domain_list(request: HttpRequest) -> HttpResponse:
    """The domains this administrator may see, a page at a time; Create Domain."""
    user = actor(request)
    form = CreateDomainForm(request.POST if request.method == "POST" else None)
    posted = form_post(request, form, lambda data: domain_create(actor=user, name=data["name"]),
                       then=lambda created: users_url(request, "domain_settings", created.name),
                       done=_("Domain created."), shown=can_write_all_domains(user))  # else the refusal goes above
    if posted is not None:
        return posted
    page = domains_page(user, list_request(request))
    looked_up = dns_looked_up_addresses()
    rows = []
    for domain in page.rows:
        addresses, by_dns = domain_addresses(domain, looked_up)
        rows.append({"domain": domain, "addresses": addresses, "by_dns": by_dns,
                     "accounts_url": users_url(request, "accounts", domain.name),
                     "settings_url": users_url(request, "domain_settings", domain.name)})
    context = {"page": page, "rows": rows, "form": form, "may_create": can_write_all_domains(user)}
    return render(request, "domains/domain_list.html", context, status=form_status(request))


def _ip_form(domain: Domain, data: Any = None) -> AssignedAddressesForm:
    addresses, by_dns = domain_addresses(domain, {})
    initial = {"mode": IP_USING_DNS if by_dns else IP_LISTED, "addresses": "\n".join(addresses)}
    return AssignedAddressesForm(data, initial=initial)


def _aliases_form(domain: Domain, data: Any = None) -> DomainAliasesForm:
    return DomainAliasesForm(data, initial={"aliases": "\n".join(domain.aliases.values_list("name", flat=True))})


class DomainPage:
    """The forms of the Domain Settings page; a POST fills the one its `action` names."""

    ACTIONS = ("update", "addresses", "aliases", "rename", "suspend", "resume", "remove")

    def __init__(self, request: HttpRequest, domain: Domain) -> None:
        self.request, self.domain, self.user = request, domain, actor(request)
        self.action = request.POST.get("action", "") if request.method == "POST" else ""
        data = request.POST if self.action else None
        values, inherited = domain_settings_with_inherited(domain)
        self.settings = SettingsForm(
            data if self.action == "update" else None, catalogue=DOMAIN, values=values, inherited=inherited,
            level=interface_level(self.user), names=[entry.name for entry in DOMAIN if entry.name != IP_SETTING],
            may_change=lambda entry: can_write_domain(self.user, domain, DOMAIN.right_for(entry.name)),
        )
        self.addresses = _ip_form(domain, data if self.action == "addresses" else None)
        self.aliases = _aliases_form(domain, data if self.action == "aliases" else None)
        self.rename = RenameDomainForm(data if self.action == "rename" else None)
        count = {"domain": domain.name, "number": domain.account_count}
        self.suspend = ConfirmForm(data if self.action == "suspend" else None, auto_id="id_suspend_%s", label=_(
            "Yes, suspend %(domain)s: its %(number)s account(s) can no longer log in or get mail") % count)
        self.remove = ConfirmForm(data if self.action == "remove" else None, auto_id="id_remove_%s", label=_(
            "Yes, remove %(domain)s with its %(number)s account(s) and their mailboxes") % count)

    def run(self) -> Any:
        """Call the one service the posted action asks for; None when it was refused."""
        user, domain = self.user, self.domain
        form = {"update": self.settings, "addresses": self.addresses, "aliases": self.aliases,
                "rename": self.rename, "suspend": self.suspend, "remove": self.remove}.get(self.action)
        if form is not None and not form.is_valid():
            return None
        call: Callable[[], Any]
        if self.action == "update":
            updates = self.settings.updates()  # values that do not parse are marked on the form
            if not self.settings.is_valid():
                return None
            call = lambda: domain_update_settings(actor=user, domain=domain, updates=updates)  # noqa: E731
            done = _("Settings updated.")
        elif self.action == "addresses":
            value = self.addresses.setting_value()
            call = lambda: domain_update_settings(actor=user, domain=domain, updates={IP_SETTING: value})  # noqa: E731
            done = _("Assigned IP Addresses updated.")
        elif self.action == "aliases":
            aliases = self.aliases.alias_list()
            call, done = lambda: domain_set_aliases(actor=user, domain=domain, aliases=aliases), _("Aliases updated.")
        elif self.action == "rename":
            new_name = self.rename.cleaned_data["new_name"]
            call, done = lambda: domain_rename(actor=user, domain=domain, new_name=new_name), _("Domain renamed.")
        elif self.action == "suspend":
            call, done = lambda: domain_suspend(actor=user, domain=domain), _("Domain suspended.")
        elif self.action == "resume":
            call, done = lambda: domain_resume(actor=user, domain=domain), _("Domain resumed.")
        else:
            # the ticked box names the accounts: they go with the domain
            call, done = lambda: domain_delete(actor=user, domain=domain, force=True) or True, _("Domain removed.")
        # A refused action whose form the page does not show (no right) is reported above the page.
        shown = self.action == "update" or can_write_all_domains(user)
        return call_service(self.request, form if shown else None, call, done=done)

    def next_url(self) -> str:
        if self.action == "remove":
            return users_url(self.request, "domains")
        self.domain.refresh_from_db(fields=["name"])
        return users_url(self.request, "domain_settings", self.domain.name)

    def context(self) -> dict[str, Any]:
        domain, user = self.domain, self.user
        addresses, by_dns = domain_addresses(domain, dns_looked_up_addresses())
        return {
            "domain": domain, "links": domain_links(self.request, domain), "settings_form": self.settings,
            "addresses_form": self.addresses, "aliases_form": self.aliases, "rename_form": self.rename,
            "remove_form": self.remove, "suspend_form": self.suspend, "may_manage": can_write_all_domains(user),
            "assigned": addresses, "by_dns": by_dns, "using_dns": USING_DNS,
        }


@realm_page("Users", "Domain Settings", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def domain_settings(request: HttpRequest, domain: str) -> HttpResponse:
    """Every domain setting from the catalogue, the Domain Aliases, the Assigned IP Addresses, and
    rename / suspend / resume / remove."""
    page = DomainPage(request, access_domain(actor(request), domain))
    status = 200
    if page.action:
        if page.action not in DomainPage.ACTIONS:
            status = 400
        elif page.run() is not None:
            return HttpResponseRedirect(page.next_url())
        else:
            status = 400
    return render(request, "domains/domain_settings.html", page.context(), status=status)
