"""The WebAdmin speaks each administrator's Language and shows times in its Time Zone.

Both come from the administrator's effective Preferences (its own, else the domain's defaults,
else the server's): Language picks the interface language, Time Zone (a tz database zone, or the
built-in HostOS zone: the server OS's current offset with no daylight saving time) the zone that
dates are shown in. Before login the browser's Accept-Language decides."""

from __future__ import annotations

import time
import zoneinfo
from collections.abc import Callable
from datetime import timedelta, timezone, tzinfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone as django_timezone
from django.utils import translation

from accounts.models import Account
from accounts.settings_schema import HOST_OS_ZONE
from server import documents

# The Language preference's values (seed: "Preferred Language") and the catalogues we ship.
LANGUAGE_CODES = {"English": "en", "German": "de", "Russian": "ru"}


def language_code(preference: object) -> str:
    """The interface language for a Language preference; English for one we have no catalogue of."""
    return LANGUAGE_CODES.get(str(preference), "en")


def host_os_zone() -> tzinfo:
    """The built-in HostOS zone: a fixed offset, the server OS's offset from GMT right now."""
    return timezone(timedelta(seconds=time.localtime().tm_gmtoff), HOST_OS_ZONE)


def time_zone(preference: object) -> tzinfo:
    """The zone for a Time Zone preference (HostOS, or a tz database name); HostOS when unknown."""
    name = str(preference or HOST_OS_ZONE)
    if name != HOST_OS_ZONE:
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return host_os_zone()


def administrator_language(account: Account) -> str:
    """The Language preference in force for this administrator (English, German, Russian, ...)."""
    return str(_preference(account, "Language", "English"))


def administrator_locale(account: Account) -> tuple[str, tzinfo]:
    """The language code and time zone of this administrator's effective Preferences."""
    return language_code(administrator_language(account)), time_zone(
        _preference(account, "TimeZone", HOST_OS_ZONE))


def _preference(account: Account, name: str, default: str) -> object:
    """Explicit, else the domain's Default Preferences, else the server's (cached: every page asks)."""
    for layer in (account.prefs, account.domain.account_prefs, documents.read_cached(documents.ACCOUNT_PREFS)):
        if isinstance(layer, dict) and name in layer:
            return layer[name]
    return default


class AdministratorLocaleMiddleware:
    """Activate the administrator's language and time zone for the request (after authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            language, zone = administrator_locale(user)
        else:
            language, zone = translation.get_language_from_request(request), host_os_zone()
        translation.activate(language)
        django_timezone.activate(zone)
        request.LANGUAGE_CODE = translation.get_language()
        try:
            response = self.get_response(request)
        finally:
            django_timezone.deactivate()
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        response.headers.setdefault("Vary", "Accept-Language, Cookie")
        return response
