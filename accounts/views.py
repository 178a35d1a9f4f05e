"""Users realm pages of the accounts app: a domain's Accounts list, each account's Settings and
Preferences. Views parse input, call one service, render; objects come through realms.access."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.forms import (
    AccountAliasesForm,
    AccountTypeForm,
    CreateAccountForm,
    DomainAdminRightsForm,
    PasswordForm,
    RemoveAccountForm,
    RenameAccountForm,
)
from accounts.models import Account
from accounts.selectors import (
    ACCOUNT_ORDERS,
    DEFAULT_ORDER,
    account_info,
    account_mailbox_usage,
    account_prefs_layers,
    account_settings_with_inherited,
    accounts_matching_count,
    accounts_page,
    listed_alias_names,
    listed_quotas,
    storage_use,
)
from accounts.services import (
    BASIC,
    CAN_CREATE_ACCOUNTS,
    CAN_CREATE_ALIASES,
    account_create,
    account_delete,
    account_rename,
    account_set_aliases,
    account_set_domain_admin_rights,
    account_set_password,
    account_set_type,
    account_update_prefs,
    account_update_settings,
)
from accounts.settings_schema import ACCOUNT, PREFS, host_os_zone_note
from basedir.reload import account_clear_cache
from cgadmin import dataformat
from cgadmin.catalogue import DEFAULT, Level
from cgadmin.errors import CGError
from cgadmin.paging import LAST
from domains.selectors import domain_password_policy
from domains.views import account_links, domain_links, users_url
from realms import rights as R
from realms.access import access_account, access_domain
from realms.listing import list_request
from realms.navigation import interface_level
from realms.pages import realm_page
from realms.permissions import (
    account_setting_authorizer,
    can_write_all_domains,
    can_write_domain,
    check_account,
    check_mailbox_access,
    has_server_right,
)
from realms.settingsform import SettingsForm, allowed_by
from realms.settingspage import layered_settings_page
from realms.viewtools import actor, call_service, confirmation_page, confirmed, form_post, form_status
from server.documents import ACCOUNT_DEFAULTS, DOMAIN_DEFAULTS, read_cached

ENCRYPTION = "PasswordEncryption"
BULK_ACTIONS = (("suspend", gettext_lazy("Suspend (Enabled Services: None)")),
                ("enable", gettext_lazy("Enable (Enabled Services: default)")),
                ("set", gettext_lazy("Set a setting")), ("remove", gettext_lazy("Remove")))
MAX_SELECTED = 1000
QUOTA = "MaxAccountSize"


def account_url(request: HttpRequest, account: Account, page: str = "account") -> str:
    return users_url(request, page, account.domain.name, account.name)


@realm_page("Users", "Accounts", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_list(request: HttpRequest, domain: str) -> HttpResponse:
    """A domain's accounts, a page at a time, with a filter; Create Account with a type and password."""
    user = actor(request)
    the_domain = access_domain(user, domain)
    if request.method == "POST" and request.POST.get("action") == "bulk":
        return _bulk(request, the_domain)
    form = CreateAccountForm(request.POST if request.method == "POST" else None)
    posted = form_post(request, form, lambda data: account_create(
        actor=user, domain=the_domain, name=data["name"], kind=data["kind"], settings=form.settings(),
        password=data["password"] or None, aliases=form.alias_list()),
        then=lambda created: account_url(request, created), done=_("Account created."),
        shown=can_write_domain(user, the_domain, CAN_CREATE_ACCOUNTS))
    if posted is not None:
        return posted
    wanted = list_request(request)
    sort = request.GET.get("sort", "")
    sort = sort if sort in ACCOUNT_ORDERS else DEFAULT_ORDER
    page = accounts_page(the_domain, wanted, sort)
    # The server documents once a page, not once a row (each read is a round trip to the shared cache).
    documents = {"account_defaults": read_cached(ACCOUNT_DEFAULTS), "domain_defaults": read_cached(DOMAIN_DEFAULTS)}
    total = accounts_matching_count(the_domain, wanted.filter)
    # The Create Account form is drawn when asked for (its link, or a POST to correct): Django's
    # widgets cost more to render than the whole list.
    shown_form = form if request.method == "POST" or "create" in request.GET else None
    context = {"domain": the_domain, "links": domain_links(request, the_domain), "page": page,
               "rows": _rows(request, the_domain, page.rows, documents), "form": shown_form,
               "may_create": can_write_domain(user, the_domain, CAN_CREATE_ACCOUNTS),
               "place": _place(request, page, total), "paging": _paging(request, page, total),
               "columns": _columns(page, sort), "letters": _letters(page) if sort == DEFAULT_ORDER else [],
               "bulk_actions": BULK_ACTIONS,
               "password_policy": domain_password_policy(the_domain, domain_defaults=documents["domain_defaults"])}
    return render(request, "accounts/account_list.html", context, status=form_status(request))


