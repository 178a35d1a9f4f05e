"""The Log Manager settings (Settings/Log.settings): per-component levels, rotation, retention.

The SYSTEM component's level is the General page's Server Internals Log (Main.settings LogLevel):
GetLogSettings shows it among the levels and UpdateLogSettings writes it there, so the two never
disagree."""

from __future__ import annotations

import re

from cgadmin.catalogue import Catalogue, Kind, Level, SettingDef, parse_duration, parse_size
from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput
from logs.serverlog import LEVEL_NAMES

LEVELS = "Levels"
ROTATION_PERIOD = "RotationPeriod"
ROTATION_SIZE = "RotationSize"
KEEP_DAYS = "KeepDays"
SYSTEM_TAG = "SYSTEM"
MIN_ROTATION_SECONDS = 3600
MIN_ROTATION_SIZE = 64 * 1024
_TAG = re.compile(r"^[A-Z][A-Z0-9_]{0,31}$")


def parse_level(value: Value) -> int:
    """A level digit 0-5, sent as a number or a string."""
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if text.isdigit() and int(text) < len(LEVEL_NAMES):
        return int(text)
    raise InvalidInput(f"{value!r} is not a log level: use 0 to 5 ({', '.join(LEVEL_NAMES)})")


def check_levels(value: Value) -> dict[str, Value]:
    """{TAG = level; ...}: component tags in capitals, levels 0-5 (`default` removes one)."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{value!r} is not a dictionary of component levels, e.g. {{CLI = 3;}}")
    checked: dict[str, Value] = {}
    for tag, level in value.items():
        name = str(tag).upper()
        if not _TAG.match(name):
            raise InvalidInput(f"{tag!r} is not a component name")
        checked[name] = "default" if level == "default" else parse_level(level)
    return checked


def check_rotation_period(value: Value) -> Value:
    seconds = parse_duration(value)
    if seconds is not None and seconds < MIN_ROTATION_SECONDS:
        raise InvalidInput(f"{value!r} is too short: start a new file at most every hour (1h), or never")
    return value


def check_rotation_size(value: Value) -> Value:
    size = parse_size(value)
    if size is not None and size < MIN_ROTATION_SIZE:
        raise InvalidInput(f"{value!r} is too small: use at least 64K, or unlimited")
    return value


def check_keep_days(value: Value) -> Value:
    text = str(value) if isinstance(value, (int, str)) and not isinstance(value, bool) else ""
    if text.isdigit():
        return int(text)
    raise InvalidInput(f"{value!r} is not a number of days (0 keeps every file)")


GROUP = "Log Manager"

LOG = Catalogue(
    "log",
    [
        SettingDef(LEVELS, Kind.DICT, {}, GROUP, "Component Log Levels", Level.BASIC, check=check_levels,
                   choices=LEVEL_NAMES,
                   help="Each component's level: 0 None, 1 Crashes, 2 Major, 3 Problems, 4 Low-Level, 5 All Info."),
        SettingDef(ROTATION_PERIOD, Kind.DURATION, "24h", GROUP, "Start a New File Every", Level.BASIC,
                   check=check_rotation_period, help="A new file at least this often (1h or more), or never."),
        SettingDef(ROTATION_SIZE, Kind.SIZE, "100M", GROUP, "Start a New File Above", Level.BASIC,
                   check=check_rotation_size, help="A new file when the current one grows past this size."),
        SettingDef(KEEP_DAYS, Kind.NUMBER, 30, GROUP, "Delete Files Older Than (days)", Level.BASIC,
                   check=check_keep_days, help="Files of days further back are deleted; 0 keeps them all."),
    ],
    effects={
        LEVELS: "what each component records in the Server Log",
        ROTATION_PERIOD: "the Server Log starts a new file this often",
        ROTATION_SIZE: "the Server Log starts a new file above this size",
        KEEP_DAYS: "older Server Log files are deleted",
    },
)
