from __future__ import annotations

from typing import Any

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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):  # type: ignore[no-untyped-def]
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class SignBatchForm(forms.Form):
    """The leader's signing form: one or more results, one PIN entry for the batch."""

    # the form metaclass moves declared fields out of the class: BaseForm.files is not shadowed
    files = MultipleFileField(label=_("Documents to sign (PDF)"))  # type: ignore[assignment]
    reason = forms.CharField(label=_("Reason"), max_length=120, initial=_("Approved"))
    level = forms.ChoiceField(
        label=_("Signature level"),
        choices=[
            ("B-T", _("PAdES B-T (trusted time)")),
            ("B-LT", _("PAdES B-LT (with validation data)")),
            ("B-LTA", _("PAdES B-LTA (archival)")),
        ],
        initial="B-T",
    )
    pin = forms.CharField(
        label=_("Token PIN"),
        widget=forms.PasswordInput(render_value=False),
        max_length=64,
        help_text=_("Asked again for every signing; never stored."),
    )

    def clean_files(self):  # type: ignore[no-untyped-def]
        files = self.cleaned_data["files"]
        if len(files) > 50:
            raise forms.ValidationError(_("At most 50 documents per batch."))
        for upload in files:
            if upload.size > settings.UPLOAD_MAX_BYTES * 3:
                raise forms.ValidationError(_("The file is too large."))
            head = upload.read(1024)
            upload.seek(0)
            if b"%PDF-" not in head:
                raise forms.ValidationError(
                    _("%(name)s is not a PDF file.") % {"name": upload.name}
                )
        return files


class RevokeForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=[])

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        from .constants import RevocationReason

        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = RevocationReason.choices


class ImportPkcs12Form(forms.Form):
    """An official's PKCS#12 file (.p12/.pfx) from an external CA; kept encrypted, never in clear."""

    holder: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("Official"), queryset=None)  # type: ignore[arg-type]
    file = forms.FileField(label=_("PKCS#12 file (.p12, .pfx)"))
    password = forms.CharField(
        label=_("Password of the file"),
        widget=forms.PasswordInput(render_value=False),
        max_length=128,
    )

    def __init__(self, *args, holders, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["holder"].queryset = holders

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > 64 * 1024:
            raise forms.ValidationError(_("The file is too large for a PKCS#12 file."))
        return upload
