"""Every WebAdmin page speaks German to an administrator whose Language preference is German.

For each page: the texts it shows in English (each a msgid of the catalogues) show in German, no
English text of the catalogues is left on the German page, and times are in the administrator's
time zone. Values (settings in <code>, keywords in <option>, what was typed, protocol texts marked
translate="no") are data, not texts."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest

from accounts.services import account_update_prefs
from logs.models import AuditEntry
from tests import factories
from tests.realms.test_languages import po_entries

DATA_TAGS = {"code", "textarea", "script", "style", "title", "pre"}
ATTRIBUTES = ("aria-label", "title", "placeholder")
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

PAGES = {
    "General": "/Master/Settings/General",
    "Strings": "/Master/Settings/Strings",
    "Skins": "/Master/Settings/Skins",
    "Preferences": "/Master/Settings/Preferences",
    "Domains": "/Master/Users/Domains",
    "Domain Settings": "/Master/Users/Domains/client1.test/Settings",
    "Account Defaults": "/Master/Users/AccountDefaults",
    "Accounts": "/Master/Users/Domains/client1.test/Accounts",
    "Account Settings": "/Master/Users/Domains/client1.test/Accounts/user",
    "Account Preferences": "/Master/Users/Domains/client1.test/Accounts/user/Preferences",
    "Account Access Rights": "/Master/Users/Domains/client1.test/Accounts/user/AccessRights",
    "Import/Export": "/Master/Users/Domains/client1.test/ImportAccounts",
    "Domain Skins": "/Master/Users/Domains/client1.test/Skins",
    "Queues": "/Master/Monitors/Queues",
    "Logs": "/Master/Monitors/Logs",
    "Log Settings": "/Master/Monitors/LogSettings",
    "Audit": "/Master/Monitors/Audit",
    "Statistics": "/Master/Monitors/Statistics",
    "Notifications": "/Master/Monitors/Notifications",
    "Directory": "/Master/Directory/Units",
    "Directory Browse": "/Master/Directory/Browse",
    "Directory Access Rights": "/Master/Directory/AccessRights",
    "Server Administrators": "/Master/Master/Rights",
}


class _Texts(HTMLParser):
    """The texts a reader sees: text nodes outside data elements (and outside translate="no"), and
    labels in attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self._open: list[bool] = []  # per open element: is it data?
        self._in_option = False  # an <option> (a value) ends at the next tag: its end tag is optional

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_option = tag == "option"
        if self._in_option:
            return
        data = tag in DATA_TAGS or ("translate", "no") in attrs or any(self._open)
        if not data:
            self.texts.extend(_clean(value) for name, value in attrs if name in ATTRIBUTES and value)
        if tag not in VOID_TAGS:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_option = False
        if tag == "option":
            return
        if tag not in VOID_TAGS and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if not self._in_option and not any(self._open) and data.strip():
            self.texts.append(_clean(data))


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible_texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return set(parser.texts)


@pytest.fixture
def german():
    """The German catalogue, and the English texts that German says differently."""
    entries = po_entries("de")
    english = {msgid for msgid, msgstr in entries.items() if msgstr and msgstr != msgid and "%(" not in msgid}
    return entries, english


@pytest.fixture
def admin(postmaster, client1, expert):
    factories.make_account(client1, "user")
    return expert(postmaster)


def _page(client, admin, url: str, language: str) -> str:
    account_update_prefs(actor=None, account=admin, updates={"Language": language})
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_page_speaks_german(admin, as_basic, german, name):
    entries, english = german
    client = as_basic(admin)
    english_page = visible_texts(_page(client, admin, PAGES[name], "English"))
    german_html = _page(client, admin, PAGES[name], "German")
    german_page = visible_texts(german_html)

    shown = sorted(english_page & english)  # the catalogue's texts this page shows
    assert len(shown) >= 5, f"{name}: too few known texts to judge ({shown})"
    german_text = "\n".join(german_page)
    assert [msgid for msgid in shown if entries[msgid] not in german_text] == [], "not shown in German"
    assert sorted(german_page & english) == [], f"{name}: English left on the German page"
    assert 'lang="de"' in german_html


@pytest.mark.django_db
def test_german_pages_show_times_in_the_administrators_time_zone(admin, as_basic):
    account_update_prefs(actor=None, account=admin, updates={"Language": "German", "TimeZone": "America/New_York"})
    AuditEntry.objects.update(time=datetime(2026, 7, 1, 12, 0, 0, tzinfo=UTC))

    page = as_basic(admin).get("/Master/Monitors/Audit").content.decode()

    assert "Änderungsprotokoll" in page
    # noon GMT is 08:00 in New York (daylight saving time)
    assert '<span class="date">2026-07-01</span> <span class="clock">08:00:00</span>' in page
    assert '<span class="clock">12:00:00</span>' not in page
