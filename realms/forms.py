"""Forms of the WebAdmin shell."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=320,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class ServiceForm(forms.Form):
    """A small form in front of one service: the service's refusal shows next to the field it names.

    `service_fields` maps a service's field names (CGError.field) to this form's fields when they differ."""

    service_fields: dict[str, str] = {}

    def report(self, error: object) -> None:
        field = getattr(error, "field", None)
        field = self.service_fields.get(field, field) if field else None
        self.add_error(field if field in self.fields else None, getattr(error, "message", str(error)))
