"""Real controls for settings whose kind the catalogue knows: a checkbox grid for a set of services,
a number and a unit for sizes and time spans, a number or unlimited for counts, No/Yes/a percentage
for a share of the quota, two fields for flow limits, a key/value editor for dictionaries.

Each control reads and writes the setting's data-format text (what `settingsform.value_text` shows
and `parse_text` reads), so everything after the widget (validation, the concurrent-edit digest,
the service) sees the same text whether a person used the control or a script posted `s_<Name>`.
The control's inputs are named `s_<Name>:<part>`, with a marker `s_<Name>:c` saying the control was
on the page (a checkbox grid with nothing ticked sends nothing else). Controls left as shown give
back exactly the text that was shown (`#60` stays a number even though the control would write
`60s`), and Expert pages add the data-format text itself: typed over, it wins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cgadmin import dataformat
from cgadmin.catalogue import NEVER, UNLIMITED, Kind
from cgadmin.dataformat import Value

SIZE_UNITS = ("", "K", "M", "G", "T")
COUNT_LIMITED = "#"  # the count control's choice for "the number typed"
PERCENT = "%"
SHARE_CHOICES = ("NO", "YES", PERCENT)
DURATION_UNITS = ("s", "m", "h", "d")
NEW_ROWS = 2  # empty key/value rows a dictionary editor offers for new keys
STRUCTURED = tuple("({[#\"")
UNIT_LABELS = {
    "": gettext_lazy("bytes"), "K": "K", "M": "M", "G": "G", "T": "T", UNLIMITED: gettext_lazy("unlimited"),
    "s": gettext_lazy("seconds"), "m": gettext_lazy("minutes"), "h": gettext_lazy("hours"),
    "d": gettext_lazy("days"), NEVER: gettext_lazy("never"),
    COUNT_LIMITED: gettext_lazy("at most"), "NO": gettext_lazy("No"), "YES": gettext_lazy("Yes"),
    PERCENT: gettext_lazy("from a share of the quota (%)"),
}
CONTROL_KINDS = (Kind.SIZE, Kind.DURATION, Kind.COUNT, Kind.PERCENT, Kind.SHARE, Kind.FLOW, Kind.SERVICES,
                 Kind.DICT)
NUMBER_KINDS = (Kind.SIZE, Kind.DURATION, Kind.COUNT, Kind.PERCENT, Kind.SHARE)  # a number (and a choice beside it)


def _split_number(text: str, units: Sequence[str], default_unit: str) -> tuple[str, str]:
    """`10M` -> ("10", "M"); `#60` -> ("60", default unit); anything else -> ("", default unit)."""
    text = text.strip().lstrip("#")
    digits = text.rstrip("".join(units) + "".join(unit.lower() for unit in units if unit))
    unit = text[len(digits):]
    if not digits.isdigit():
        return "", default_unit
    for known in units:
        if known.lower() == unit.lower():
            return digits, known
    return digits, default_unit


def split_size(text: str) -> tuple[str, str]:
    if text.strip().lower() == UNLIMITED:
        return "", UNLIMITED
    return _split_number(text, SIZE_UNITS, "")


def split_duration(text: str) -> tuple[str, str]:
    if text.strip().lower() == NEVER:
        return "", NEVER
    return _split_number(text, DURATION_UNITS, "s")


def split_count(text: str) -> tuple[str, str]:
    """`25` / `#25` -> ("25", limited); `unlimited` / `-1` -> ("", unlimited)."""
    text = text.strip().lstrip("#")
    if text.lower() == UNLIMITED or text == "-1":
        return "", UNLIMITED
    return (text if text.isdigit() else ""), COUNT_LIMITED


def join_count(number: str, choice: str) -> str:
    return UNLIMITED if choice == UNLIMITED else number.strip()


def split_share(text: str) -> tuple[str, str]:
    """`NO` -> ("", NO); `95%` / `95` -> ("95", %)."""
    word = text.strip().upper()
    if word in ("YES", "NO"):
        return "", word
    digits = word.lstrip("#").rstrip("%")
    return (digits, PERCENT) if digits.isdigit() else ("", "NO")


def split_percent(text: str) -> str:
    """`90%` / `90` -> "90"; anything else -> ""."""
    digits = text.strip().lstrip("#").rstrip("%").strip()
    return digits if digits.isdigit() else ""


def join_percent(number: str) -> str:
    return f"{number.strip()}{PERCENT}"


def join_share(number: str, choice: str) -> str:
    return f"{number.strip()}{PERCENT}" if choice == PERCENT else choice


def join_number(number: str, unit: str, endless: str) -> str:
    """The data-format text of a number and unit (`unlimited` / `never` when that unit is chosen)."""
    return endless if unit == endless else f"{number.strip()}{unit}"


def _loads(text: str) -> Any:
    try:
        return dataformat.loads(text)
    except dataformat.DataFormatError:
        return None


def split_flow(text: str) -> tuple[str, str, str]:
    """`(10,10m)` -> ("10", "10", "m"); an unlimited count is ""."""
    value = _loads(text)
    if not (isinstance(value, list) and len(value) == 2):
        return "", "1", "h"
    count, period = (item if isinstance(item, str) else dataformat.dumps(item) for item in value)
    count = "" if count.lower() == UNLIMITED or count.lstrip("#") == "-1" else count.lstrip("#")
    return (count, *split_duration(period))


def join_flow(count: str, number: str, unit: str) -> str:
    return dataformat.dumps([count.strip() or UNLIMITED, join_number(number, unit, NEVER)])


def split_services(text: str, services: Sequence[str]) -> list[str]:
    """The services a value enables, in catalogue order."""
    word = text.strip().lower()
    if word == "all":
        return list(services)
    value = _loads(text) if text.strip()[:1] in STRUCTURED else None
    chosen = {str(item).lower() for item in value} if isinstance(value, list) else set()
    return [service for service in services if service.lower() in chosen]


def join_services(chosen: Sequence[str], services: Sequence[str]) -> str:
    """All ticked: `All`; none: `None`; else the list in catalogue order."""
    picked: list[Value] = [service for service in services if service in set(chosen)]
    if len(picked) == len(services):
        return "All"
    return dataformat.dumps(picked) if picked else "None"


def entry_text(value: Any) -> str:
    """A dictionary entry's value as its editor shows it: strings as typed, unless they would read
    as structured data (then quoted), anything else in data format."""
    if isinstance(value, str):
        return dataformat.dumps(value) if value[:1] in STRUCTURED else value
    return dataformat.dumps(value)


def entry_value(text: str) -> Any:
    text = text.strip()
    if text[:1] in STRUCTURED:
        value = _loads(text)
        if value is not None:
            return value
    return text


def split_dict(text: str) -> list[tuple[str, str]]:
    value = _loads(text) if text.strip() else {}
    if not isinstance(value, dict):
        return []
    return [(str(key), entry_text(item)) for key, item in value.items()]


def join_dict(rows: Sequence[tuple[str, str]]) -> str:
    return dataformat.dumps({key.strip(): entry_value(item) for key, item in rows if key.strip()})


class SettingControl(forms.Widget):
    """The control of one setting of a known kind; its value is the setting's data-format text."""

    def __init__(self, kind: Kind, *, label: str, choices: Sequence[str] = (), expert: bool = False,
                 shown: str = "") -> None:
        super().__init__()
        self.kind, self.label, self.choices, self.expert = kind, label, list(choices), expert
        self.shown = shown  # the text the page showed: controls left alone give exactly this back

    # -- reading a post ---------------------------------------------------------------------------

    def value_from_datadict(self, data: Mapping[str, Any], files: Any, name: str) -> str | None:
        raw = data.get(name)
        if f"{name}:c" not in data:
            return raw  # posted as data-format text (a script, a test, an Expert page without the control)
        if raw is not None and _normal(raw) != _normal(self.shown):
            return raw  # the Expert's data-format text was typed over: it wins
        composed = self.compose(data, name)
        return self.shown if composed == self.recompose(self.shown) else composed

    def value_omitted_from_data(self, data: Mapping[str, Any], files: Any, name: str) -> bool:
        return name not in data and f"{name}:c" not in data

    def compose(self, data: Mapping[str, Any], name: str) -> str:
        """The data-format text the control's inputs say."""
        part = lambda key: str(data.get(f"{name}:{key}", ""))  # noqa: E731
        if self.kind is Kind.SIZE:
            return join_number(part("n"), part("u"), UNLIMITED)
        if self.kind is Kind.DURATION:
            return join_number(part("n"), part("u"), NEVER)
        if self.kind is Kind.COUNT:
            return join_count(part("n"), part("u"))
        if self.kind is Kind.PERCENT:
            return join_percent(part("n"))
        if self.kind is Kind.SHARE:
            return join_share(part("n"), part("u"))
        if self.kind is Kind.FLOW:
            return join_flow(part("count"), part("n"), part("u"))
        if self.kind is Kind.SERVICES:
            ticked = data.getlist(f"{name}:s") if hasattr(data, "getlist") else data.get(f"{name}:s", [])
            return join_services([str(item) for item in ticked], self.choices)
        rows = int(part("rows")) if part("rows").isdigit() else 0
        return join_dict([(part(f"k{index}"), part(f"v{index}")) for index in range(min(rows, 1000))])

    def recompose(self, text: str) -> str:
        """What the control writes for a text it was given, untouched."""
        if self.kind is Kind.SIZE:
            return join_number(*split_size(text), UNLIMITED)
        if self.kind is Kind.DURATION:
            return join_number(*split_duration(text), NEVER)
        if self.kind is Kind.COUNT:
            return join_count(*split_count(text))
        if self.kind is Kind.PERCENT:
            return join_percent(split_percent(text))
        if self.kind is Kind.SHARE:
            return join_share(*split_share(text))
        if self.kind is Kind.FLOW:
            return join_flow(*split_flow(text))
        if self.kind is Kind.SERVICES:
            return join_services(split_services(text, self.choices), self.choices)
        return join_dict(split_dict(text))

    # -- drawing it -------------------------------------------------------------------------------

    def id_for_label(self, id_: str) -> str:
        if self.kind in NUMBER_KINDS:
            return f"{id_}_n"
        return f"{id_}_count" if self.kind is Kind.FLOW else ""  # a grid or a table: labelled by the row's name

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None) -> SafeString:
        attrs = attrs or {}
        text = "" if value is None else str(value)
        base = str(attrs.get("id") or f"id_{name}")
        off = mark_safe(" disabled") if attrs.get("disabled") else ""
        parts: list[str] = [format_html('<input type="hidden" name="{}:c" value="1"{}>', name, off)]
        if self.kind is Kind.SIZE:
            parts.append(self._number_unit(name, base, *split_size(text), (*SIZE_UNITS, UNLIMITED), off))
        elif self.kind is Kind.DURATION:
            parts.append(self._number_unit(name, base, *split_duration(text), (*DURATION_UNITS, NEVER), off))
        elif self.kind is Kind.COUNT:
            number, choice = split_count(text)
            parts.append(self._unit_select(name, base, choice, (COUNT_LIMITED, UNLIMITED), off, "", first=True))
            parts.append(self._number(name, f"{base}_p", number, off, _("%(setting)s: number") % {
                "setting": self.label}))
        elif self.kind is Kind.PERCENT:
            parts.append(self._number(name, f"{base}_n", split_percent(text), off, maximum=100))
            parts.append(mark_safe('<span class="unit" aria-hidden="true">%</span>'))
        elif self.kind is Kind.SHARE:
            number, choice = split_share(text)
            parts.append(self._unit_select(name, base, choice, SHARE_CHOICES, off, "", first=True))
            parts.append(self._number(name, f"{base}_p", number, off, _("%(setting)s: percent of the quota") % {
                "setting": self.label}, maximum=100))
        elif self.kind is Kind.FLOW:
            parts.append(self._flow(name, base, text, off))
        elif self.kind is Kind.SERVICES:
            parts.append(self._services(name, base, text, off))
        else:
            parts.append(self._dictionary(name, base, text, off))
        if self.expert:
            parts.append(format_html(
                '<span class="data-format"><label for="{}">{}</label> <input type="text" name="{}"{} id="{}" '
                'value="{}" spellcheck="false" aria-label="{}"></span>',
                base, _("data format"), name, off, base, text, _("%(setting)s: data format") % {"setting": self.label}))
        return format_html('<span class="control control-{}">{}</span>', self.kind.name.lower(),
                           mark_safe("".join(parts)))

    def _unit_select(self, name: str, base: str, unit: str, units: Sequence[str], off: str, label: str,
                     first: bool = False) -> str:
        """The choice beside the number; `first` when it leads (then the row's name labels it)."""
        options = format_html_join("", '<option value="{}"{}>{}</option>', (
            (choice, mark_safe(" selected") if choice == unit else "", UNIT_LABELS[choice]) for choice in units))
        select_id = f"{base}_n" if first else f"{base}_u"
        labelled = "" if first else format_html(' aria-label="{}"', label)
        return format_html('<select name="{}:u" id="{}"{}{}>{}</select>', name, select_id, labelled, off, options)

    def _number(self, name: str, number_id: str, number: str, off: str, number_label: str = "",
                maximum: int | None = None) -> str:
        labelled = format_html(' aria-label="{}"', number_label) if number_label else ""
        top = format_html(' max="{}"', maximum) if maximum is not None else ""
        return format_html(
            '<input type="number" min="0"{} step="1" inputmode="numeric" name="{}:n" id="{}" value="{}" '
            'class="number"{}{}>', top, name, number_id, number, labelled, off)

    def _number_unit(self, name: str, base: str, number: str, unit: str, units: Sequence[str], off: str,
                     number_label: str = "") -> str:
        return self._number(name, f"{base}_n", number, off, number_label) + self._unit_select(
            name, base, unit, units, off, _("%(setting)s: unit") % {"setting": self.label})

    def _flow(self, name: str, base: str, text: str, off: str) -> str:
        count, number, unit = split_flow(text)
        period = self._number_unit(name, base, number, unit, DURATION_UNITS, off,
                                   _("%(setting)s: period") % {"setting": self.label})
        return format_html(
            '<input type="number" min="0" step="1" inputmode="numeric" name="{}:count" id="{}_count" value="{}" '
            'class="number count" placeholder="{}"{}> <span>{}</span> {}',
            name, base, count, _("unlimited"), off, _("per"), period)

    def _services(self, name: str, base: str, text: str, off: str) -> str:
        chosen = set(split_services(text, self.choices))
        boxes = format_html_join("", '<label><input type="checkbox" name="{}:s" value="{}"{}{}> {}</label>', (
            (name, service, mark_safe(" checked") if service in chosen else "", off, service)
            for service in self.choices))
        return format_html('<span class="checks" role="group" aria-labelledby="{}_label">{}</span>', base, boxes)

    def _dictionary(self, name: str, base: str, text: str, off: str) -> str:
        rows = [*split_dict(text), *[("", "")] * NEW_ROWS]
        body = []
        for index, (key, item) in enumerate(rows):
            value_input = self._entry_input(name, index, item, off)
            body.append(format_html(
                '<tr><td><input type="text" name="{}:k{}" value="{}" aria-label="{}"{}></td><td>{}</td></tr>',
                name, index, key, _("%(setting)s: key %(number)s") % {"setting": self.label, "number": index + 1},
                off, value_input))
        return format_html(
            '<input type="hidden" name="{}:rows" value="{}"{}><table class="pairs"><thead><tr><th scope="col">{}'
            '</th><th scope="col">{}</th></tr></thead><tbody>{}</tbody></table>',
            name, len(rows), off, _("Key"), _("Value"), mark_safe("".join(body)))

    def _entry_input(self, name: str, index: int, item: str, off: str) -> str:
        label = _("%(setting)s: value %(number)s") % {"setting": self.label, "number": index + 1}
        if self.choices and (item == "" or item.lstrip("#").isdigit()):
            number = item.lstrip("#")
            options = format_html_join("", '<option value="{}"{}>{}</option>', (
                (f"#{level}", mark_safe(" selected") if str(level) == number else "", _(level_name))
                for level, level_name in enumerate(self.choices)))
            return format_html('<select name="{}:v{}" aria-label="{}"{}><option value=""></option>{}</select>',
                               name, index, label, off, options)
        return format_html('<input type="text" name="{}:v{}" value="{}" aria-label="{}"{}>',
                           name, index, item, label, off)


def _normal(text: str) -> str:
    return str(text).replace("\r\n", "\n").strip()