# One row of the Accounts list. Written here, not by the template language: a row of template tags
# cost 20 nodes to render, 50 rows half the page's time; this is one format call (every value
# escaped, every text translated once a page).
ROW = ('<tr><td><input type="checkbox" name="select" value="{name}" aria-label="{select}"></td>'
       '<td><a href="{url}">{name}</a></td><td>{kind}</td><td>{real_name}</td><td>{aliases}</td>'
       '<td><span class="{storage_class}">{meter}{storage}</span></td><td>{last_login}</td></tr>\n')
METER = '<meter min="0" max="{quota}" value="{used}" aria-hidden="true"></meter> '
NEVER = '<span class="hint">{never}</span>'


def _rows(request: HttpRequest, domain: Any, accounts: list[Account], documents: dict) -> list[SafeString]:
    """The page's rows as HTML: each account's URL from one reverse, every translated text looked up
    once a page, each size and quota written once."""
    marker = "ACCOUNT-NAME"
    model_url = users_url(request, "account", domain.name, marker)
    prefix, suffix = model_url[: model_url.rindex(marker)], model_url[model_url.rindex(marker) + len(marker):]
    select, of_quota, no_quota = _("Select %(name)s"), _("%(used)s of %(quota)s"), _("%(used)s, no quota")
    never = NEVER.format(never=escape(_("never")))
    quota_of = listed_quotas(domain, **documents)
    aliases_of = listed_alias_names(accounts)
    sizes: dict[int, str] = {}
    quotas: dict[str, int | None] = {}

    def size_text(size: int) -> str:
        if size not in sizes:
            sizes[size] = filesizeformat(size)
        return sizes[size]

    rows = []
    for account in accounts:
        setting = quota_of(account)
        key = repr(setting)
        if key not in quotas:
            quotas[key] = storage_use(0, setting).quota
        quota, used = quotas[key], account.storage_used
        storage = (of_quota % {"used": size_text(used), "quota": size_text(quota)} if quota
                   else no_quota % {"used": size_text(used)})
        name = escape(account.name)
        rows.append(mark_safe(ROW.format(  # every value below is escaped
            name=name, select=escape(select % {"name": account.name}),
            url=escape(prefix + quote(account.name, safe=URL_SAFE) + suffix), kind=escape(account.kind),
            real_name=escape(str(account.settings.get("RealName", ""))),
            aliases=escape(", ".join(aliases_of.get(account.pk, []))),
            storage_class="storage over" if quota is not None and used > quota else "storage",
            meter=METER.format(quota=quota, used=used) if quota else "", storage=escape(storage),
            last_login=(localtime(account.last_login).strftime("%Y-%m-%d %H:%M") if account.last_login
                        else never))))
    return rows


URL_SAFE = "!$&'()*+,;=/~:@"  # what reverse() leaves unquoted in a path argument


# The sortable columns: (title, its first order, the other direction). Storage and last login start
# with the largest and the most recent.
SORTABLE = (("name", "name", "-name"), ("storage", "-storage", "storage"), ("login", "-login", "login"))


def _columns(page: Any, sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's header link (its first order, or the other direction when the list
    is already in its order) and aria-sort."""
    columns = {}
    for column, first, other in SORTABLE:
        current = sort in (first, other)
        wanted = other if sort == first else first
        query = QueryDict(mutable=True)
        if page.filter:
            query["filter"] = page.filter
        if wanted != DEFAULT_ORDER:
            query["sort"] = wanted
        query["limit"] = str(page.size)
        columns[column] = {"link": "?" + query.urlencode(),
                          "sort": ("descending" if sort.startswith("-") else "ascending") if current else "",
                          "arrow": ("\u25bc" if sort.startswith("-") else "\u25b2") if current else ""}
    return columns


def _at(request: HttpRequest) -> int | None:
    """Where the page starts among the matches, carried by the pager's own links (None: not known)."""
    try:
        return max(0, int(request.GET.get("at", "")))
    except ValueError:
        return None


