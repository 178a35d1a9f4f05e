"""What the WebAdmin's navigation shows: the realms an administrator may open and their pages."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from cgadmin.catalogue import Level, parse_duration
from cgadmin.errors import InvalidInput
from realms import access, pages

DEFAULT_LEVEL = Level.BASIC
DEFAULT_OBJECTS_PER_PAGE = 50


def webadmin_prefs(account: object) -> dict:
    settings = getattr(account, "settings", None) or {}
    prefs = settings.get("WebAdminPrefs") or {}
    return prefs if isinstance(prefs, dict) else {}


def interface_level(account: object) -> Level:
    """The administrator's Interface Type (Basic until changed in the Preferences)."""
    try:
        return Level.parse(str(webadmin_prefs(account).get("InterfaceType", DEFAULT_LEVEL.label)))
    except Exception:
        return DEFAULT_LEVEL


def objects_per_page(account: object) -> int:
    """How many rows a list page shows (WebAdminPrefs ObjectsPerPage, 50 until changed)."""
    value = webadmin_prefs(account).get("ObjectsPerPage", DEFAULT_OBJECTS_PER_PAGE)
    try:
        return max(1, int(str(value)))
    except ValueError:
        return DEFAULT_OBJECTS_PER_PAGE


DEFAULT_REFRESH_SECONDS = 30
MIN_REFRESH_SECONDS = 5
REFRESH_PREF = "RefreshRate"


def monitors_refresh_seconds(account: object) -> int:
    """How often Monitors pages reload themselves (WebAdminPrefs RefreshRate: 30s until changed,
    `never` for not at all, 0)."""
    value = webadmin_prefs(account).get(REFRESH_PREF, DEFAULT_REFRESH_SECONDS)
    if isinstance(value, str) and value.isdigit():
        value = int(value)
    try:
        seconds = parse_duration(value)
    except InvalidInput:
        return DEFAULT_REFRESH_SECONDS
    return 0 if not seconds else max(MIN_REFRESH_SECONDS, seconds)


@dataclass(frozen=True)
class Link:
    title: str
    url: str
    active: bool = False


def _scheme_for_request(request: HttpRequest) -> str:
    from realms.middleware import separate_realms_enabled

    scheme = getattr(request, "cg_scheme", None)
    if scheme in (pages.MASTER_SCHEME, pages.SEPARATE_SCHEME):
        return scheme
    return pages.scheme_for("", separate_realms_enabled())


def realm_links(request: HttpRequest) -> list[Link]:
    """One link per realm the account may open, under the scheme in force; the Domain WebAdmin for
    Domain Administrators without server rights."""
    from realms.middleware import may_open

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
    if not links and access.is_domain_admin(user):
        links.append(Link("Domain", pages.realm_reverse(pages.DOMAIN_SCHEME, pages.DOMAIN_WEBADMIN_REALM, "index"),
                          active=getattr(request, "cg_scheme", None) == pages.DOMAIN_SCHEME))
    return links


def page_links(request: HttpRequest) -> list[Link]:
    """The pages of the current realm shown at the administrator's Interface Type."""
    scheme, realm = getattr(request, "cg_scheme", None), getattr(request, "cg_realm", None)
    if not scheme or not realm or realm not in pages.REGISTRY:
        return []
    current = getattr(getattr(request, "resolver_match", None), "url_name", None)
    level = interface_level(request.user)
    return [
        Link(title, pages.realm_reverse(scheme, realm, name), active=name == current)
        for name, title in pages.REGISTRY[realm].menu(level)
    ]


def first_page_url(scheme: str, realm: str, level: Level) -> str:
    menu = pages.REGISTRY[realm].menu(level) or pages.REGISTRY[realm].menu(Level.EXPERT)
    if not menu:
        return "/"
    return pages.realm_reverse(scheme, realm, menu[0][0])
