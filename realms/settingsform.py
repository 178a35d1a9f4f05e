"""One form for every settings page, built from the catalogue.

Settings are grouped as the catalogue groups them and filtered by the administrator's Interface
Type; a setting the administrator may not change is shown read-only. Where the object has inherited
values, each setting has a "default" switch that removes the explicit value, and the page shows where
a value comes from.

What a POST may change does not depend on what the page shows: a setting above the administrator's
Interface Type that is posted anyway is handled like a shown one (the level never changes what is
allowed), and a read-only setting posted with a new value (a doctored form: browsers never send a
disabled field) goes to the service like any change, which refuses it, so nothing is saved and the
page answers 403. A setting that is not posted keeps its value.

Concurrent edits: each setting carries `o_<Name>`, a digest of what the page showed (the value and
the default switch). A setting posted as it was shown is no change, whatever its value is now, so a
page loaded before another administrator's change never writes back the old value; a setting the
user changed that someone else changed too since the page was shown is refused, naming it."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from cgadmin import dataformat
from cgadmin.catalogue import DEFAULT, Catalogue, EffectiveValue, Kind, Level, SettingDef
from cgadmin.dataformat import Value
from cgadmin.errors import CGError, InvalidInput
from realms.controls import CONTROL_KINDS, SettingControl

YES_NO = (("YES", gettext_lazy("Yes")), ("NO", gettext_lazy("No")))
SOURCE_LABELS = {"default": gettext_noop("default"), "explicit": gettext_noop("explicit"),
                 "server defaults": gettext_noop("server defaults"), "domain defaults": gettext_noop("domain defaults"),
                 "template": gettext_noop("template")}


def value_text(definition: SettingDef | None, value: Value) -> str:
    """A value as the form shows it."""
    kind = definition.kind if definition else Kind.ANY
    if isinstance(value, str) and kind is not Kind.ANY:
        return value
    if kind is Kind.LIST and isinstance(value, list):
        return "\n".join(str(item) for item in value)
    if kind is Kind.NUMBER and isinstance(value, int):
        return str(value)
    return dataformat.dumps(value)


def value_label(definition: SettingDef, value: Value) -> str:
    """A value as a read-only line shows it: a numbered choice (a log level) by its name, Yes/No in the
    page's language, anything else as the form shows it."""
    text = value_text(definition, value)
    if definition.kind is Kind.NUMBER and definition.choices:
        names = definition.choice_list()
        number = text.lstrip("#")
        if number.isdigit() and int(number) < len(names):
            return _(names[int(number)])
    if definition.kind is Kind.BOOL and text.upper() in ("YES", "NO"):
        return str(dict(YES_NO)[text.upper()])
    return text


def parse_text(definition: SettingDef, text: str) -> Value:
    """A form's text as the setting's value (data format where the setting is structured)."""
    text = text.strip() if definition.kind is not Kind.TEXT else text.replace("\r\n", "\n")
    kind = definition.kind
    if kind is Kind.LIST:
        return [line.strip() for line in text.splitlines() if line.strip()]
    if kind is Kind.NUMBER and text.lstrip("-").isdigit():
        return int(text)
    numeric = (Kind.NUMBER, Kind.SIZE, Kind.DURATION, Kind.COUNT)
    if kind in numeric and text[:1] == "#" and text[1:].lstrip("-").isdigit():
        return int(text[1:])  # a number in data format, as the page shows one
    if kind in (Kind.FLOW, Kind.DICT) or (kind in (Kind.ANY, Kind.SERVICES) and text[:1] in "({[#\""):
        try:
            return dataformat.loads(text)
        except dataformat.DataFormatError as error:
            raise InvalidInput(f"{definition.name}: {error}", field=definition.name)
    return text


class _FieldOptions(TypedDict):
    """What every setting's form field is given, whatever its kind."""

    label: str
    required: bool
    disabled: bool
    help_text: str