def _start(request: HttpRequest, page: Any, total: int) -> int | None:
    """How many matches come before the page: 0 on the first, total less the page on the last."""
    if request.GET.get("before") == LAST:
        return max(0, total - len(page.rows))
    return _at(request) if (request.GET.get("after") or request.GET.get("before")) else 0


def _place(request: HttpRequest, page: Any, total: int) -> str:
    """The line above the list: "151-200 of 2,006" (the language's thousands separator), or the count."""
    at, shown = _start(request, page, total), len(page.rows)
    if shown and at is not None:
        return _("%(first)s-%(last)s of %(total)s") % {
            "first": number_format(at + 1, force_grouping=True),
            "last": number_format(at + shown, force_grouping=True),
            "total": number_format(total, force_grouping=True)}
    return _("%(total)s match(es)") % {"total": number_format(total, force_grouping=True)}


def _paging(request: HttpRequest, page: Any, total: int) -> dict[str, Any]:
    """The pager's links, each carrying its page's place among the matches."""
    at, shown = _start(request, page, total), len(page.rows)
    return {
        "next": page.next_link and page.next_link + (f"&at={at + shown}" if at is not None else ""),
        "previous": page.previous_link and page.previous_link + (f"&at={max(0, at - page.size)}"
                                                                  if at is not None else ""),
        "last": page.link(before=LAST) if page.next_link else "",
    }


LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Each letter's page starts after every name below it (key paging, no offset): its part of the link.
LETTER_KEYS = [(letter, urlencode({"after": chr(ord(letter) - 1) + LAST})) for letter in LETTERS]


def _letters(page: Any) -> list[tuple[str, str]]:
    """Jump to a letter (name order only): the page's own link (filter, size) with the letter's key."""
    start = page.link()
    return [(letter, f"{start}&{key}") for letter, key in LETTER_KEYS]


def _bulk_call(user: Any, account: Account, action: str, setting: str, value: str) -> None:
    """One account's part of a bulk action: the same service the account's own page calls."""
    if action == "remove":
        account_delete(actor=user, account=account)
    elif action in ("suspend", "enable"):
        modes = "None" if action == "suspend" else DEFAULT
        account_update_settings(actor=user, account=account, updates={"AccessModes": modes})
    else:
        try:
            parsed: Any = dataformat.loads(value)
        except dataformat.DataFormatError:
            parsed = value
        account_update_settings(actor=user, account=account, updates={setting: parsed})


def _bulk(request: HttpRequest, domain: Any) -> HttpResponse:
    """Suspend, enable, remove or set a setting of the ticked accounts, after a confirmation, one
    service call an account (each checked and audited as on the account's own page)."""
    user = actor(request)
    back = request.get_full_path()
    names = list(dict.fromkeys(request.POST.getlist("select")))[:MAX_SELECTED]
    action = request.POST.get("bulk", "")
    setting, value = request.POST.get("setting", "").strip(), request.POST.get("value", "").strip()
    titles = dict(BULK_ACTIONS)
    if not names or action not in titles or (action == "set" and not setting):
        messages.error(request, _("Tick the accounts first, and choose an action (a setting's name to set one)."))
        return HttpResponseRedirect(back)
    if not confirmed(request):
        what = f"{setting} = {value}" if action == "set" else str(titles[action])
        return confirmation_page(
            request, title=_("%(action)s: %(number)s account(s)") % {"action": titles[action], "number": len(names)},
            question=_("Yes, do this to the %(number)s account(s) listed: %(what)s") % {
                "number": len(names), "what": what},
            button=_("Apply to the selected accounts"), back_url=back,
            items=[f"{name}@{domain.name}" for name in names[:50]], more=max(0, len(names) - 50))
    done, failed = 0, []
    for name in names:
        try:
            _bulk_call(user, access_account(user, f"{name}@{domain.name}"), action, setting, value)
            done += 1
        except CGError as error:
            failed.append(f"{name}: {error.message}")
    if done:
        messages.success(request, _("Done for %(number)s account(s).") % {"number": done})
    for problem in failed[:20]:
        messages.error(request, problem)
    return HttpResponseRedirect(back)


def _may(check: Callable[[], None]) -> bool:
    try:
        check()
    except CGError:
        return False
    return True


