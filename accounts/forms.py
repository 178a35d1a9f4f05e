"""Forms of the Users realm's account pages: each parses input for one service."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import AccountType
from domains.names import MAX_ACCOUNT_NAME_LENGTH
from realms.forms import NOT_CONFIRMED, ServiceForm
from realms.rights import DOMAIN_ADMIN_RIGHT_GROUPS

TYPE_CHOICES = [(choice.value, choice.value) for choice in AccountType]


class CreateAccountForm(ServiceForm):
    service_fields = {"Password": "password", "RealName": "real_name"}
    name = forms.CharField(label=_("Account name"), max_length=MAX_ACCOUNT_NAME_LENGTH * 4, strip=True)
    real_name = forms.CharField(label=_("Real Name"), required=False, max_length=255)
    kind = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, initial=AccountType.MULTI_MAILBOX)
    password = forms.CharField(label=_("Password"), required=False, strip=False, max_length=1024,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("Leave empty to create the account without a password (no login)."))
    aliases = forms.CharField(label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("One name a line, or separated by spaces or commas."))

    def settings(self) -> dict[str, str]:
        real_name = self.cleaned_data["real_name"].strip()
        return {"RealName": real_name} if real_name else {}

    def alias_list(self) -> list[str]:
        return self.cleaned_data["aliases"].replace(",", " ").split()


class PasswordForm(ServiceForm):
    service_fields = {"Password": "password"}
    password = forms.CharField(label=_("New password"), strip=False, max_length=1024,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    confirm = forms.CharField(label=_("Repeat it"), strip=False, max_length=1024,
                              widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        password = self.cleaned_data.get("password")  # (data is cleaned_data, which the type checker does not know)
        if password and password != self.cleaned_data.get("confirm"):
            self.add_error("confirm", _("the two passwords differ"))
        return data


class AccountAliasesForm(ServiceForm):
    aliases = forms.CharField(label=_("Aliases"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("One name a line; remove a line to remove the alias."))

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class RenameAccountForm(ServiceForm):
    service_fields = {"name": "new_name"}
    new_name = forms.CharField(label=_("New name"), max_length=320, strip=True,
                               help_text=_("name, or name@domain to move the account to another domain."))


class AccountTypeForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES)


class RemoveAccountForm(ServiceForm):
    confirm = forms.BooleanField(label=_("Yes, remove this account with its mailboxes"),
                                 error_messages={"required": NOT_CONFIRMED})


class DomainAdminRightsForm(ServiceForm):
    """Whether the account is a Domain Administrator, and which Domain Administrator rights it holds."""

    service_fields = {"rights": "rights"}
    administrator = forms.BooleanField(label=_("Domain Administrator"), required=False)
    rights = forms.MultipleChoiceField(
        label=_("Rights"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(name, name) for _title, group in DOMAIN_ADMIN_RIGHT_GROUPS for name in group],
    )


MAX_IMPORT_BYTES = 100 * 1024 * 1024


class ImportAccountsForm(ServiceForm):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("UTF-8, a header line first: Name, Type, Password, Aliases, then any account settings "
                    "(README: Users realm)."),
    )
    csv_text = ""

    def clean_file(self):
        """The upload must be UTF-8 text (with or without a byte-order mark) of a sane size."""
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
        try:
            self.csv_text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError("the file is not UTF-8 text")
        return upload
