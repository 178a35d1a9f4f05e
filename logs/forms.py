"""Forms of the Monitors pages: the log viewer's filters, the audit trail's filters, Log Settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from logs import serverlog
from logs.search import LogQuery
from logs.selectors import AuditFilter

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]
LEVEL_CHOICES = [("", _("any level"))] + [
    (str(level), format_lazy(_("{name} and below"), name=_(name)))
    for level, name in enumerate(serverlog.LEVEL_NAMES)
]


class _DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _datetime_field(label: StrOrPromise) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, required=False, input_formats=DATETIME_FORMATS, widget=_DateTimeInput())


class LogSearchForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, max_length=1000)
    regex = forms.BooleanField(label=_("Regular expression"), required=False, help_text=_(
        "RE2 syntax, as grep -E without backreferences or lookaround: every expression is searched in time "
        "proportional to the log, so none can stall the server."))
    tag = forms.CharField(label=_("Component"), required=False, max_length=32,
                          widget=forms.TextInput(attrs={"list": "log-tags", "size": 10}))
    level = forms.ChoiceField(label=_("Level"), required=False, choices=LEVEL_CHOICES)
    since = _datetime_field(_("From"))
    until = _datetime_field(_("To"))
    file = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean_tag(self) -> str:
        tag = self.cleaned_data["tag"].strip().upper()
        if tag and not tag.replace("_", "").isalnum():
            raise forms.ValidationError(_("a component name is letters and digits, e.g. CLI"))
        return tag

    def clean_file(self) -> str:
        name = self.cleaned_data["file"].strip()
        if name and serverlog.parse_file_name(name) is None:
            raise forms.ValidationError(_("not a Server Log file name"))
        return name

    def query(self) -> LogQuery:
        data = self.cleaned_data
        # the form's times are the server's local time, as the records are; no time zone attached
        since, until = data.get("since"), data.get("until")
        return LogQuery(
            text=data.get("text") or "", regex=bool(data.get("regex")), tag=data.get("tag") or "",
            max_level=int(data["level"]) if data.get("level") else None,
            since=since.replace(tzinfo=None) if since else None,
            until=until.replace(tzinfo=None) if until else None,
            file=data.get("file") or "",
        )


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Administrator"), required=False, max_length=300,
                            widget=forms.TextInput(attrs={"placeholder": "name@domain"}))
    event = forms.CharField(label=_("Event"), required=False, max_length=64,
                            widget=forms.TextInput(attrs={"placeholder": _("account. or domain.create"), "size": 14}))
    object_name = forms.CharField(label=_("Object"), required=False, max_length=300)
    domain = forms.CharField(label=_("Domain"), required=False, max_length=255)
    since = _datetime_field(_("From"))
    until = _datetime_field(_("To"))

    def filters(self) -> AuditFilter:
        data = self.cleaned_data
        return AuditFilter(
            actor=data.get("actor") or "", event=data.get("event") or "", object_name=data.get("object_name") or "",
            domain=data.get("domain") or "", since=data.get("since"), until=data.get("until"),
        )