def _field_for(definition: SettingDef, disabled: bool, level: Level, shown: str) -> forms.Field:
    common = _FieldOptions(label=definition.label, required=False, disabled=disabled, help_text=definition.help)
    if definition.kind in CONTROL_KINDS:
        control = SettingControl(definition.kind, label=_(definition.label),
                                 choices=definition.choice_list(), expert=level >= Level.EXPERT, shown=shown)
        return forms.CharField(widget=control, strip=False, **common)
    if definition.kind is Kind.BOOL:
        return forms.ChoiceField(choices=YES_NO, **common)
    if definition.kind is Kind.ENUM:
        choices = [(choice, choice) for choice in definition.choice_list()]
        return forms.ChoiceField(choices=choices, **common)
    if definition.kind is Kind.NUMBER and definition.choices:
        # Numbered choices (log levels): the names are shown, the number is kept; the catalogue checks it.
        numbered = [(str(number), _(name)) for number, name in enumerate(definition.choice_list())]
        return forms.CharField(widget=forms.Select(choices=numbered), **common)
    if definition.kind in (Kind.TEXT, Kind.LIST, Kind.DICT):
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), strip=False, **common)
    return forms.CharField(max_length=definition.max_length, **common)


@dataclass
class Row:
    definition: SettingDef
    field: forms.BoundField
    default_field: forms.BoundField | None
    current: EffectiveValue
    inherited: EffectiveValue | None
    editable: bool
    original: str = ""  # what the page shows, as a digest (concurrent edits)

    @property
    def inherited_text(self) -> str:
        return value_label(self.definition, self.inherited.value) if self.inherited else ""

    @property
    def default_text(self) -> str:
        """The catalogue's own default (what a value falls back to when no layer sets one)."""
        return value_text(self.definition, self.definition.default)

    @property
    def effective_text(self) -> str:
        return value_text(self.definition, self.current.value)

    @property
    def source(self) -> str:
        return self.current.source

    @property
    def source_label(self) -> str:
        """Where the value in force comes from, in the page's words."""
        source = self.current.source
        if source.startswith("class "):
            return _("class %(name)s") % {"name": source.removeprefix("class ")}
        return _(SOURCE_LABELS.get(source, source))

    @property
    def source_class(self) -> str:
        return self.current.source.split(" ")[0]


