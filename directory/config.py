"""The directory's server-wide settings: which account settings are public info.

Kept in the server document "DirectorySettings": {PublicInfo = (title, telephoneNumber, ...);}.
RealName is always public (it is a record's own column); the PublicInfo list names the other
account settings, usually custom ones, that the directory copies into each account's record."""

from __future__ import annotations

import re

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from server import documents

SETTINGS_DOCUMENT = "DirectorySettings"
PUBLIC_INFO = "PublicInfo"
MAX_PUBLIC_INFO = 64
# Setting names as the account catalogue accepts custom ones: letters, digits and a few marks.
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]{0,63}$")
# The record's own columns: never copied from the settings a second time.
RESERVED_NAMES = frozenset({"name", "realname", "email", "domain", "aliases", "password"})


def public_info_names(settings: dict[str, Value] | None = None) -> list[str]:
    """The account settings (besides RealName) every record carries, as the PublicInfo list spells them."""
    values = documents.read(SETTINGS_DOCUMENT) if settings is None else settings
    names = values.get(PUBLIC_INFO) or []
    return [str(name) for name in names] if isinstance(names, list) else []


def check_attribute_name(name: str, *, field: str) -> str:
    text = str(name).strip()
    if not _ATTRIBUTE_NAME.match(text):
        raise InvalidInput(
            f"{text!r} is not an attribute name: use a letter, then letters, digits, '.', '-' or '_' "
            "(up to 64 characters)",
            field=field,
        )
    return text


def checked_public_info(names: list[str]) -> list[str]:
    """The PublicInfo list to store: valid setting names, each once, not the record's own columns."""
    result: list[str] = []
    for raw in names:
        if not str(raw).strip():
            continue
        name = check_attribute_name(raw, field=PUBLIC_INFO)
        if name.lower() in RESERVED_NAMES:
            raise InvalidInput(f"{name} is always part of a record: leave it out of the PublicInfo list",
                               field=PUBLIC_INFO)
        if name.lower() in (item.lower() for item in result):
            raise InvalidInput(f"{name} is listed twice", field=PUBLIC_INFO)
        result.append(name)
    if len(result) > MAX_PUBLIC_INFO:
        raise InvalidInput(f"at most {MAX_PUBLIC_INFO} public info settings", field=PUBLIC_INFO)
    return result
