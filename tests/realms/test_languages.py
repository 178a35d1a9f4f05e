"""The WebAdmin in the administrator's language and time zone, with complete German and Russian catalogues."""

from __future__ import annotations

import gettext
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings

from accounts.services import account_update_prefs
from logs.models import AuditEntry
from realms.catalogue_strings import STRINGS
from realms.management.commands.webadmin_strings import all_strings

LOCALE = Path(settings.PROJECT_DIR) / "locale"
LANGUAGES = ("de", "ru")


@dataclass
class PoEntry:
    """One entry of a .po file: its msgid, its translation(s) and its flags (fuzzy, python-format)."""

    msgid: str
    context: str = ""
    msgstrs: list[str] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    plural: bool = False


def _unquote(text: str) -> str:
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def parse_po(source: str) -> list[PoEntry]:
    """Every entry of a .po file (the header left out), without any gettext library."""
    entries: list[PoEntry] = []
    for block in re.split(r"\n\s*\n", source):
        entry, current = PoEntry(""), None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            elif line.startswith("#~"):
                current = None  # obsolete entries are not shown
            elif match := re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) "(.*)"$', line):
                current = match.group(1)
                if current == "msgid_plural":
                    entry.plural = True
                elif current.startswith("msgstr"):
                    entry.msgstrs.append("")
                _append(entry, current, _unquote(match.group(2)))
            elif current and (match := re.match(r'^"(.*)"$', line)):
                _append(entry, current, _unquote(match.group(1)))
        if entry.msgid:
            entries.append(entry)
    return entries


def _append(entry: PoEntry, part: str, text: str) -> None:
    if part == "msgid":
        entry.msgid += text
    elif part == "msgctxt":
        entry.context += text
    elif part.startswith("msgstr"):
        entry.msgstrs[-1] += text


def po_file(language: str) -> list[PoEntry]:
    return parse_po((LOCALE / language / "LC_MESSAGES" / "django.po").read_text())


def po_entries(language: str) -> dict[str, str]:
    """msgid -> msgstr of a language's catalogue (texts without a context)."""
    return {entry.msgid: entry.msgstrs[0] if entry.msgstrs else "" for entry in po_file(language) if not entry.context}


def test_every_text_drawn_from_data_is_in_the_catalogues():
    """New settings, pages or realms need `make messages` (and their German and Russian texts)."""
    assert sorted(set(all_strings()) - set(STRINGS)) == []


@pytest.mark.parametrize("language", ["de", "ru"])
def test_every_text_is_translated_and_compiled(language):
    entries = po_file(language)
    compiled = gettext.GNUTranslations((LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb"))

    untranslated = [entry.msgid for entry in entries if not entry.msgstrs or not entry.msgstrs[0]]
    stale = [entry.msgid for entry in entries if entry.msgstrs and entry.msgstrs[0] != (
        compiled.pgettext(entry.context, entry.msgid) if entry.context else compiled.gettext(entry.msgid))]
    assert len(entries) > 200
    assert untranslated == [], "add them to locale/translations.py and run `make messages`"
    assert stale == [], "run `make messages` to compile the catalogues"
    assert set(STRINGS) <= {entry.msgid for entry in entries}


def test_every_msgid_has_a_german_and_a_russian_text_and_none_is_fuzzy():
    """Not only the texts drawn from data: every msgid makemessages found in templates and code."""
    catalogues = {language: po_file(language) for language in LANGUAGES}
    msgids = {language: {(entry.context, entry.msgid) for entry in entries} for language, entries in catalogues.items()}

    assert msgids["de"] == msgids["ru"], "run `make messages`: the catalogues list different texts"
    assert len(msgids["de"]) > 500
    for language, entries in catalogues.items():
        fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
        missing = [entry.msgid for entry in entries if not entry.msgstrs or not all(entry.msgstrs)]
        assert fuzzy == [], f"{language}: fuzzy (guessed) translations"
        assert missing == [], f"{language}: no translation; add them to locale/translations.py, run `make messages`"


def test_translations_keep_placeholders_and_markup():
    """A translation names the same %(placeholders)s and HTML tags as its English text."""
    pattern = re.compile(r"%\(\w+\)s|\{\w+\}|</?(?:a|b|br|code|em|i|small|span|strong)\b[^>]*>")
    for language in LANGUAGES:
        broken = [entry.msgid for entry in po_file(language) for text in entry.msgstrs
                  if sorted(pattern.findall(text)) != sorted(pattern.findall(entry.msgid))]
        assert broken == [], language


def test_the_parser_sees_fuzzy_and_untranslated_entries():
    """The checks above would notice: a fuzzy entry, an empty msgstr, a plural with a form missing."""
    source = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#, fuzzy\nmsgid "Update"\nmsgstr "Aktualisieren"\n\n'
        'msgctxt "sender of a message"\nmsgid "From"\nmsgstr "Отправитель"\n\n'
        'msgid ""\n"Two "\n"lines"\nmsgstr ""\n\n'
        'msgid "%(n)s file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "%(n)s Datei"\nmsgstr[1] ""\n'
    )

    update, sender, lines, files = parse_po(source)

    assert (update.msgid, update.msgstrs, "fuzzy" in update.flags) == ("Update", ["Aktualisieren"], True)
    assert (sender.context, sender.msgid, sender.msgstrs) == ("sender of a message", "From", ["Отправитель"])
    assert (lines.msgid, lines.msgstrs) == ("Two lines", [""])
    assert files.plural and files.msgstrs == ["%(n)s Datei", ""]


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

    # noon GMT is 21:00 in Tokyo
    assert '<span class="date">2026-11-28</span> <span class="clock">21:00:00</span>' in page
    assert '<span class="clock">12:00:00</span>' not in page


@pytest.mark.django_db
def test_one_english_word_with_two_meanings_has_its_own_text_for_each(postmaster, as_basic):
    """"From" heads the audit trail's origin column and the queue's sender column: Russian says each differently."""
    account_update_prefs(actor=None, account=postmaster, updates={"Language": "Russian"})

    page = as_basic(postmaster).get("/Master/Monitors/Audit").content.decode()

    assert "<th>Откуда</th>" in page and "Отправитель" not in page


@pytest.mark.parametrize("code", ["de", "ru"])
def test_distinct_things_keep_distinct_words(code):
    """Issue 17 item 13: Settings (a realm, an object's settings) and Preferences (the administrator's or
    a user's), Update (save this form) and Refresh (read again) never share a word, so a page with both
    (the General page's Update and Refresh, every page's Settings realm and Preferences link) is clear."""
    from django.utils import translation

    pairs = [("Settings", "Preferences"), ("Update", "Refresh"), ("Default Preferences", "Account Defaults"),
             ("WebAdmin Preferences", "Settings")]
    with translation.override(code):
        same = [(one, other) for one, other in pairs if translation.gettext(one) == translation.gettext(other)]
    assert same == []


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["German", "Russian"])
def test_the_general_pages_update_and_refresh_buttons_read_differently(postmaster, as_basic, language):
    account_update_prefs(actor=None, account=postmaster, updates={"Language": language})

    page = as_basic(postmaster).get("/Master/Settings/General").content.decode()

    buttons = re.findall(r"<button[^>]*>([^<]+)</button>", page)
    assert {"German": {"Speichern", "Aktualisieren"}, "Russian": {"Сохранить", "Обновить"}}[language] <= set(buttons)
