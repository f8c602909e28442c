"""Forms of the dossier pages. They parse and check input only; the services decide.

The intake forms (online submission, counter intake, one more file) are in
:mod:`dossiers.intake_forms` (issue 16), exported here under their old names; here are the inputs
of the workflow's actions, the public tracking form and the staff worklist's filter.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.accounts.constants import Role
from portal.accounts.models import User
from portal.agencies.models import Agency
from portal.agencies.selectors import sorted_by_name
from portal.core.widgets import DateTimeInput

from .constants import Rating, ResultDelivery

# The intake forms live in their own module (issue 16); the pages read them here.
from .intake_forms import (  # noqa: F401
    CheckedFileField,
    CounterIntakeForm,
    MultipleFileField,
    MultipleFileInput,
    SubmissionForm,
    UploadForm,
    eform_copies,
)
from .models import Dossier


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """The form's model-choice field ``name``, whose queryset is set per dossier."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def _choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's choice field ``name``, whose choices are set per request."""
    return cast(forms.ChoiceField, form.fields[name])


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class NoInputForm(forms.Form):
    """An action that takes no input (submission)."""


class SupplementRequestForm(forms.Form):
    items = forms.CharField(
        label=_("Missing items (one per line: document | why)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    repeat_reason = forms.CharField(
        label=_("If this dossier was already asked once: why a further request is needed"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    def clean_items(self) -> list[dict]:
        rows = []
        for line in self.cleaned_data["items"].splitlines():
            if not line.strip():
                continue
            document, _sep, why = line.partition("|")
            rows.append({"document": document.strip()[:500], "reason": why.strip()[:1000]})
        if not rows:
            raise ValidationError(_("List at least one missing item."))
        return rows


def _staff_with_role(role: str, within: Agency) -> Any:
    units = Agency.objects.subtree_of(within)
    return (
        User.objects.filter(
            Q(agency__in=units) | Q(department__in=units), is_active=True, roles__role=role
        )
        .order_by("full_name")
        .distinct()
    )


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Handling department"), required=False
    )
    assignee = forms.ModelChoiceField(
        queryset=User.objects.none(), label=_("Specialist"), required=False
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "department").queryset = sorted_by_name(
            Agency.objects.subtree_of(dossier.receiving_agency)
        )
        _model_choice(self, "assignee").queryset = _staff_with_role(
            Role.SPECIALIST, dossier.receiving_agency
        )


class ForwardForm(forms.Form):
    leader = forms.ModelChoiceField(queryset=User.objects.none(), label=_("Leader"), required=False)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "leader").queryset = _staff_with_role(
            Role.LEADER, dossier.receiving_agency
        )


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
    result_file = CheckedFileField(label=_("Electronic result (PDF)"), required=False)


class PaymentRequestForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount (VND)"), min_value=1, max_digits=14, decimal_places=0
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)


class CounterPaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount received (VND)"), min_value=1, max_digits=14, decimal_places=0
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=255)


class ReturnForm(forms.Form):
    """The return step. Left out (the API) or empty, ``delivery`` is the way the applicant
    registered at submission or intake (TT 03/2025/TT-VPCP Phụ lục I, mẫu 01 item 6): the page
    preselects it (``inputs.page_form``), the API defaults to it (``delivery.return_method``)."""

    delivery = forms.ChoiceField(
        label=_("Returned"), choices=ResultDelivery.choices, required=False
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class TransferForm(forms.Form):
    to_agency = forms.ModelChoiceField(
        queryset=Agency.objects.order_by("name"), label=_("To agency")
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _model_choice(self, "to_agency").queryset = sorted_by_name(
            Agency.objects.exclude(pk=dossier.receiving_agency_id)
        )


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ApologyForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the delay"), max_length=2000)
    new_due_at = forms.DateTimeField(label=_("New appointment date"), widget=DateTimeInput())


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Dossier code"), max_length=40)
    second_factor = forms.CharField(
        label=_("Last 4 digits of the ID number or phone"),
        min_length=4,
        max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class WorklistFilterForm(forms.Form):
    q = forms.CharField(label=_("Code, name or ID number"), required=False, max_length=100)
    status = forms.TypedChoiceField(
        label=_("Status"), required=False, coerce=int, empty_value=None, choices=[]
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    due_soon = forms.BooleanField(label=_("Due soon"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from .constants import DossierStatus

        _choice(self, "status").choices = [("", _("All"))] + [
            (s.value, s.label) for s in DossierStatus if s != DossierStatus.DRAFT
        ]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        d = self.cleaned_data
        return {
            "q": d.get("q") or "",
            "status": d.get("status"),
            "overdue": d.get("overdue") or None,
            "due_soon": d.get("due_soon") or None,
        }
