"""Forms of the Directory realm pages: they parse what the administrator typed, nothing more."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from cgadmin.dataformat import Value
from cgadmin.errors import CGError, InvalidInput


class CustomRecordForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    real_name = forms.CharField(label=_("Real Name"), max_length=255, required=False)
    email = forms.CharField(label=_("E-mail"), max_length=320, required=False)
    attributes = forms.CharField(
        label=_("Other attributes"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: name = value (e.g. title = Sales Manager)"),
    )

    def attribute_values(self) -> dict[str, Value]:
        values: dict[str, Value] = {}
        for number, line in enumerate(self.cleaned_data.get("attributes", "").splitlines(), start=1):
            if not line.strip():
                continue
            name, equals, value = line.partition("=")
            if not equals or not name.strip():
                raise InvalidInput(f"line {number} of the other attributes is not 'name = value'", field="attributes")
            values[name.strip()] = value.strip()
        return values

    def report(self, error: CGError) -> None:
        """Show a service's refusal next to its field (realms.viewtools.call_service)."""
        self.add_error(error.field if error.field in self.fields else None, error.message)


def posted_rules(data: QueryDict) -> list[dict[str, Value]]:
    """The rules table of the Access Rights page as rule dictionaries (rows without a unit are left
    out; a row marked for removal too)."""
    units, attributes, who = data.getlist("unit"), data.getlist("attributes"), data.getlist("who")
    removed = set(data.getlist("remove"))
    rules: list[dict[str, Value]] = []
    for index, (unit, names, reader) in enumerate(zip(units, attributes, who, strict=False)):
        if not unit.strip() or str(index) in removed:
            continue
        rules.append({"Unit": unit.strip(), "Attributes": _listed_attributes(names), "Who": reader})
    return rules


def _listed_attributes(names: str) -> Value:
    """A row's Attributes cell: "*" (every attribute) or the comma-separated names."""
    if names.strip() == "*":
        return "*"
    return [part.strip() for part in names.split(",") if part.strip()]
