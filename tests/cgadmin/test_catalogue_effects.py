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
# Files where a marked setting's name stands for something other than its value, and why.
NAMED_NOT_READ = {
    ("preference", "PreferredCharset"): ({"realms/forms.py", "accounts/services.py"},
                                         "its list of character sets is the WebAdmin Preferences' choice"),
    ("account", "SignalRulesAllowed"): ({"mailrules/services.py"},
                                        "the name of the Domain Administrator right over signal rules; its value "
                                        "limits nothing: no signal module here"),
    ("mailing list", "Charset"): ({"accounts/services.py", "realms/forms.py", "realms/navigation.py"},
                                  "the WebAdmin Preferences' Charset, another setting of the same name"),
    ("mailing list", "Subscribe"): ({"lists/models.py"}, "SubscriberMode.SUBSCRIBE, a subscriber's mode"),
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


def shows_or_exports(relative: Path) -> bool:
    """Pages (views, forms) show and edit settings, exporters write them: none of that is an effect."""
    return relative.name in ("views.py", "forms.py", "export.py") or relative.name.endswith("_views.py")


def code_files() -> list[Path]:
    files = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(relative.parts[:-1]) or relative.name == "settings_schema.py" \
                or shows_or_exports(relative):
            continue
        if str(relative) not in NAMING_ONLY:
            files.append(path)
    return files


def schema_module_of(catalogue: Catalogue) -> str:
    return next(name for name, module in list(sys.modules.items())
                if module is not None and name.endswith("settings_schema") and catalogue in vars(module).values())


def constants_of(catalogue: Catalogue) -> dict[str, list[str]]:
    """The module-level constants that spell a setting's name in the catalogue's own module (POSTINGS
    for "Postings"), by setting name: code that uses one reads the setting as surely as by its name."""
    found: dict[str, list[str]] = {}
    for constant, value in vars(sys.modules[schema_module_of(catalogue)]).items():
        if constant.isupper() and isinstance(value, str):
            found.setdefault(value, []).append(constant)
    return found


def shared_names() -> set[str]:
    """Names that more than one catalogue has (RealName, Charset): a quoted one may be the other's."""
    seen: dict[str, int] = {}
    for catalogue in every_catalogue():
        for entry in catalogue:
            seen[entry.name.lower()] = seen.get(entry.name.lower(), 0) + 1
    return {name for name, count in seen.items() if count > 1}


def readers(name: str, sources: dict[Path, str], constants: list[str] = (), module: str = "",
            quoted: bool = True) -> list[str]:
    """The code files that name a setting as a quoted string (a `.get("LogLogin")`, a `["LogLogin"]`;
    not for a name another catalogue shares), or use a constant of its catalogue's module that
    spells it (in a file that imports that module)."""
    by_name = re.compile(rf"""["']{re.escape(name)}["']""")
    by_constant = re.compile("|".join(rf"\b{constant}\b" for constant in constants)) if constants else None
    found = []
    for path, text in sources.items():
        if (quoted and by_name.search(text)) or (
                by_constant is not None and module in text and by_constant.search(text)):
            found.append(str(path.relative_to(ROOT)))
    return sorted(found)


def test_every_catalogue_is_found():
    kinds = {catalogue.object_kind for catalogue in every_catalogue()}
    assert {"server", "domain", "account", "preference", "log", "mailing list"} <= kinds
    assert {catalogue.object_kind for catalogue in schema_catalogues()} == kinds  # all in the README


def test_every_entry_has_an_effect_or_the_mark():
    missing = [f"{catalogue.object_kind} {entry.name}" for catalogue in every_catalogue() for entry in catalogue
               if not entry.effect.strip()]
    assert not missing, f"give these settings an effect, or NO_EFFECT, in their catalogue's effects: {missing}"


def test_a_marked_setting_is_read_by_no_code():
    sources = {path: path.read_text(encoding="utf-8") for path in code_files()}
    lying = {}
    shared = shared_names()
    for catalogue in every_catalogue():
        constants, module = constants_of(catalogue), schema_module_of(catalogue)
        for entry in catalogue:
            if entry.no_effect:
                allowed, _why = NAMED_NOT_READ.get((catalogue.object_kind, entry.name), (set(), ""))
                found = [path for path in readers(entry.name, sources, constants.get(entry.name, []), module,
                                                  quoted=entry.name.lower() not in shared) if path not in allowed]
                if found:
                    lying[f"{catalogue.object_kind} {entry.name}"] = found
    assert not lying, ("these settings are marked 'kept for compatibility, no effect here' but code reads them: "
                       f"say what they do in their catalogue's effects instead: {lying}")


def test_the_mark_check_finds_a_reader():
    """The check above is not vacuous: a setting the queue reads is found in the queue's code."""
    sources = {path: path.read_text(encoding="utf-8") for path in code_files()}
    assert "mailqueue/routing.py" in readers("MaxMessageSize", sources)
    assert "realms/auth.py" in readers("RequireAPOP", sources)
    from logs.settings_schema import LOG

    assert "logs/rotation.py" in readers("KeepDays", sources, constants_of(LOG)["KeepDays"], "logs.settings_schema",
                                         quoted=False)  # as KEEP_DAYS


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
