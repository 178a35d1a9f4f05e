"""What every WebAdmin page shows: the server name, navigation, the administrator, notifications."""

from django.conf import settings
from django.http import HttpRequest

from logs.notifications import pick_notification
from realms import pages
from realms.navigation import breadcrumbs, interface_level, page_charset, page_links, realm_links, refresh_seconds


def _preferences_url(request: HttpRequest) -> str | None:
    """The Preferences page of the realm being viewed (of the first realm the account may open elsewhere)."""
    scheme, realm = getattr(request, "cg_scheme", None), getattr(request, "cg_realm", None)
    if scheme and realm:
        return pages.realm_reverse(scheme, realm, "preferences")
    links = realm_links(request)
    return links[0].url.rstrip("/") + "/Preferences" if links else None


def webadmin(request: HttpRequest) -> dict:
    from domains.selectors import main_domain_or_none

    main = main_domain_or_none()
    user = getattr(request, "user", None)
    logged_in = bool(user and user.is_authenticated)
    realms = realm_links(request) if logged_in else []
    return {
        "server_name": main.name if main else "",
        "realm_links": realms,
        "breadcrumbs": breadcrumbs(request, realms) if logged_in else [],
        "page_links": page_links(request) if logged_in else [],
        "interface_level": interface_level(user) if logged_in else None,
        "current_page": getattr(request, "cg_page", None),
        "administrator": user.address if user is not None and logged_in else "",
        "urgent_notification": pick_notification() if logged_in and _server_administrator(user) else None,
        "preferences_url": _preferences_url(request) if logged_in else None,
        "refresh_seconds": refresh_seconds(user, getattr(request, "cg_realm", None)) if logged_in else 0,
        "page_charset": page_charset(user, getattr(request, "cg_realm", None)) if logged_in else "utf-8",
        "cgadmin_version": settings.CGADMIN_VERSION,
    }


def _server_administrator(user: object) -> bool:
    """Urgent Notifications are for Server Administrators (the rights alone decide, no query)."""
    from realms.rights import SERVER_RIGHTS

    granted = getattr(user, "rights", None) or []
    return any(right in SERVER_RIGHTS for right in granted) and user.domain.is_main  # type: ignore[attr-defined]
