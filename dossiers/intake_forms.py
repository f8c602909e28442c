"""Forms by which a dossier comes in: the applicant's online submission (the procedure's e-form
fields, one upload slot per paper, the fee cases and copies), the clerk's counter intake (walk-in
or postal, with scans) and one more file for a dossier. They parse and check input only; the
services decide.

Moved out of :mod:`dossiers.forms` (issue 16: no module over 500 lines), which still exports
them under their old names.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.agencies.models import Agency
from portal.core.uploads import validate_upload
from portal.core.widgets import DateInput
from procedures import fees
from procedures.constants import PaperKind
from procedures.templatetags.catalogue import vnd

from .constants import Channel, ResultDelivery
from .models import Dossier


class CheckedFileField(forms.FileField):
    """A file field that runs :func:`portal.core.uploads.validate_upload` (type by content, size,
    empty, damaged, name/content mismatch)."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        value = super().clean(data, initial)
        if value:
            validate_upload(value)
        return value


def _field_for(spec: dict) -> forms.Field:
    label = spec.get("label") or spec.get("name")
    required = bool(spec.get("required"))
    kind = spec.get("type") or "text"
    if kind == "textarea":
        return forms.CharField(
            label=label,
            required=required,
            widget=forms.Textarea(attrs={"rows": 3}),
            max_length=4000,
        )
    if kind == "date":
        return forms.DateField(label=label, required=required, widget=DateInput())
    if kind == "number":
        return forms.DecimalField(label=label, required=required)
    if kind == "choice" and spec.get("choices"):
        return forms.ChoiceField(
            label=label, required=required, choices=[("", "—")] + [(c, c) for c in spec["choices"]]
        )
    return forms.CharField(label=label, required=required, max_length=500)


def eform_copies(snapshot: dict) -> bool:
    """Whether the procedure's e-form asks the number of copies itself (a field ``copies``, as the
    judicial record declaration does): then the fee counts that answer, not a second field."""
    return any(f.get("name") == "copies" for f in (snapshot.get("eform") or {}).get("fields", []))


