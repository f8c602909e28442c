"""Forms of the document pages (văn bản đi / đến). They parse and check input only; the services
decide. Choices that depend on who asks (recipients, departments, staff, the documents one may
answer) are passed in by the view, from the selectors, so a form never offers what the user may
not use."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.core.uploads import validate_upload
from portal.core.widgets import DateInput

from .widgets import RecipientPicker

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: The most attachments one draft may carry (the main text and its appendices).
MAX_ATTACHMENTS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class CheckedFilesField(forms.FileField):
    """Several files in one input, each checked like a dossier upload (type by content, size,
    empty, damaged, name/content mismatch: :func:`portal.core.uploads.validate_upload`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        items = (
            [d for d in data if d] if isinstance(data, list | tuple) else ([data] if data else [])
        )
        if not items and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
        files = [single(d, initial) for d in items]
        if len(files) > MAX_ATTACHMENTS:
            raise ValidationError(_("At most %(n)d files.") % {"n": MAX_ATTACHMENTS})
        for f in files:
            validate_upload(f)
        return files


class CheckedPdfField(forms.FileField):
    """One PDF (the document's main text, the one the leader signs), checked by content."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if value:
            checked = validate_upload(value)
            if checked.content_type != "application/pdf":
                raise ValidationError(_("The main text must be a PDF file."), code="not_pdf")
        return value


def _choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, whose choices are set per request (agency, user)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    return field


def _year_choices() -> list[tuple[str, StrOrPromise]]:
    this = timezone.localdate().year
    return [("", _("All years"))] + [(str(y), str(y)) for y in range(this, this - 6, -1)]


class BookFilterForm(forms.Form):
    """Search and filters of the outgoing and incoming books (sổ văn bản đi / đến).

    The search is diacritic-insensitive ("cong van" finds "Công văn"); the period is a month of
    the chosen year or a date range."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("number, notation, subject, organ")}),
    )
    document_type = forms.ChoiceField(label=_("Type"), required=False)
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All months"))] + [(str(m), str(m)) for m in range(1, 13)],
    )
    date_from = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"), required=False, widget=DateInput()
    )
    date_to = forms.DateField(
        label=pgettext_lazy("end of a date range", "To"), required=False, widget=DateInput()
    )
    status = forms.ChoiceField(label=_("Status"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)

    def __init__(
        self, *args: Any, types: list, statuses: list, urgencies: list, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "document_type").choices = [("", _("All types"))] + [
            (str(v), label) for v, label in types
        ]
        _choice_field(self, "status").choices = [("", _("All statuses"))] + [
            (str(v), label) for v, label in statuses
        ]
        _choice_field(self, "urgency").choices = [("", _("Any urgency"))] + [
            (str(v), label) for v, label in urgencies
        ]
        _choice_field(self, "year").choices = _year_choices()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise ValidationError(_("The start date is after the end date."))
        if data.get("month") and not data.get("year"):
            data["year"] = timezone.localdate().year
        return data

    def filters(self) -> dict:
        """The valid filters only; an invalid field is ignored (its message is shown)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {}
        for key in (
            "q",
            "document_type",
            "year",
            "month",
            "date_from",
            "date_to",
            "status",
            "urgency",
        ):
            value = data.get(key)
            if value not in (None, ""):
                out[key] = value
        return out


class DraftForm(forms.Form):
    """A specialist's draft of an outgoing document (dự thảo văn bản đi)."""

    document_type = forms.TypedChoiceField(label=_("Document type"), coerce=int)
    subject = forms.CharField(
        label=_("Subject (trích yếu)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    content = forms.CharField(
        label=_("Content"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"),
        help_text=_("Tick every recipient: the agencies of this portal, then the external organs."),
        widget=RecipientPicker,
        required=False,
    )
    other_organs = forms.CharField(
        label=_("Other organs (codes)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 1}),
        help_text=_(
            "Codes of organs outside the list, reachable through the exchange, separated by commas (e.g. 000.00.12.H29)."
        ),
    )
    due_date = forms.DateField(label=_("Reply due by"), required=False, widget=DateInput())
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int)
    answers = forms.TypedChoiceField(
        label=_("In reply to"), required=False, coerce=int, empty_value=None
    )
    main_file = CheckedPdfField(label=_("Main text (PDF, to be signed)"))
    attachments = CheckedFilesField(label=_("Appendices (PDF, JPEG, PNG)"), required=False)

    def __init__(
        self,
        *args: Any,
        types: list,
        urgencies: list,
        recipients: list,
        answerable: list,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "document_type").choices = types
        _choice_field(self, "urgency").choices = urgencies
        _choice_field(self, "recipients").choices = recipients
        _choice_field(self, "answers").choices = [("", _("— not a reply —"))] + list(answerable)

    def clean_other_organs(self) -> list[str]:
        import re

        codes = [c for c in re.split(r"[\s,;]+", self.cleaned_data.get("other_organs") or "") if c]
        bad = [c for c in codes if not re.fullmatch(r"[A-Za-z0-9.\-]{3,40}", c)]
        if bad:
            raise ValidationError(
                _("Not an organ code: %(codes)s.") % {"codes": ", ".join(bad[:5])}
            )
        if len(codes) > 50:
            raise ValidationError(_("At most %(n)d organs.") % {"n": 50})
        return codes

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if (
            not data.get("recipients")
            and not data.get("other_organs")
            and "recipients" not in self.errors
            and "other_organs" not in self.errors
        ):
            self.add_error("recipients", _("Choose at least one recipient."))
        return data

    def clean_due_date(self) -> date | None:
        value = self.cleaned_data.get("due_date")
        if value and value < timezone.localdate():
            raise ValidationError(_("The reply date is in the past."))
        return value


class SignForm(forms.Form):
    """The leader signs the draft's main text; the PIN is asked every time and never stored."""

    reason = forms.CharField(
        label=_("Reason"), max_length=120, initial=_("Approved for promulgation")
    )
    pin = forms.CharField(
        label=_("Token PIN"),
        widget=forms.PasswordInput(render_value=False),
        max_length=64,
        help_text=_("Asked again for every signing; never stored."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecallForm(forms.Form):
    """The sender asks the recipients to recall (thu hồi) or update (cập nhật) a sent document."""

    kind = forms.ChoiceField(
        label=_("Request"), choices=[("recall", _("Recall")), ("update", _("Update"))]
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AssignForm(forms.Form):
    """The leader assigns an incoming document to a department and a person (status 04)."""

    department = forms.TypedChoiceField(
        label=_("Department"), coerce=int, required=False, empty_value=None
    )
    assignee = forms.TypedChoiceField(label=_("Person in charge"), coerce=int)
    comment = forms.CharField(
        label=_("Instructions"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, departments: list, staff: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "department").choices = [("", _("— the agency itself —"))] + list(
            departments
        )
        _choice_field(self, "assignee").choices = [("", "—")] + list(staff)


class PaperRegisterForm(forms.Form):
    """A paper document that came by post or by hand, entered in the incoming book by the clerical office."""

    from_organ_code = forms.CharField(label=_("Sending organ code"), max_length=40, required=False)
    from_organ_name = forms.CharField(label=_("Sending organ"), max_length=255)
    code_number = forms.CharField(label=_("Number"), max_length=20)
    code_notation = forms.CharField(label=_("Notation"), max_length=60, required=False)
    promulgation_date = forms.DateField(label=_("Date of the document"), widget=DateInput())
    document_type = forms.TypedChoiceField(label=_("Document type"), coerce=int)
    subject = forms.CharField(
        label=_("Subject (trích yếu)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    signer_name = forms.CharField(label=_("Signed by"), max_length=150, required=False)
    urgency = forms.TypedChoiceField(label=_("Urgency"), coerce=int)
    due_date = forms.DateField(label=_("Reply due by"), required=False, widget=DateInput())
    scans = CheckedFilesField(label=_("Scanned document (PDF, JPEG, PNG)"), required=False)

    def __init__(self, *args: Any, types: list, urgencies: list, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "document_type").choices = types
        _choice_field(self, "urgency").choices = urgencies

    def clean_promulgation_date(self) -> date:
        value = self.cleaned_data["promulgation_date"]
        if value > timezone.localdate():
            raise ValidationError(_("The document's date is in the future."))
        return value


class IssueForm(forms.Form):
    """The văn thư numbers a signed document (next number of the year's outgoing book)."""

    notation = forms.CharField(
        label=_("Notation"),
        max_length=60,
        required=False,
        help_text=_(
            "Leave empty for the usual notation: type–agency (QĐ-STP), or for a letter "
            "agency–drafting unit (STP-VP)."
        ),
    )
    promulgation_date = forms.DateField(
        label=_("Promulgation date"),
        required=False,
        widget=DateInput(),
        help_text=_("Today if left empty."),
    )
    send_now = forms.BooleanField(
        label=_("Send to the recipients at once"), required=False, initial=True
    )


class AttachForm(forms.Form):
    file = forms.FileField(label=_("File (PDF, JPEG, PNG)"))
    description = forms.CharField(label=_("Description"), max_length=255, required=False)

    def clean_file(self) -> Any:
        value = self.cleaned_data["file"]
        validate_upload(value)
        return value
