"""What the WebAdmin's navigation shows: the realms an administrator may open and their pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from cgadmin.catalogue import Level, parse_duration
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from realms import pages, permissions

DEFAULT_LEVEL = Level.BASIC
DEFAULT_OBJECTS_PER_PAGE = 50
DEFAULT_REFRESH_SECONDS = 30
DEFAULT_CHARSET = "utf-8"
# WebAdminPrefs keys: InterfaceType for the administrator; these for each realm (a dictionary per
# realm name, falling back to the same key at the top level, then to the default).
OBJECTS_PER_PAGE = "ObjectsPerPage"
REFRESH_PERIOD = "RefreshRate"
CHARSET = "Charset"
INTERFACE_TYPE = "InterfaceType"


def webadmin_prefs(account: object) -> dict[str, Value]:
    settings = getattr(account, "settings", None) or {}
    prefs = settings.get("WebAdminPrefs") or {}
    return prefs if isinstance(prefs, dict) else {}


def realm_pref(account: object, realm: str | None, key: str) -> Value:
    """One WebAdmin Preference of a realm: the realm's own value, else the administrator's general one."""
    prefs = webadmin_prefs(account)
    own = prefs.get(realm) if realm else None
    if isinstance(own, dict) and key in own:
        return own[key]
    return prefs.get(key)


def interface_level(account: object) -> Level:
    """The administrator's Interface Type (Basic until changed in the Preferences)."""
    try:
        return Level.parse(str(webadmin_prefs(account).get(INTERFACE_TYPE, DEFAULT_LEVEL.label)))
    except Exception:
        return DEFAULT_LEVEL


def _number(value: object, default: int) -> int:
    try:
        return int(str(value))
    except ValueError:
        return default


def objects_per_page(account: object, realm: str | None = None) -> int:
    """How many rows a list page shows (ObjectsPerPage, 50 until changed)."""
    value = realm_pref(account, realm, OBJECTS_PER_PAGE)
    return max(1, _number(value, DEFAULT_OBJECTS_PER_PAGE)) if value is not None else DEFAULT_OBJECTS_PER_PAGE


def request_page_size(request: HttpRequest) -> int:
    """The rows a list page of the request's realm shows: the administrator's ObjectsPerPage there."""
    return objects_per_page(request.user, getattr(request, "cg_realm", None))


def refresh_seconds(account: object, realm: str | None = "Monitors") -> int:
    """How often a Monitors page reloads itself (RefreshRate: 30 seconds until changed, 0 never)."""
    value = realm_pref(account, realm, REFRESH_PERIOD)
    if value is None:
        return DEFAULT_REFRESH_SECONDS
    try:
        seconds = parse_duration(int(str(value)) if str(value).isdigit() else value)
    except InvalidInput:
        return DEFAULT_REFRESH_SECONDS
    return seconds or 0


def page_charset(account: object, realm: str | None) -> str:
    """The character set WebAdmin pages of this realm are sent in (and forms read in)."""
    value = realm_pref(account, realm, CHARSET)
    return str(value).lower() if value else DEFAULT_CHARSET


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    active: bool = False


def _scheme_for_request(request: HttpRequest) -> str:
    from server.selectors import separate_realms_enabled

    scheme = getattr(request, "cg_scheme", None)
    if scheme in (pages.MASTER_SCHEME, pages.SEPARATE_SCHEME):
        return scheme
    return pages.scheme_for("", separate_realms_enabled())


def realm_links(request: HttpRequest) -> list[Link]:
    """One link per realm the account may open, under the scheme in force; the Domain WebAdmin for
    Domain Administrators without server rights."""
    from realms.permissions import may_open

    user = request.user
    if not user.is_authenticated:
        return []
    scheme = _scheme_for_request(request)
    current = getattr(request, "cg_realm", None)
    links = [
        Link(realm, pages.realm_reverse(scheme, realm, "index"), active=realm == current)
        for realm in pages.REALM_ORDER
        if may_open(user, scheme, realm)
    ]
    if not links and permissions.is_domain_admin(user):
        links.append(Link("Domain", pages.realm_reverse(pages.DOMAIN_SCHEME, pages.DOMAIN_WEBADMIN_REALM, "index"),
                          active=getattr(request, "cg_scheme", None) == pages.DOMAIN_SCHEME))
    return links


def page_links(request: HttpRequest) -> list[Link]:
    """The pages of the current realm shown at the administrator's Interface Type; the current one
    is the page itself or, on a page outside the menu, the menu page its address is below
    (an account's page is under Domains)."""
    scheme, realm = getattr(request, "cg_scheme", None), getattr(request, "cg_realm", None)
    if not scheme or not realm or realm not in pages.REGISTRY:
        return []
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    level = interface_level(request.user)
    menu = [(name, title, pages.realm_reverse(scheme, realm, name))
            for name, title in pages.REGISTRY[realm].menu(level, request.user)]
    if any(name == current for name, _title, _url in menu):
        return [Link(title, url, active=name == current) for name, title, url in menu]
    path = request.path
    below = [url for _name, _title, url in menu if path.startswith(url.rstrip("/") + "/")]
    parent = max(below, key=len, default=None)
    return [Link(title, url, active=url == parent) for _name, title, url in menu]


def breadcrumbs(request: HttpRequest, realms: list[Link]) -> list[Link]:
    """Where a realm page is: the realm, then each step of its address that is a page (an object's
    name for an object's page, else the page's title), the last being the page itself."""
    from django.urls import Resolver404, resolve
    from django.utils.encoding import iri_to_uri
    from django.utils.translation import gettext

    here = next((link for link in realms if link.active), None)
    if here is None:
        return []
    root = here.url.rstrip("/")
    path = request.path
    if not path.startswith(root + "/"):
        return []
    crumbs = [Link(gettext(here.title), here.url)]
    steps = [step for step in path[len(root):].split("/") if step]
    url = root
    for index, step in enumerate(steps):
        url = f"{url}/{step}"
        try:
            match = resolve(url)
        except Resolver404:
            try:  # an object without a page of its own (a domain) is shown by its Settings page
                resolve(f"{url}/Settings")
            except Resolver404:
                continue  # a step that is no page (a folder of the address)
            crumbs.append(Link(step, iri_to_uri(f"{url}/Settings")))
            continue
        names = {str(value) for key, value in match.kwargs.items() if not key.startswith("cg_")}
        declared = pages.access_of(match.func)
        title = step if step in names or declared is None or not declared.title else gettext(declared.title)
        crumbs.append(Link(title, iri_to_uri(url), active=index == len(steps) - 1))
    return crumbs if len(crumbs) > 1 else []


def first_page_url(scheme: str, realm: str, level: Level) -> str:
    menu = pages.REGISTRY[realm].menu(level) or pages.REGISTRY[realm].menu(Level.EXPERT)
    if not menu:
        return "/"
    return pages.realm_reverse(scheme, realm, menu[0][0])
