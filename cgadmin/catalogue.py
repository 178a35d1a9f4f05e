"""The settings catalogue: one entry per setting, and the layered effective values.

CommuniGate objects are dictionaries of settings whose defaults come in layers (server defaults,
domain defaults, the account template, then the object's own explicit values). Each entry says the
setting's type, default, group and label (as the seed's tables group them), the Interface Type level
that shows it, and the Domain Administrator right that guards it (by convention the setting's own
name). Pages, the CLI and the exporter all read settings through here, so they agree.

Values are kept as the client sent them (dataformat types): a `#10` stays a number and `"10"` a
string; the entry's type only decides whether the value is acceptable and how to interpret it.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from cgadmin.dataformat import Value
from cgadmin.errors import InvalidInput

DEFAULT = "default"  # in an Update command, this value removes the explicit key (spec/dataformat.md)
# The effect of a setting CommuniGate has and this server keeps (stored, exported, returned) but
# does not act on: shown next to it on its page so no administrator expects it to do something.
NO_EFFECT = "kept for compatibility, no effect here"


class Level(enum.IntEnum):
    """WebAdmin Interface Types: what a page shows, never what is allowed."""

    BASIC = 1
    ADVANCED = 2
    EXPERT = 3

    @classmethod
    def parse(cls, text: str) -> Level:
        try:
            return cls[str(text).upper()]
        except KeyError:
            raise InvalidInput(f"unknown Interface Type {text!r}: use Basic, Advanced or Expert")

    @property
    def label(self) -> str:
        return self.name.capitalize()


class Kind(enum.StrEnum):
    BOOL = "YES/NO"
    SIZE = "size"
    DURATION = "duration"
    FLOW = "flow"
    ENUM = "enum"
    STRING = "string"
    TEXT = "text"
    NUMBER = "number"
    LIST = "list"
    DICT = "dictionary"
    SERVICES = "services"  # All, None, or a list of service names (AccessModes): its entry brings the check
    COUNT = "count"  # a number of things, or unlimited (-1 in CommuniGate's files)
    PERCENT = "percent"  # a share of the quota, 0 to 100 (`90%`): its entry brings the check
    SHARE = "YES/NO/percent"  # NO, YES, or a share of the quota in percent (QuotaSuspend): its entry brings the check
    ANY = "any"


_SIZE = re.compile(r"^(\d+)([KMGT]?)$", re.IGNORECASE)
_DURATION = re.compile(r"^(\d+)([smhd]?)$")
_SIZE_FACTORS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
_DURATION_FACTORS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
UNLIMITED = "unlimited"
NEVER = "never"


def parse_size(value: Value) -> int | None:
    """Bytes of a size setting (`100K`, `10M`, `#1024`); None for unlimited."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        if value.lower() == UNLIMITED:
            return None
        match = _SIZE.match(value)
        if match:
            return int(match.group(1)) * _SIZE_FACTORS[match.group(2).upper()]
    raise InvalidInput(f"{value!r} is not a size: use a number with K, M, G or T, or unlimited")


