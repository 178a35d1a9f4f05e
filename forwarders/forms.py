"""Forms of the Forwarders pages: each parses input for one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domains.names import MAX_ACCOUNT_NAME_LENGTH, MAX_ADDRESS_LENGTH
from realms.forms import ServiceForm


class CreateForwarderForm(ServiceForm):
    name = forms.CharField(label=_("Forwarder name"), max_length=MAX_ACCOUNT_NAME_LENGTH * 2, strip=True)
    target = forms.CharField(label=_("Forward to"), max_length=MAX_ADDRESS_LENGTH, strip=True,
                             widget=forms.TextInput(attrs={"placeholder": "name@example.com"}))


class RenameForwarderForm(ServiceForm):
    service_fields = {"name": "new_name"}
    new_name = forms.CharField(label=_("New name"), max_length=MAX_ACCOUNT_NAME_LENGTH * 2, strip=True)


class RemoveForwarderForm(ServiceForm):
    pass
