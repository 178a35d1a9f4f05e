"""Forms of the Skins pages."""

from typing import cast

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from realms.forms import ServiceForm
from skins.storage import MAX_FILE_SIZE


class UploadSkinFileForm(ServiceForm):
    service_fields = {"data": "upload", "file": "upload"}

    skin = forms.CharField(label=_("Skin"), required=False, max_length=64,
                           help_text=_("Without the Admin- prefix; empty for the unnamed skin."))
    upload = forms.FileField(label=_("File"), help_text=format_lazy(
        _("admin.css, pictures, adminheader.html or adminfooter.html; at most {size} KB."), size=MAX_FILE_SIZE // 1024))


class ChooseSkinForm(ServiceForm):
    skin = forms.ChoiceField(label=_("My skin"), required=False)

    def __init__(self, *args, choices: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["skin"])
        field.choices = [("", _("the domain's unnamed skin (or the stock look)"))] + [
            (name, name) for name in choices if name
        ]
