"""Declared access for every view, and the realms' URL schemes.

Every view says who may open it (public, any logged-in account, or a realm page). The gate in
realms.middleware reads the declaration, so rights are checked in one place, and a test walks the
URLconf to prove no view lacks one.

URL schemes (the seed's "Separate WebAdmin Realms"):
- "master": /Master/<Realm>/<page>, one authentication realm (Master), the Master right needed;
- "separate": /<Realm>/<page>, each realm its own authentication realm and its own right;
- "domain": /Domain/<page>, the Domain WebAdmin (Users realm pages) for Domain Administrators,
  always available, each object checked by realms.access.
The scheme not in force redirects to the one that is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import Resolver404, URLPattern, resolve, reverse

from cgadmin.catalogue import Level
from realms.rights import DOMAIN_SCHEME, DOMAIN_WEBADMIN_REALM, MASTER_SCHEME, REALMS, SEPARATE_SCHEME  # noqa: F401 (pages.X)

PUBLIC = "public"
AUTHENTICATED = "authenticated"
REALM = "realm"

SCHEME_PREFIX = {MASTER_SCHEME: "Master/", SEPARATE_SCHEME: "", DOMAIN_SCHEME: "Domain/"}
REALM_ORDER = ("Settings", "Users", "Monitors", "Directory", "Master")


@dataclass(frozen=True)
class PageAccess:
    kind: str
    realm: str | None = None
    title: str = ""
    level: Level = Level.BASIC  # the Interface Type from which the page appears in navigation
    in_menu: bool = True
    # Monitors pages refresh themselves at the administrator's chosen period.
    auto_refresh: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    # Who sees the page in navigation, when fewer than all who pass the realm gate may open it.
    shown_to: Callable[[Any], bool] | None = None


def _declare(view: Callable, access: PageAccess) -> Callable:
    view.cg_access = access  # type: ignore[attr-defined]
    return view


def public(view: Callable) -> Callable:
    """Anyone may open it (the login page)."""
    return _declare(view, PageAccess(PUBLIC))


def authenticated(view: Callable) -> Callable:
    """Any logged-in account may open it (logout, the root, its own preferences)."""
    return _declare(view, PageAccess(AUTHENTICATED))


def realm_page(
    realm: str, title: str, *, level: Level = Level.BASIC, in_menu: bool = True, auto_refresh: bool = False,
    shown_to: Callable[[Any], bool] | None = None,
) -> Callable[[Callable], Callable]:
    """A page of a realm: the realm's right is needed (or Master, under the master scheme).
    `shown_to(account)` keeps it out of the menu of those the view itself refuses."""
    if realm not in REALMS:
        raise ValueError(f"unknown realm {realm}")

    def decorate(view: Callable) -> Callable:
        return _declare(view, PageAccess(REALM, realm, title, level, in_menu, auto_refresh, shown_to=shown_to))

    return decorate


def access_of(view: Callable) -> PageAccess | None:
    """The declaration of a view (class-based views carry it on view_class too)."""
    declared = getattr(view, "cg_access", None)
    if declared is None and hasattr(view, "view_class"):
        declared = getattr(view.view_class, "cg_access", None)
    return declared


def namespace(scheme: str, realm: str) -> str:
    return f"{scheme}-{realm}"


@dataclass(frozen=True)
class RealmPages:
    realm: str
    patterns: list[URLPattern]

    def menu(self, level: Level, account: Any = None) -> list[tuple[str, str]]:
        """(url name, title) of the pages the navigation shows at this Interface Type (to this account)."""
        items = []
        for pattern in self.patterns:
            access = access_of(pattern.callback)
            if access and access.in_menu and access.level <= level and pattern.name and not pattern.pattern.converters \
                    and _shown(access, account):
                items.append((pattern.name, access.title))
        return items


def _shown(access: PageAccess, account: Any) -> bool:
    return account is None or access.shown_to is None or access.shown_to(account)


REGISTRY: dict[str, RealmPages] = {}


def realm_reverse(scheme: str, realm: str, name: str, *args: Any) -> str:
    return reverse(f"{namespace(scheme, realm)}:{name}", args=args)


def scheme_for(realm: str, separate: bool) -> str:
    return SEPARATE_SCHEME if separate else MASTER_SCHEME


def auth_realm_of_url(url: str) -> str | None:
    """The authentication realm of the page at url (None for pages outside the realms)."""
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    scheme, realm = match.kwargs.get("cg_scheme"), match.kwargs.get("cg_realm")
    return auth_realm(scheme, realm) if scheme and realm else None


def auth_realm(scheme: str, realm: str) -> str:
    """The authentication realm a page belongs to: Master, the realm itself, or Domain."""
    return {MASTER_SCHEME: "Master", SEPARATE_SCHEME: realm, DOMAIN_SCHEME: "Domain"}[scheme]