def parse_duration(value: Value) -> int | None:
    """Seconds of a duration setting (`30s`, `5m`, `10h`, `15d`, `#60`); None for never."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        if value.lower() == NEVER:
            return None
        match = _DURATION.match(value)
        if match:
            return int(match.group(1)) * _DURATION_FACTORS[match.group(2)]
    raise InvalidInput(f"{value!r} is not a duration: use a number with s, m, h or d, or never")


def parse_flow(value: Value) -> tuple[int | None, int]:
    """(count per period, period seconds) of a flow setting; a count of None is unlimited."""
    if isinstance(value, list) and len(value) == 2:
        count_value, period_value = value
        count = _flow_count(count_value)
        period = parse_duration(period_value) if isinstance(period_value, str) else period_value
        if isinstance(period, int) and not isinstance(period, bool) and period > 0:
            return count, period
    raise InvalidInput(f"{value!r} is not a flow: use (count, period), e.g. (10, 1m)")


def _flow_count(value: Value) -> int | None:
    if isinstance(value, str) and value.lower() == UNLIMITED:
        return None
    try:
        count = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InvalidInput(f"{value!r} is not a flow count")
    return None if count < 0 else count


def parse_bool(value: Value) -> bool:
    if isinstance(value, str) and value.upper() in ("YES", "NO"):
        return value.upper() == "YES"
    raise InvalidInput(f"{value!r} is not YES or NO")


@dataclass(frozen=True)
class SettingDef:
    """One setting of one kind of object."""

    name: str
    kind: Kind
    default: Value
    group: str
    label: str
    level: Level = Level.ADVANCED
    # The Domain Administrator right that lets a Domain Administrator change it; None: server
    # administrators only. By convention the setting's own name (spec/rights.md).
    right: str | None = None
    choices: tuple[str, ...] | Callable[[], Iterable[str]] = ()
    help: str = ""
    max_length: int = 4096
    # Settings with a grammar of their own (service lists, address lists) bring their own check.
    check: Callable[[Value], Value] | None = None
    # What the setting does on this server, in a few words (the README's table), or NO_EFFECT.
    effect: str = ""

    @property
    def no_effect(self) -> bool:
        """Kept for compatibility only: this server stores it but nothing acts on it."""
        return self.effect == NO_EFFECT

    def choice_list(self) -> list[str]:
        return list(self.choices() if callable(self.choices) else self.choices)

    def validate(self, value: Value) -> Value:
        """The value to store, unchanged in type, or InvalidInput naming the setting."""
        try:
            return self._check(value)
        except InvalidInput as error:
            raise InvalidInput(f"{self.name}: {error.message}", field=self.name)

    def _check(self, value: Value) -> Value:
        kind = self.kind
        if self.check is not None:
            return self.check(value)
        if kind is Kind.ANY:
            return value
        if kind is Kind.COUNT:
            return check_count_or_unlimited(value)
        if kind is Kind.BOOL:
            parse_bool(value)
            return value.upper()  # type: ignore[union-attr]
        if kind is Kind.SIZE:
            parse_size(value)
        elif kind is Kind.DURATION:
            parse_duration(value)
        elif kind is Kind.FLOW:
            parse_flow(value)
        elif kind is Kind.ENUM:
            return self._check_choice(value)
        elif kind in (Kind.STRING, Kind.TEXT):
            self._check_string(value)
        elif kind is Kind.NUMBER:
            self._check_number(value)
        elif kind is Kind.LIST:
            if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
                raise InvalidInput(f"{value!r} is not a list of strings")
        elif kind is Kind.DICT and not isinstance(value, dict):
            raise InvalidInput(f"{value!r} is not a dictionary")
        return value

    def _check_choice(self, value: Value) -> Value:
        choices = self.choice_list()
        if isinstance(value, str):
            for choice in choices:
                if choice.lower() == value.lower():
                    return choice
        raise InvalidInput(f"{value!r} is not one of: {', '.join(choices)}")

    def _check_string(self, value: Value) -> None:
        if not isinstance(value, str):
            raise InvalidInput(f"{value!r} is not a string")
        if len(value) > self.max_length:
            raise InvalidInput(f"longer than {self.max_length} characters")
        if self.kind is Kind.STRING and ("\n" in value or "\r" in value):
            raise InvalidInput("must be one line")

    @staticmethod
    def _check_number(value: Value) -> None:
        if isinstance(value, bool):
            raise InvalidInput(f"{value!r} is not a number")
        if isinstance(value, int):
            return
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value):
            return
        raise InvalidInput(f"{value!r} is not a number")


@dataclass(frozen=True)
class Layer:
    """One layer of values on the way to an effective setting, named for the page."""

    source: str
    values: Mapping[str, Value]


@dataclass(frozen=True)
class EffectiveValue:
    value: Value
    source: str  # "default", "server defaults", "domain defaults", "template", "explicit"

    @property
    def explicit(self) -> bool:
        return self.source == "explicit"


@dataclass
class Catalogue:
    """The settings of one kind of object (the server, a domain, an account, preferences)."""

    object_kind: str
    entries: list[SettingDef]
    # Accounts keep custom and public info settings the catalogue does not name (BasicSettings).
    allow_custom: bool = False
    custom_right: str | None = None
    # Each entry's effect by name (or NO_EFFECT), kept beside the entries; see SettingDef.effect.
    effects: Mapping[str, str] = field(default_factory=dict)
    _by_name: dict[str, SettingDef] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = {name.lower() for name in self.effects} - {entry.name.lower() for entry in self.entries}
        if unknown:
            raise ValueError(f"effects of {self.object_kind} settings not catalogued: {sorted(unknown)}")
        by_lower = {name.lower(): text for name, text in self.effects.items()}
        self.entries = [replace(entry, effect=by_lower[entry.name.lower()]) if entry.name.lower() in by_lower
                        else entry for entry in self.entries]
        self._by_name = {}
        for entry in self.entries:
            key = entry.name.lower()
            if key in self._by_name:
                raise ValueError(f"{self.object_kind} setting {entry.name} is catalogued twice")
            self._by_name[key] = entry

    def __iter__(self) -> Iterator[SettingDef]:
        return iter(self.entries)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._by_name

    def get(self, name: str) -> SettingDef | None:
        return self._by_name.get(name.lower())

    def __getitem__(self, name: str) -> SettingDef:
        entry = self.get(name)
        if entry is None:
            raise KeyError(name)
        return entry

    def defaults(self) -> dict[str, Value]:
        return {entry.name: entry.default for entry in self.entries}

    def canonical_name(self, name: str) -> str:
        """The catalogue's spelling of a setting name; custom names stay as given."""
        entry = self.get(name)
        if entry is not None:
            return entry.name
        if self.allow_custom and name:
            return name
        raise InvalidInput(f"unknown {self.object_kind} setting {name!r}", field=name)

    def right_for(self, name: str) -> str | None:
        """The Domain Administrator right that guards this setting (None: server administrators)."""
        entry = self.get(name)
        return entry.right if entry is not None else self.custom_right

    def validate_value(self, name: str, value: Value) -> Value:
        entry = self.get(name)
        return entry.validate(value) if entry is not None else value

    def validate_update(self, updates: Mapping[str, Value]) -> dict[str, Value]:
        """Canonical names and checked values; `default` and `#NULL#` are kept to mean "remove"."""
        checked: dict[str, Value] = {}
        for name, value in updates.items():
            canonical = self.canonical_name(name)
            checked[canonical] = DEFAULT if removes_key(value) else self.validate_value(canonical, value)
        return checked

    def validate_all(self, settings: Mapping[str, Value]) -> dict[str, Value]:
        """A whole replacement dictionary (a Set command): `default` is not meaningful there."""
        checked = self.validate_update(settings)
        return {name: value for name, value in checked.items() if value != DEFAULT}

    def groups(self, level: Level = Level.EXPERT) -> list[tuple[str, list[SettingDef]]]:
        """Entries shown at this Interface Type, grouped in catalogue order."""
        grouped: dict[str, list[SettingDef]] = {}
        for entry in self.entries:
            if entry.level <= level:
                grouped.setdefault(entry.group, []).append(entry)
        return list(grouped.items())


