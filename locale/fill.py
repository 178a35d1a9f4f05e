"""Fill locale/<lang>/LC_MESSAGES/django.po from locale/translations.py (run by `make messages`).

    python locale/fill.py        fills every msgstr it has a translation for, and lists the rest

Exits non-zero when a msgid has no translation, so `make messages` shows what to add."""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from translations import T  # noqa: E402

LANGUAGES = {"de": 0, "ru": 1}
ENTRY = re.compile(r'^(msgid (?:"(?:[^"\\]|\\.)*"\n)+)(msgstr (?:"(?:[^"\\]|\\.)*"\n)+)', re.MULTILINE)


FUZZY = re.compile(r"^#,(.*)\n", re.MULTILINE)


def unfuzzy(match: re.Match) -> str:
    """The flags line without "fuzzy" (makemessages writes e.g. "#, fuzzy, python-format")."""
    flags = [flag.strip() for flag in match.group(1).split(",") if flag.strip() and flag.strip() != "fuzzy"]
    return f"#, {', '.join(flags)}\n" if flags else ""


def unquote(block: str) -> str:
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
    return "".join(parts).replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(po: Path, column: int) -> list[str]:
    missing: list[str] = []

    def replace(match: re.Match) -> str:
        msgid = unquote(match.group(1)[len("msgid "):])
        if not msgid:
            return match.group(0)  # the header
        if msgid not in T:
            missing.append(msgid)
            return match.group(0)
        return f"{match.group(1)}msgstr {quote(T[msgid][column])}\n"

    text = ENTRY.sub(replace, po.read_text())
    text = FUZZY.sub(unfuzzy, text)  # every entry is filled from the table, never guessed
    po.write_text(text)
    return missing


def main() -> int:
    missing: set[str] = set()
    for language, column in LANGUAGES.items():
        missing.update(fill(HERE / language / "LC_MESSAGES" / "django.po", column))
    for msgid in sorted(missing):
        print(f"no translation for {msgid!r}: add it to locale/translations.py")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
