"""Which skin dresses a page: only the Domain WebAdmin of a Domain Administrator is skinned.

The seed: the Server WebAdmin always uses the stock files; a Domain Administrator sees its domain's
skin (the one chosen in its Preferences, else the unnamed one), then the server-wide skin of that
name. Fragments are markup with three placeholders, filled in escaped; nothing in them runs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Account
from cgadmin.errors import CGError
from domains.models import Domain
from realms import permissions
from skins import storage

PREFERENCE = "Skin"


@dataclass(frozen=True)
class Look:
    stylesheet: str | None = None
    header: SafeString | None = None
    footer: SafeString | None = None


def chosen_skin(account: Account) -> str:
    prefs = account.settings.get("WebAdminPrefs") or {}
    chosen = prefs.get(PREFERENCE, "") if isinstance(prefs, dict) else ""
    return chosen if isinstance(chosen, str) else ""


def is_skinned(account: Account | None) -> bool:
    """Server administrators always get the stock look; Domain Administrators get their skin."""
    if account is None or not permissions.is_domain_admin(account):
        return False
    return not (permissions.can_read_all_domains(account) or permissions.has_server_right(account, "Settings")
                or permissions.has_server_right(account, "Monitor"))


def skin_file_url(domain: Domain | None, skin: str, name: str) -> str:
    query = {"skin": skin, "name": name, **({"domain": domain.name} if domain else {})}
    return reverse("skin_file") + "?" + urlencode(query)


def _find(domain: Domain, skin: str, name: str) -> tuple[Domain | None, bytes] | None:
    for scope in (domain, None):
        try:
            return scope, storage.read_file(scope, skin, name)[0]
        except CGError:  # no such file (or a bad name in the preferences): the stock part
            continue
    return None


def fill_fragment(data: bytes, values: dict[str, str]) -> SafeString:
    """A fragment with its placeholders filled in, each value escaped."""
    text = data.decode("utf-8", errors="replace")
    for name, value in values.items():
        text = text.replace("{{ " + name + " }}", escape(value)).replace("{{" + name + "}}", escape(value))
    # sanitised on every use, not only at upload: a file may also come from a restore or a copy by hand
    return mark_safe(storage.sanitise_fragment(text))  # nh3's allow-list, escaped values


def look_for(account: Account | None, title: str) -> Look:
    """The stylesheet and page parts this administrator's skin gives, if any."""
    if not is_skinned(account):
        return Look()
    assert account is not None
    skin = chosen_skin(account)
    values = {"domain": account.domain.name, "administrator": account.address, "title": title}
    found_css = _find(account.domain, skin, storage.STYLESHEET)
    header = _find(account.domain, skin, storage.FRAGMENTS[0])
    footer = _find(account.domain, skin, storage.FRAGMENTS[1])
    return Look(
        stylesheet=skin_file_url(found_css[0], skin, storage.STYLESHEET) if found_css else None,
        header=fill_fragment(header[1], values) if header else None,
        footer=fill_fragment(footer[1], values) if footer else None,
    )
