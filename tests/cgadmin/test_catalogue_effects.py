"""Every setting of every catalogue says what it does here, or carries the compatibility mark; the
mark never lies (no code reads a marked setting), the pages show it, and the README lists both."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from cgadmin.catalogue import NO_EFFECT, Catalogue, Kind, SettingDef
from realms.management.commands.settings_effects import (
    effects_markdown,
    readme_path,
    readme_section,
    schema_catalogues,
)

ROOT = Path(__file__).resolve().parents[2]
# Files that name every setting without acting on any: the catalogues themselves, the rights table
# (a Domain Administrator right is named after its setting) and the generated translation list.
NAMING_ONLY = {"realms/rights.py", "realms/catalogue_strings.py"}
SKIPPED_DIRS = {".venv", "tests", "bench", "locale", "migrations", "node_modules", ".git", "var"}
# A marked setting whose name code uses for something other than its value, and why.
NAMED_NOT_READ = {
    ("preference", "PreferredCharset"): "its list of character sets is the WebAdmin Preferences' choice",
    ("account", "SignalRulesAllowed"): "the name of the Domain Administrator right over signal rules (mailrules); "
                                       "its value limits nothing: no signal module here",
}


def every_catalogue() -> list[Catalogue]:
    """The catalogues of the schema modules, and any other module-level catalogue of the apps."""
    found = schema_catalogues()
    for name, module in list(sys.modules.items()):
        if module is None or name.startswith(("tests", "django", "_")) or "." not in name:
            continue
        for value in list(vars(module).values()):
            if isinstance(value, Catalogue) and value not in found:
                found.append(value)
    return found


def code_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]) or relative.name == "settings_schema.py":
            continue
        if str(relative) not in NAMING_ONLY:
            files.append(path)
    return files


def readers(name: str, sources: dict[Path, str]) -> list[str]:
    """The code files that name a setting as a quoted string (a `.get("LogLogin")`, a `["LogLogin"]`)."""
    pattern = re.compile(rf"""["']{re.escape(name)}["']""")
    return sorted(str(path.relative_to(ROOT)) for path, text in sources.items() if pattern.search(text))


def test_every_catalogue_is_found():
    kinds = {catalogue.object_kind for catalogue in every_catalogue()}
    assert {"server", "domain", "account", "preference", "log"} <= kinds


def test_every_entry_has_an_effect_or_the_mark():
    missing = [f"{catalogue.object_kind} {entry.name}" for catalogue in every_catalogue() for entry in catalogue
               if not entry.effect.strip()]
    assert not missing, f"give these settings an effect, or NO_EFFECT, in their catalogue's effects: {missing}"


def test_a_marked_setting_is_read_by_no_code():
    sources = {path: path.read_text(encoding="utf-8") for path in code_files()}
    lying = {}
    for catalogue in every_catalogue():
        for entry in catalogue:
            if entry.no_effect and (catalogue.object_kind, entry.name) not in NAMED_NOT_READ:
                found = readers(entry.name, sources)
                if found:
                    lying[f"{catalogue.object_kind} {entry.name}"] = found
    assert not lying, ("these settings are marked 'kept for compatibility, no effect here' but code reads them: "
                       f"say what they do in their catalogue's effects instead: {lying}")


def test_the_mark_check_finds_a_reader():
    """The check above is not vacuous: a setting the queue reads is found in the queue's code."""
    sources = {path: path.read_text(encoding="utf-8") for path in code_files()}
    assert "mailqueue/routing.py" in readers("MaxMessageSize", sources)
    assert "realms/auth.py" in readers("RequireAPOP", sources)


def test_effects_of_unknown_settings_are_refused():
    entry = SettingDef("Known", Kind.BOOL, "NO", "Group", "Known")
    with pytest.raises(ValueError, match="unknown"):
        Catalogue("thing", [entry], effects={"Unknown": NO_EFFECT})
    catalogue = Catalogue("thing", [entry], effects={"known": NO_EFFECT})
    assert catalogue["Known"].no_effect


def test_the_readme_lists_what_the_catalogues_say():
    section = readme_section(readme_path().read_text())
    assert section is not None, "README.md lost its settings-effects markers"
    assert section == effects_markdown(schema_catalogues()), "run `manage.py settings_effects --write`"


def test_the_readme_names_every_setting_once_with_its_effect_or_the_mark():
    section = readme_section(readme_path().read_text()) or ""
    for catalogue in schema_catalogues():
        part = section.split("#### ")[[c.object_kind for c in schema_catalogues()].index(catalogue.object_kind) + 1]
        for entry in catalogue:
            assert part.count(f"`{entry.name}`") == 1, entry.name
            if entry.no_effect:
                assert f"`{entry.name}`" in part.split("Kept for compatibility, no effect here:")[1]
            else:
                assert f"| `{entry.name}` ({entry.label}) | {entry.effect} |" in part


# --- the mark on the settings pages ---------------------------------------------------------------

MARK = "kept for compatibility, no effect here"


def _row(page: str, name: str) -> str:
    start = page.index(f'data-setting="{name}"')
    return page[start:page.index("</div>", start)]


@pytest.mark.django_db
def test_each_account_setting_on_its_page_carries_the_mark_exactly_when_it_does_nothing(postmaster, client1,
                                                                                       as_basic, expert):
    from accounts.settings_schema import ACCOUNT
    from tests.factories import make_account
    from tests.webforms import main_of

    make_account(client1, "jane")
    page = main_of(as_basic(expert(postmaster)).get("/Master/Users/Domains/client1.test/Accounts/jane"))
    for entry in ACCOUNT:
        assert (MARK in _row(page, entry.name)) == entry.no_effect, entry.name


@pytest.mark.django_db
def test_the_mark_on_the_domain_page_in_german_and_russian(postmaster, client1, as_basic, expert):
    from accounts.services import account_update_prefs
    from domains.settings_schema import DOMAIN
    from tests.webforms import main_of

    admin = expert(postmaster)
    marked = [entry.name for entry in DOMAIN if entry.no_effect]
    acting = [entry.name for entry in DOMAIN if not entry.no_effect]
    for language, mark in (("English", MARK),
                           ("German", "aus Kompatibilitätsgründen gespeichert, hier ohne Wirkung"),
                           ("Russian", "хранится для совместимости, здесь не действует")):
        account_update_prefs(actor=None, account=admin, updates={"Language": language})
        page = main_of(as_basic(admin).get("/Master/Users/Domains/client1.test/Settings"))
        assert all(mark in _row(page, name) for name in marked), language
        shown = [name for name in acting if f'data-setting="{name}"' in page]  # IPAddresses has its own form
        assert len(shown) >= len(acting) - 1 and not any(mark in _row(page, name) for name in shown), language
