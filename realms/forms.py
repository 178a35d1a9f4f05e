"""Forms of the WebAdmin shell."""

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=320,
                           widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Password"), max_length=1024, strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    code = forms.CharField(label=_("One-time code"), max_length=12, required=False,
                           help_text=_("Only if you set up a second factor: the code your authenticator app shows, or "
                                         "one of your recovery codes. Leave it empty otherwise."),
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}))


class ServiceForm(forms.Form):
    """A small form in front of one service: the service's refusal shows next to the field it names.

    `service_fields` maps a service's field names (CGError.field) to this form's fields when they differ."""

    service_fields: dict[str, str] = {}

    def report(self, error: object) -> None:
        field = getattr(error, "field", None)
        field = self.service_fields.get(field, field) if field else None
        self.add_error(field if field in self.fields else None, getattr(error, "message", str(error)))


NOT_CONFIRMED = _("Tick the box to confirm: nothing was changed.")


class ConfirmForm(ServiceForm):
    """The form of a destructive action: nothing happens unless its box is ticked (the server checks
    it, not only the browser); `label` says what will happen."""

    confirm = forms.BooleanField(required=True, error_messages={"required": NOT_CONFIRMED})

    def __init__(self, *args: Any, label: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if label:
            self.fields["confirm"].label = label


INTERFACE_TYPES = [("Basic", _("Basic")), ("Advanced", _("Advanced")), ("Expert", _("Expert"))]
REFRESH_CHOICES = [("10", _("10 seconds")), ("15", _("15 seconds")), ("30", _("30 seconds")), ("60", _("1 minute")),
                   ("120", _("2 minutes")), ("300", _("5 minutes")), ("0", _("never"))]


class WebAdminPrefsForm(ServiceForm):
    """One realm's WebAdmin Preferences (the Interface Type is the administrator's, for every realm)."""

    # Each language by its own name, as a person looking for theirs reads it.
    Language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("English", "English"), ("German", "Deutsch"), ("Russian", "Русский")],
                                 help_text=_("The language of the WebAdmin in every realm (your Language preference)."))
    InterfaceType = forms.ChoiceField(label=_("Interface Type"), choices=INTERFACE_TYPES,
                                      help_text=_("Basic shows the essential pages and settings, Expert all of "
                                                  "them. It changes what you see, never what you may do."))
    ObjectsPerPage = forms.IntegerField(label=_("Objects per page"), min_value=1, max_value=1000,
                                        help_text=_("How many rows list pages show at first."))
    RefreshRate = forms.ChoiceField(label=_("Refresh every"), choices=REFRESH_CHOICES,
                                      help_text=_("How often Monitors pages reload themselves."))
    Charset = forms.ChoiceField(label=_("Character set"), choices=[],
                                help_text=_("The character set of WebAdmin pages and forms in this realm."))

    def __init__(self, *args: object, realm: str, **kwargs: object) -> None:
        from accounts.settings_schema import PREFS

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        charsets = PREFS.get("PreferredCharset").choice_list()  # type: ignore[union-attr]
        cast(forms.ChoiceField, self.fields["Charset"]).choices = [(name, name) for name in charsets]
        if realm != "Monitors":
            del self.fields["RefreshRate"]
