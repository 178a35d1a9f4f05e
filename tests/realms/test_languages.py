"""The WebAdmin in the administrator's language and time zone, with complete German and Russian catalogues."""

from __future__ import annotations

import gettext
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from accounts.services import account_update_prefs
from logs.models import AuditEntry
from realms.catalogue_strings import STRINGS
from realms.management.commands.webadmin_strings import all_strings

LOCALE = Path(settings.PROJECT_DIR) / "locale"
ENTRY = re.compile(r'^msgid ((?:"(?:[^"\\]|\\.)*"\n)+)msgstr ((?:"(?:[^"\\]|\\.)*"\n)+)', re.MULTILINE)


def po_entries(language: str) -> dict[str, str]:
    def text(block: str) -> str:
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"', '"')

    source = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text()
    return {text(msgid): text(msgstr) for msgid, msgstr in ENTRY.findall(source) if text(msgid)}


def test_every_text_drawn_from_data_is_in_the_catalogues():
    """New settings, pages or realms need `make messages` (and their German and Russian texts)."""
    assert sorted(set(all_strings()) - set(STRINGS)) == []


@pytest.mark.parametrize("language", ["de", "ru"])
def test_every_text_is_translated_and_compiled(language):
    entries = po_entries(language)
    compiled = gettext.GNUTranslations((LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb"))

    untranslated = [msgid for msgid, msgstr in entries.items() if not msgstr]
    stale = [msgid for msgid, msgstr in entries.items() if compiled.gettext(msgid) != msgstr]
    assert len(entries) > 200
    assert untranslated == [], "add them to locale/translations.py and run `make messages`"
    assert stale == [], "run `make messages` to compile the catalogues"
    assert set(STRINGS) <= set(entries)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "texts"), [
    ("German", ["Abmelden", "Name der Hauptdomain", "Bereiche", 'lang="de"']),
    ("Russian", ["Выйти", "Имя основного домена", "Разделы", 'lang="ru"']),
    ("English", ["Log out", "Main Domain Name", "Realms", 'lang="en"']),
])
def test_the_webadmin_speaks_the_administrators_language(postmaster, as_basic, language, texts):
    account_update_prefs(actor=None, account=postmaster, updates={"Language": language})

    response = as_basic(postmaster).get("/Master/Settings/General")

    page = response.content.decode()
    assert [text for text in texts if text not in page] == []
    assert response["Content-Language"] == {"German": "de", "Russian": "ru", "English": "en"}[language]


@pytest.mark.django_db
def test_a_language_without_a_catalogue_falls_back_to_english(postmaster, as_basic):
    account_update_prefs(actor=None, account=postmaster, updates={"Language": "Japanese"})

    page = as_basic(postmaster).get("/Master/Settings/General").content.decode()

    assert "Main Domain Name" in page and 'lang="en"' in page


@pytest.mark.django_db
def test_the_login_page_follows_the_browsers_language(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru,en;q=0.5").content.decode()

    assert "Войти" in page


@pytest.mark.django_db
def test_times_are_shown_in_the_administrators_time_zone(postmaster, as_basic):
    account_update_prefs(actor=None, account=postmaster, updates={"TimeZone": "Asia/Tokyo"})
    AuditEntry.objects.update(time=datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC))

    page = as_basic(postmaster).get("/Master/Monitors/Audit").content.decode()

    assert "2026-11-28 21:00:00" in page  # noon GMT is 21:00 in Tokyo
    assert "2026-11-28 12:00:00" not in page
