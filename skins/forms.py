"""Forms of the Skins pages."""

from django import forms

from realms.forms import ServiceForm
from skins.storage import MAX_FILE_SIZE


class UploadSkinFileForm(ServiceForm):
    service_fields = {"data": "upload", "file": "upload"}

    skin = forms.CharField(label="Skin", required=False, max_length=64,
                           help_text="Without the Admin- prefix; empty for the unnamed skin.")
    upload = forms.FileField(label="File", help_text=f"admin.css, pictures, adminheader.html or adminfooter.html; "
                                                     f"at most {MAX_FILE_SIZE // 1024} KB.")


class ChooseSkinForm(ServiceForm):
    skin = forms.ChoiceField(label="My skin", required=False)

    def __init__(self, *args, choices: list[str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skin"].choices = [("", "the domain's unnamed skin (or the stock look)")] + [
            (name, name) for name in choices if name
        ]
