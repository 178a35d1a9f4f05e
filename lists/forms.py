"""Forms of the Mailing Lists pages: each parses input for one service."""

from django import forms
from django.utils.translation import gettext_lazy as _

from domains.names import MAX_ACCOUNT_NAME_LENGTH, MAX_ADDRESS_LENGTH
from lists.models import SubscriberMode
from lists.settings_schema import POSTING_POLICIES, SUBSCRIBE_POLICIES
from realms.forms import ServiceForm

POSTING_LABELS = dict(zip(POSTING_POLICIES, (_("from anybody"), _("from subscribers"), _("moderated"),
                                             _("from owner only")), strict=True))
SUBSCRIBE_LABELS = dict(zip(SUBSCRIBE_POLICIES, (_("anybody"), _("moderated"), _("this domain only"),
                                                 _("locals only"), _("nobody")), strict=True))
MODE_LABELS = {SubscriberMode.SUBSCRIBE: _("subscribe"), SubscriberMode.FEED: _("feed"),
               SubscriberMode.DIGEST: _("digest"), SubscriberMode.INDEX: _("index"), SubscriberMode.NULL: _("null"),
               SubscriberMode.BANNED: _("banned")}


class CreateListForm(ServiceForm):
    name = forms.CharField(label=_("List name"), max_length=MAX_ACCOUNT_NAME_LENGTH, strip=True)
    owner = forms.CharField(label=_("Owner account"), max_length=MAX_ACCOUNT_NAME_LENGTH, strip=True)


class RenameListForm(ServiceForm):
    service_fields = {"name": "new_name"}
    new_name = forms.CharField(label=_("New name"), max_length=MAX_ACCOUNT_NAME_LENGTH, strip=True)


class RemoveListForm(ServiceForm):
    pass


class ListSettingsForm(ServiceForm):
    service_fields = {"RealName": "real_name", "Subscribe": "subscribe", "Postings": "postings",
                      "Charset": "charset", "SizeLimit": "size_limit"}
    real_name = forms.CharField(label=_("List title"), max_length=255, required=False, strip=True)
    subscribe = forms.ChoiceField(label=_("Subscription"), choices=list(SUBSCRIBE_LABELS.items()))
    postings = forms.ChoiceField(label=_("Accept postings"), choices=list(POSTING_LABELS.items()),
                                 help_text=_("Refused postings get a report; held ones go to the list owner."))
    charset = forms.CharField(label=_("Charset"), max_length=64, strip=True)
    size_limit = forms.CharField(label=_("Message size limit"), max_length=32, strip=True,
                                 help_text=_("For example 1M, or unlimited."))

    def updates(self) -> dict[str, str]:
        data = self.cleaned_data
        return {"RealName": data["real_name"], "Subscribe": data["subscribe"], "Postings": data["postings"],
                "Charset": data["charset"], "SizeLimit": data["size_limit"]}


class SubscribeForm(ServiceForm):
    address = forms.CharField(label=_("Subscriber address"), max_length=MAX_ADDRESS_LENGTH, strip=True,
                              widget=forms.TextInput(attrs={"placeholder": "Jane Doe <jane@example.com>"}))
    mode = forms.ChoiceField(label=_("Mode"), choices=list(MODE_LABELS.items()), initial=SubscriberMode.FEED)


class UnsubscribeForm(ServiceForm):
    address = forms.CharField(max_length=MAX_ADDRESS_LENGTH, strip=True)
