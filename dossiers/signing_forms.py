"""Forms of the leader's "Ký số và phê duyệt" and the clerical office's issuing signature."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from signatures.constants import PadesLevel


class PinField(forms.CharField):
    """The token PIN: typed again for every signing, never rendered back, never stored."""

    def __init__(self, **kwargs):  # type: ignore[no-untyped-def]
        kwargs.setdefault("label", _("Token PIN"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "widget", forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"})
        )
        kwargs.setdefault("help_text", _("Asked again for every signing; never stored."))
        super().__init__(**kwargs)


class SignApproveForm(forms.Form):
    pin = PinField()
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
    level = forms.ChoiceField(
        label=_("Signature level"),
        initial=PadesLevel.B_LT,
        choices=[
            (PadesLevel.B_T, _("PAdES B-T (trusted time)")),
            (PadesLevel.B_LT, _("PAdES B-LT (with validation data)")),
            (PadesLevel.B_LTA, _("PAdES B-LTA (archival)")),
        ],
    )


class IssueForm(forms.Form):
    number = forms.CharField(
        label=_("Number and symbol of the document"),
        max_length=60,
        help_text=_("For example 123/QĐ-STP."),
    )
    pin = PinField()


class DraftResultForm(forms.Form):
    file = forms.FileField(
        label=_("Draft result (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
    )