def removes_key(value: Value) -> bool:
    """Whether an Update's value removes the key: `default`, or `#NULL#` as CommuniGate clients send
    it (a control-panel plug-in clears RealName with `RealName=#NULL#` next to a new quota)."""
    return value is None or value == DEFAULT


def apply_update(explicit: Mapping[str, Value], checked: Mapping[str, Value]) -> dict[str, Value]:
    """The explicit settings after an Update: `default` removes a key, other values replace it."""
    result = dict(explicit)
    for name, value in checked.items():
        if value == DEFAULT:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def effective(catalogue: Catalogue, layers: Iterable[Layer]) -> dict[str, EffectiveValue]:
    """Defaults, then each layer in order; a later layer wins. One function for every object."""
    merged = {entry.name: EffectiveValue(entry.default, "default") for entry in catalogue}
    for layer in layers:
        for name, value in layer.values.items():
            merged[name] = EffectiveValue(value, layer.source)
    return merged


def effective_value(catalogue: Catalogue, layers: Sequence[Layer], name: str) -> Value:
    """One setting in force, as effective() gives it, without computing every other: the last layer
    that has it, else the catalogue's default (a list page asks this once a row)."""
    for layer in reversed(layers):
        if name in layer.values:
            return layer.values[name]
    return catalogue[name].default


def effective_with_inherited(
    catalogue: Catalogue, below: list[Layer], own: Mapping[str, Value]
) -> tuple[dict[str, EffectiveValue], dict[str, EffectiveValue]]:
    """(the values in force with `own` as the explicit layer, the values `below` alone gives): what a
    settings page shows, and what its "default" switches fall back to."""
    return effective(catalogue, [*below, Layer("explicit", own)]), effective(catalogue, below)


def effective_values(catalogue: Catalogue, layers: Iterable[Layer]) -> dict[str, Value]:
    """The effective settings as a plain dictionary (GetAccountEffectiveSettings and friends)."""
    return {name: item.value for name, item in effective(catalogue, layers).items()}


def check_count_or_unlimited(value: Value) -> Value:
    """A limit on a number of things: a non-negative number, or `unlimited` / -1 (CommuniGate's files
    write `"-1"`), kept as the client wrote it."""
    if isinstance(value, str) and (value.lower() == UNLIMITED or value.isdigit() or value == "-1"):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and value >= -1:
        return value
    raise InvalidInput(f"{value!r} is not a count: use a number, or unlimited (-1)")


def count_limit(value: Value) -> int | None:
    """The number a count setting allows; None when unlimited (`unlimited`, -1, or no value)."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if text.isdigit() else None


def choice_checker(choices: Iterable[str]) -> Callable[[Value], Value]:
    """One of the words, matched in any case and kept in the catalogue's spelling."""
    known = {choice.lower(): choice for choice in choices}

    def check(value: Value) -> Value:
        if isinstance(value, str) and value.lower() in known:
            return known[value.lower()]
        raise InvalidInput(f"{value!r} is not one of: {', '.join(known.values())}")

    return check


def check_percent(value: Value) -> Value:
    """A percentage of a quota, `90` or `90%`."""
    text = str(value).rstrip("%") if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if text.isdigit() and 0 <= int(text) <= 100:
        return value
    raise InvalidInput(f"{value!r} is not a percentage from 0 to 100")


def services_checker(services: Iterable[str]) -> Callable[[Value], Value]:
    """Enabled Services: `All`, `None`, or a list of service names."""
    known = {name.lower(): name for name in services}

    def check(value: Value) -> Value:
        if isinstance(value, str) and value.lower() in ("all", "none"):
            return value.capitalize()
        if isinstance(value, list):
            unknown = [item for item in value if not isinstance(item, str) or item.lower() not in known]
            if not unknown:
                return [known[item.lower()] for item in value if isinstance(item, str)]
            raise InvalidInput(f"unknown services {unknown!r}: use {', '.join(known.values())}")
        raise InvalidInput(f"{value!r} is not All, None or a list of services")

    return check
