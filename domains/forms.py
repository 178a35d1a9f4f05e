"""Forms of the Users realm's domain pages: each parses input for one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cgadmin.dataformat import Value, value_list
from domains.names import MAX_DOMAIN_LENGTH
from realms.forms import ServiceForm

IP_USING_DNS = "dns"
IP_LISTED = "listed"


class CreateDomainForm(ServiceForm):
    name = forms.CharField(label=_("Domain name"), max_length=MAX_DOMAIN_LENGTH * 4, strip=True,
                           widget=forms.TextInput(attrs={"placeholder": "client1.com"}))


class RenameDomainForm(ServiceForm):
    service_fields = {"name": "new_name"}
    new_name = forms.CharField(label=_("New name"), max_length=MAX_DOMAIN_LENGTH * 4, strip=True)


class DomainAliasesForm(ServiceForm):
    aliases = forms.CharField(label=_("Domain Aliases"), required=False, strip=False,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("One name a line. Empty lines are ignored; "
                                          "remove a line to remove the alias."))

    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["aliases"].splitlines() if line.strip()]


class AssignedAddressesForm(ServiceForm):
    service_fields = {"IPAddresses": "addresses"}
    mode = forms.ChoiceField(
        label=_("Assigned IP Addresses"), widget=forms.RadioSelect,
        choices=((IP_USING_DNS, _("Using DNS A/MX Records")), (IP_LISTED, _("Listed below"))),
    )
    addresses = forms.CharField(label=_("Addresses"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("One address a line, IPv4 or IPv6."))

    def setting_value(self) -> Value:
        from domains.settings_schema import USING_DNS

        if self.cleaned_data["mode"] == IP_USING_DNS:
            return USING_DNS
        return value_list(line.strip().strip("[]") for line in self.cleaned_data["addresses"].splitlines()
                          if line.strip())
