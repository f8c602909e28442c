from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class VerifyUploadForm(forms.Form):
    file = forms.FileField(label=_("Signed PDF file"))

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_BYTES * 3:
            raise forms.ValidationError(_("The file is too large."))
        head = upload.read(1024)
        upload.seek(0)
        if b"%PDF-" not in head:
            raise forms.ValidationError(_("This is not a PDF file."))
        return upload