class SubmissionForm(forms.Form):
    """The online form: receiving agency, the applicant's data, the procedure's own fields, and a
    file (or a reused earlier file) per required document. Fields are optional for a draft; the
    service checks completeness on submit."""

    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), label=_("Receiving agency"))
    applicant_name = forms.CharField(label=_("Full name / organisation"), max_length=255)
    applicant_citizen_id = forms.CharField(
        label=_("Citizen ID number"), max_length=12, required=False
    )
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    result_delivery = forms.ChoiceField(
        label=_("Receive the result"),
        choices=ResultDelivery.choices,
        initial=ResultDelivery.COUNTER,
        required=False,
    )
    delivery_address = forms.CharField(
        label=_("Postal address for the result (if by post)"), max_length=255, required=False
    )

    def __init__(
        self,
        *args: Any,
        procedure: Any,
        snapshot: dict,
        agencies: Any,
        reusable: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.snapshot = snapshot
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        self.form_field_names: list[str] = []
        for spec in snapshot.get("form_fields", []) or []:
            name = f"f_{spec.get('name')}"
            self.fields[name] = _field_for(spec)
            self.fields[name].required = False
            self.form_field_names.append(name)
        self.document_fields: list[tuple[dict, str, str]] = []
        reuse_choices = [("", _("— upload a new file —"))] + [
            (str(f.pk), f"{f.original_name} · {f.document_name} · {f.dossier}") for f in reusable
        ]
        for doc in snapshot.get("documents", []):
            up, reuse = f"doc_{doc['id']}", f"reuse_{doc['id']}"
            self.fields[up] = CheckedFileField(label=doc["name"], required=False)
            self.fields[reuse] = forms.ChoiceField(
                label=_("or reuse an earlier file"), required=False, choices=reuse_choices
            )
            self.document_fields.append((doc, up, reuse))
        self.reusable = {str(f.pk): f for f in reusable}
        self._add_fee_fields(snapshot)

    def _add_fee_fields(self, snapshot: dict) -> None:
        """The fee case (one of the procedure's cases, the standard one first) and the number of
        copies, when the procedure has them; the total is computed on the server from these."""
        cases = fees.cases(snapshot)
        if len(cases) > 1:
            self.fields["fee_case"] = forms.TypedChoiceField(
                label=_("Fee case"),
                coerce=int,
                choices=[
                    (
                        c["index"],
                        f"{c['name']}: {vnd(c['amount'])}"
                        + (f" ({c['applies_to']})" if c["applies_to"] else ""),
                    )
                    for c in cases
                ],
                initial=cases[0]["index"],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the procedure's fee cases.")},
            )
            if self.initial.get("fee_case") is None:
                self.initial["fee_case"] = cases[0]["index"]
        if fees.has_copies(snapshot) and not eform_copies(snapshot):
            self.fields["fee_copies"] = forms.IntegerField(
                label=_("Number of copies"),
                min_value=1,
                max_value=fees.MAX_COPIES,
                initial=1,
                required=False,
            )

    def clean(self) -> dict:
        data = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        for _doc, _up, reuse in self.document_fields:
            if data.get(reuse) and data[reuse] not in self.reusable:
                self.add_error(reuse, _("Choose one of your own earlier files."))
        return data

    def check_complete(self, attached: dict, post: Any, *, generated: int | None = None) -> bool:
        """At submission, every required document and required field is an error of its own
        field (Decree 118/2025: a dossier is submitted complete), so the applicant sees them all
        at once in the error summary; nothing is submitted or saved as a silent draft."""
        ok = True
        cleaned = getattr(self, "cleaned_data", {})
        for doc, up, reuse in self.document_fields:
            if not doc.get("is_required") or up in self.errors or doc["id"] == generated:
                continue  # ``generated``: the e-form's declaration, attached at submission
            has = (
                cleaned.get(up)
                or cleaned.get(reuse)
                or str(post.get(f"store_{doc['id']}", "")).isdigit()
                or (doc["id"] in attached and not post.get(f"remove_{doc['id']}"))
            )
            if not has:
                self.add_error(up, _("Attach “%(document)s”.") % {"document": doc["name"]})
                ok = False
        for spec in self.snapshot.get("form_fields", []) or []:
            name = f"f_{spec.get('name')}"
            if spec.get("required") and name not in self.errors:
                if not str(cleaned.get(name) or "").strip():
                    self.add_error(
                        name,
                        _("Enter “%(field)s”.") % {"field": spec.get("label") or spec.get("name")},
                    )
                    ok = False
        return ok

    def form_data(self) -> dict:
        out = {}
        for spec in self.snapshot.get("form_fields", []) or []:
            value = self.cleaned_data.get(f"f_{spec.get('name')}")
            out[spec.get("name")] = "" if value is None else str(value)
        return out

    def applicant(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["applicant_name"],
            "citizen_id": d.get("applicant_citizen_id", ""),
            "phone": d.get("applicant_phone", ""),
            "address": d.get("applicant_address", ""),
            "delivery": d.get("result_delivery") or ResultDelivery.COUNTER,
            "delivery_address": d.get("delivery_address", ""),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class CounterIntakeForm(forms.Form):
    """A walk-in (channel 1) or postal (channel 3) dossier recorded by the one-stop clerk: the
    procedure found by the search above the form, then the checklist of its documents with one scan
    slot each (``scan_<document id>``); ``scans`` takes other papers."""

    procedure_code = forms.CharField(
        label=_("Procedure code"), max_length=40, widget=forms.HiddenInput
    )
    channel = forms.TypedChoiceField(
        label=_("Channel"),
        coerce=int,
        choices=[
            (Channel.IN_PERSON, Channel.IN_PERSON.label),
            (Channel.POSTAL, Channel.POSTAL.label),
        ],
    )
    applicant_name = forms.CharField(label=_("Full name / organisation"), max_length=255)
    applicant_citizen_id = forms.CharField(
        label=_("Citizen ID number"), max_length=12, required=False
    )
    applicant_phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    applicant_email = forms.EmailField(label=_("E-mail"), required=False)
    applicant_address = forms.CharField(label=_("Address"), max_length=255, required=False)
    result_delivery = forms.ChoiceField(
        label=_("Receive the result"),
        choices=ResultDelivery.choices,
        initial=ResultDelivery.COUNTER,
        required=False,
    )
    delivery_address = forms.CharField(
        label=_("Postal address for the result (if by post)"), max_length=255, required=False
    )
    scans = MultipleFileField(label=_("Other papers (PDF, JPEG, PNG)"), required=False)
    comment = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args: Any, checklist: list[dict] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.checklist = []
        for doc in checklist or []:
            name = f"scan_{doc['id']}"
            self.fields[name] = MultipleFileField(label=doc["name"], required=False)
            self.checklist.append({**doc, "field": name})

    def clean(self) -> dict:
        data = cast(dict[str, Any], super().clean())  # Form.clean returns cleaned_data
        for name in ["scans", *(doc["field"] for doc in self.checklist)]:
            for f in data.get(name) or []:
                try:
                    validate_upload(f)
                except ValidationError as exc:
                    self.add_error(name, exc)
                    break
        return data

    def checklist_rows(self) -> list[dict]:
        """The checklist with each row's bound scan field (for the template)."""
        kinds = dict(PaperKind.choices)
        return [
            {**doc, "bound": self[doc["field"]], "kind": kinds.get(doc["paper_kind"], "")}
            for doc in self.checklist
        ]

    def papers(self) -> dict[int | None, list]:
        """The scans by document id (``None``: other papers), for ``dossier_create_at_counter``."""
        out: dict[int | None, list] = {
            doc["id"]: list(self.cleaned_data.get(doc["field"]) or []) for doc in self.checklist
        }
        if self.cleaned_data.get("scans"):
            out[None] = list(self.cleaned_data["scans"])
        return out


class UploadForm(forms.Form):
    """One more file for a dossier (supplement answer, or a scan at intake)."""

    document_id = forms.TypedChoiceField(
        label=_("Document"), coerce=int, required=False, empty_value=None
    )
    file = CheckedFileField(label=_("File (PDF, JPEG, PNG)"))
    #: The slot of one item of the open supplement request (its position in the request's items).
    supplement_item = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args: Any, dossier: Dossier, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        docs = dossier.procedure_version.snapshot.get("documents", [])
        cast(forms.ChoiceField, self.fields["document_id"]).choices = [
            ("", _("Other document"))
        ] + [(d["id"], d["name"]) for d in docs]