class AccountPage:
    """The forms of the Account Settings page; a POST fills the one its `action` names."""

    ACTIONS = ("update", "password", "aliases", "rename", "type", "remove", "clearcache")

    def __init__(self, request: HttpRequest, account: Account) -> None:
        self.request, self.account, self.user = request, account, actor(request)
        self.action = request.POST.get("action", "") if request.method == "POST" else ""
        data = request.POST if self.action else None
        values, inherited = account_settings_with_inherited(account)
        self.values = values
        self.settings = SettingsForm(
            data if self.action == "update" else None, catalogue=ACCOUNT, values=values, inherited=inherited,
            level=interface_level(self.user), may_change=allowed_by(account_setting_authorizer(self.user, account)),
        )
        self.password = PasswordForm(data if self.action == "password" else None)
        aliases = "\n".join(account.aliases.order_by("name").values_list("name", flat=True))
        self.aliases = AccountAliasesForm(data if self.action == "aliases" else None, initial={"aliases": aliases})
        self.rename = RenameAccountForm(data if self.action == "rename" else None)
        self.kind = AccountTypeForm(data if self.action == "type" else None, initial={"kind": account.kind})
        self.remove = RemoveAccountForm(data if self.action == "remove" else None)

    def may(self, right: str) -> bool:
        return _may(lambda: check_account(self.user, self.account, write=True, right=right))

    def run(self) -> Any:
        """Call the one service the posted action asks for; None when it was refused."""
        user, account = self.user, self.account
        if self.action == "clearcache":  # no form: the service re-reads the files (seed: after a restore)
            return call_service(self.request, None, lambda: account_clear_cache(actor=user, account=account),
                                done=_("Account cache cleared: account.settings and account.info re-read."))
        form = {"update": self.settings, "password": self.password, "aliases": self.aliases, "rename": self.rename,
                "type": self.kind, "remove": self.remove}[self.action]
        if not form.is_valid():
            return None
        call: Callable[[], Any]
        if self.action == "update":
            updates = self.settings.updates()
            if not self.settings.is_valid():
                return None
            call = lambda: account_update_settings(actor=user, account=account, updates=updates)  # noqa: E731
            done = _("Settings updated.")
        elif self.action == "password":
            password = self.password.cleaned_data["password"]
            call = lambda: account_set_password(actor=user, account=account, password=password) or True  # noqa: E731
            done = _("Password changed.")
        elif self.action == "aliases":
            aliases = self.aliases.alias_list()
            call = lambda: account_set_aliases(actor=user, account=account, aliases=aliases)  # noqa: E731
            done = _("Aliases updated.")
        elif self.action == "rename":
            new_name = self.rename.cleaned_data["new_name"]
            call = lambda: account_rename(actor=user, account=account, new_address=new_name)  # noqa: E731
            done = _("Account renamed.")
        elif self.action == "type":
            kind = self.kind.cleaned_data["kind"]
            call, done = lambda: account_set_type(actor=user, account=account, kind=kind), _("Account type changed.")
        else:
            call, done = lambda: account_delete(actor=user, account=account) or True, _("Account removed.")
        # A refused action whose form the page does not show (no right) is reported above the page.
        return call_service(self.request, form if self.shows(self.action) else None, call, done=done)

    def shows(self, action: str) -> bool:
        """Whether the page shows the form of this action to this administrator."""
        if action == "password":
            return self.may(BASIC)
        if action == "aliases":
            return self.may(CAN_CREATE_ALIASES)
        return action == "update" or self.may(CAN_CREATE_ACCOUNTS)

    def next_url(self, result: Any) -> str:
        if self.action == "remove":
            return users_url(self.request, "accounts", self.account.domain.name)
        if self.action == "rename":
            return account_url(self.request, result)
        return account_url(self.request, self.account)

    def usage(self) -> dict[str, Any]:
        """Storage used against the quota, the last login (GetAccountInfo's values) and, for whoever may
        see them (CanAccessMailboxes, as ListMailboxes), the mailboxes with their sizes and messages."""
        info = account_info(self.account)
        used = info["StorageUsed"]
        may_list = _may(lambda: check_mailbox_access(self.user, self.account))
        return {"info": info, "usage": storage_use(used if isinstance(used, int) else 0, self.values[QUOTA].value),
                "mailboxes": account_mailbox_usage(self.account) if may_list else None}

    def context(self) -> dict[str, Any]:
        account = self.account
        return {**self.usage(),
            "account": account, "domain": account.domain, "links": account_links(self.request, account),
            "nav_label": _("Account pages"),
            "settings_form": self.settings, "password_form": self.password, "aliases_form": self.aliases,
            "rename_form": self.rename, "type_form": self.kind, "remove_form": self.remove,
            "encryption": self.values[ENCRYPTION].value,
            "password_policy": domain_password_policy(account.domain, domain_defaults=read_cached(DOMAIN_DEFAULTS)),
            "may_set_password": self.shows("password"), "may_manage": self.shows("rename"),
            "may_alias": self.shows("aliases"), "may_clear_cache": self.shows("password"),
            "prefs_url": account_url(self.request, account, "account_prefs"),
            "rights_url": account_url(self.request, account, "account_rights"),
            "rules_url": account_url(self.request, account, "account_rules"),
            "accounts_url": users_url(self.request, "accounts", account.domain.name),
        }


