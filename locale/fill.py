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
ENTRY = re.compile(r'^(msgctxt (?:"(?:[^"\\]|\\.)*"\n)+)?(msgid (?:"(?:[^"\\]|\\.)*"\n)+)'
                   r'(msgstr (?:"(?:[^"\\]|\\.)*"\n)+)', re.MULTILINE)
# A text with a context ({% translate "From" context "sender of a message" %}) is listed in the table
# as "context\x04msgid", gettext's own spelling, so one English word can have several translations.
CONTEXT = "\x04"


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
        context, msgid_block = match.group(1) or "", match.group(2)
        msgid = unquote(msgid_block[len("msgid "):])
        if not msgid:
            return match.group(0)  # the header
        key = f"{unquote(context[len('msgctxt '):])}{CONTEXT}{msgid}" if context else msgid
        if key not in T:
            missing.append(key)
            return match.group(0)
        return f"{context}{msgid_block}msgstr {quote(T[key][column])}\n"

    text = ENTRY.sub(replace, po.read_text())
    text = FUZZY.sub(unfuzzy, text)  # every entry is filled from the table, never guessed
    text = re.sub(r"^#\| .*\n", "", text, flags=re.MULTILINE)  # the guess's source, with the guess gone
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