class SettingsForm(forms.Form):
    """Fields `s_<Name>` (the value) and `d_<Name>` (use the default) for each shown setting."""

    def __init__(
        self,
        data: Mapping | None = None,
        *,
        catalogue: Catalogue,
        values: Mapping[str, EffectiveValue],
        level: Level,
        may_change: Callable[[SettingDef], bool],
        inherited: Mapping[str, EffectiveValue] | None = None,
        names: Iterable[str] | None = None,
    ) -> None:
        super().__init__(data)
        self.catalogue, self.values, self.inherited = catalogue, values, inherited
        self.editable: dict[str, bool] = {}
        wanted = set(names) if names is not None else None
        listed = [definition for definition in catalogue if wanted is None or definition.name in wanted]
        self.shown = [definition for definition in listed if definition.level <= level]
        self.posted_hidden = [
            definition for definition in listed
            if definition.level > level and data is not None and _posted(data, definition.name)
        ]
        for definition in [*self.shown, *self.posted_hidden]:
            editable = may_change(definition)
            self.editable[definition.name] = editable
            current = values[definition.name]
            shown = value_text(definition, current.value)
            self.fields[f"s_{definition.name}"] = _field_for(definition, not editable, level, shown)
            self.initial[f"s_{definition.name}"] = shown
            if inherited is not None:
                switch = forms.CheckboxInput(attrs={"aria-label": _("%(setting)s: use the default") % {
                    "setting": _(definition.label)}})
                self.fields[f"d_{definition.name}"] = forms.BooleanField(
                    label="default", required=False, disabled=not editable, widget=switch
                )
                self.initial[f"d_{definition.name}"] = not current.explicit

    def groups(self) -> list[tuple[str, list[Row]]]:
        grouped: dict[str, list[Row]] = {}
        for definition in self.shown:
            name = definition.name
            grouped.setdefault(definition.group, []).append(Row(
                definition=definition,
                field=self[f"s_{name}"],
                default_field=self[f"d_{name}"] if self.inherited is not None else None,
                current=self.values[name],
                inherited=self.inherited.get(name) if self.inherited is not None else None,
                editable=self.editable[name],
                original=self._shown_digest(name),
            ))
        return list(grouped.items())

    def updates(self) -> dict[str, Value]:
        """What changed, for the service: new values, and `default` where a switch was turned on."""
        changes: dict[str, Value] = {}
        for definition in [*self.shown, *self.posted_hidden]:
            name = definition.name
            current = self.values[name]
            if not _posted(self.data, name):
                continue  # not on the form that was sent: kept as it is
            if self.editable[name]:
                widget = self.fields[f"s_{name}"].widget
                posted_text = not widget.value_omitted_from_data(self.data, self.files, f"s_{name}")
                text = (self.cleaned_data.get(f"s_{name}") or "") if posted_text else self._initial_text(name)
                use_default = bool(self.cleaned_data.get(f"d_{name}"))
            else:
                text, use_default = self._raw(name)
            edited = text.strip() != self._initial_text(name).strip()
            if not self._changed_since_shown(definition, text, use_default):
                continue  # posted as the page showed it: no change, even if someone else changed it since
            # A value typed over an inherited one means "make it explicit", even with the switch on.
            if self.inherited is not None and use_default and not edited:
                if current.explicit:
                    changes[name] = DEFAULT
                continue
            try:
                value = definition.validate(parse_text(definition, text))
            except CGError as error:
                self._field_error(definition, error.message)
                continue
            if value != current.value or (self.inherited is not None and not current.explicit):
                changes[name] = value
        return changes

    def _shown_digest(self, name: str) -> str:
        """The digest of the setting as the page shows it now (value text and default switch)."""
        return _digest(self._initial_text(name), self.inherited is not None and not self.values[name].explicit)

    def _changed_since_shown(self, definition: SettingDef, text: str, use_default: bool) -> bool:
        """Whether the user changed this setting on the page it was shown on (a post without the
        page's digest, from a script, counts as a change); raise-free: a setting someone else
        changed meanwhile is marked on the form and reported as no change."""
        name = definition.name
        shown = self.data.get(f"o_{name}")
        if shown is None:
            return True
        posted = _digest(text, self.inherited is not None and use_default)
        if posted in (shown, self._shown_digest(name)):
            return False  # as the page showed it, or as it is now: nothing to write
        if shown != self._shown_digest(name):
            now = self.values[name]
            now_text = value_text(definition, now.value) or '""'
            where = "" if now.explicit or self.inherited is None else f", {now.source}"
            self._field_error(definition, f"{name} was changed by someone else since this page was shown (now "
                                          f"{now_text}{where}): reload the page and make your change again")
            return False
        return True

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        for definition in self.posted_hidden:  # not on the page: say what is wrong above the form
            for message in self.errors.pop(f"s_{definition.name}", []):
                self._field_error(definition, str(message))
        return cleaned

    def _field_error(self, definition: SettingDef, message: str) -> None:
        if definition in self.shown:
            self.add_error(f"s_{definition.name}", message)
        else:
            self.add_error(None, f"{definition.label}: {message}")

    def _initial_text(self, name: str) -> str:
        return str(self.initial.get(f"s_{name}", ""))

    def _raw(self, name: str) -> tuple[str, bool]:
        """What was posted for a read-only setting (its form field, being disabled, reads the initial)."""
        value_field, default_field = self.fields[f"s_{name}"], self.fields.get(f"d_{name}")
        raw = value_field.widget.value_from_datadict(self.data, self.files, f"s_{name}")
        text = str(value_field.to_python(raw) or "") if raw is not None else self._initial_text(name)
        use_default = bool(default_field.to_python(self.data.get(f"d_{name}"))) if default_field else False
        return text, use_default

    def report(self, error: CGError) -> None:
        """Show a service's refusal next to the setting it names, or above the form."""
        shown = {definition.name for definition in self.shown}
        field = f"s_{error.field}" if error.field in shown else None  # a hidden one is named above the form
        self.add_error(field, error.message)


def _digest(text: str, use_default: bool) -> str:
    """What a page showed for one setting, as a short digest: its value text (line ends and outer
    spaces as browsers may change them aside) and whether the default switch was on."""
    normal = text.replace("\r\n", "\n").strip()
    return hashlib.sha256(f"{int(use_default)}\n{normal}".encode()).hexdigest()[:16]


def _posted(data: Mapping, name: str) -> bool:
    return f"s_{name}" in data or f"d_{name}" in data or f"s_{name}:c" in data


def allowed_by(authorize: Callable[[str, str | None], None]) -> Callable[[SettingDef], bool]:
    """A SettingsForm `may_change` from a service's per-setting authorizer (realms.access): the page
    shows read-only exactly what the service would refuse."""

    def may_change(definition: SettingDef) -> bool:
        try:
            authorize(definition.name, definition.right)
        except CGError:
            return False
        return True

    return may_change