def _account(request: HttpRequest, domain: str, name: str) -> Account:
    return access_account(actor(request), f"{name}@{domain}")


@realm_page("Users", "Account Settings", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_settings(request: HttpRequest, domain: str, account: str) -> HttpResponse:
    """Every account setting from the catalogue with its source; password, aliases, rename, type, remove."""
    found = _account(request, domain, account)
    if (found.name, found.domain.name) != (account, domain):  # reached through an alias: the real address
        return HttpResponseRedirect(account_url(request, found))
    page = AccountPage(request, found)
    status = 200
    if page.action:
        result = page.run() if page.action in AccountPage.ACTIONS else None
        if result is not None:
            return HttpResponseRedirect(page.next_url(result))
        status = 400
    return render(request, "accounts/account_settings.html", page.context(), status=status)


@realm_page("Users", "Account Preferences", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_prefs(request: HttpRequest, domain: str, account: str) -> HttpResponse:
    """The account's Preferences: each effective value and where it comes from."""
    user = actor(request)
    found = _account(request, domain, account)
    return layered_settings_page(
        request, catalogue=PREFS, below=account_prefs_layers(found.domain), own=found.prefs,
        may_change=allowed_by(account_setting_authorizer(user, found)),
        update=lambda updates: account_update_prefs(actor=user, account=found, updates=updates),
        context={"title": _("Preferences of %(account)s") % {"account": found.address},
                 "links": account_links(request, found), "current": "Preferences", "nav_label": _("Account pages"),
                 "time_zone_note": host_os_zone_note()},
    )


@realm_page("Users", "Access Rights", level=Level.BASIC, in_menu=False)
@require_http_methods(["GET", "POST"])
def account_rights(request: HttpRequest, domain: str, account: str) -> HttpResponse:
    """The account's Domain Administrator rights, grouped as the seed's table, each with its
    description; only an administrator with AllDomains (or Master) may change them."""
    user = actor(request)
    found = _account(request, domain, account)
    held = set(found.rights or [])
    may_grant = can_write_all_domains(user)
    initial = {"administrator": R.DOMAIN_ADMIN in held, "rights": sorted(held & R.DOMAIN_ADMIN_RIGHTS)}
    form = DomainAdminRightsForm(request.POST if request.method == "POST" else None, initial=initial)
    posted = form_post(request, form, lambda data: account_set_domain_admin_rights(
        actor=user, account=found, administrator=data["administrator"], rights=data["rights"]),
        then=request.path, done=_("Access rights updated."), shown=may_grant)
    if posted is not None:
        return posted
    groups = [(title, [(name, text, name in held) for name, text in group.items()])
              for title, group in R.DOMAIN_ADMIN_RIGHT_GROUPS]
    server = [(name, text) for name, text in R.SERVER_RIGHTS.items() if name in held]
    context = {
        "account": found, "domain": found.domain, "links": account_links(request, found), "form": form,
        "nav_label": _("Account pages"),
        "groups": groups, "is_domain_admin": R.DOMAIN_ADMIN in held, "may_grant": may_grant, "server_rights": server,
        "master_url": _master_rights_url() if has_server_right(user, R.MASTER) else "",
        "account_url": account_url(request, found),
    }
    return render(request, "accounts/account_rights.html", context, status=form_status(request))


def _master_rights_url() -> str:
    from realms.pages import realm_reverse, scheme_for
    from server.selectors import separate_realms_enabled

    return realm_reverse(scheme_for("Master", separate_realms_enabled()), "Master", "rights")
