"""Forms of the Groups pages: each parses input for one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domains.names import MAX_ACCOUNT_NAME_LENGTH
from realms.forms import ServiceForm


class CreateGroupForm(ServiceForm):
    name = forms.CharField(label=_("Group name"), max_length=MAX_ACCOUNT_NAME_LENGTH * 2, strip=True)
    real_name = forms.CharField(label=_("Real Name"), max_length=255, required=False, strip=True)


class GroupForm(ServiceForm):
    """The group's Real Name and its members, one address a line."""

    service_fields = {"RealName": "real_name", "Members": "members"}
    real_name = forms.CharField(label=_("Real Name"), max_length=255, required=False, strip=True)
    members = forms.CharField(label=_("Members"), required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 8}),
                              help_text=_("One address a line: a name in this domain, or name@domain."))

    def member_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["members"].splitlines() if line.strip()]


class RenameGroupForm(ServiceForm):
    service_fields = {"name": "new_name"}
    new_name = forms.CharField(label=_("New name"), max_length=MAX_ACCOUNT_NAME_LENGTH * 2, strip=True)


class RemoveGroupForm(ServiceForm):
    pass
