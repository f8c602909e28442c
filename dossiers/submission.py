"""The online submission form's steps that are not the page itself (issue 14): saving the draft
with its data, fee choice and files; keeping the valid files chosen when the form has errors (as
the draft's attachments, shown as already attached); the GOV.UK Design System's error summary
(each error once, a link to its field, the same words as the inline message)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from procedures.models import Procedure

from . import eforms as dossier_eforms
from . import forms, services
from .document_store import store_documents_for, store_reuse
from .exceptions import DossierError
from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import AuthenticatedHttpRequest


def save_submission(
    request: AuthenticatedHttpRequest,
    form: Any,
    eform: Any,
    procedure: Procedure,
    draft: Dossier | None,
) -> Dossier:
    """Save the draft with the form's data, fee choice and files (one call per file)."""
    user = request.user
    form_data = eform.form_data(form.form_data()) if eform else form.form_data()
    kwargs = {
        "actor": user,
        "agency": form.cleaned_data["agency"],
        "form_data": form_data,
        "applicant": form.applicant(),
        "fee_case": form.cleaned_data.get("fee_case"),
        "fee_copies": form.cleaned_data.get("fee_copies"),
    }
    if eform is not None and forms.eform_copies(form.snapshot):  # the e-form's own answer
        kwargs["fee_copies"] = eform.data.get("copies") or None
    draft = (
        services.dossier_save_draft(dossier=draft, procedure=procedure, **kwargs)
        if draft
        else services.dossier_save_draft(procedure=procedure, **kwargs)
    )
    for doc, up, reuse in form.document_fields:
        replaced = form.cleaned_data.get(up) or form.cleaned_data.get(reuse)
        if replaced or request.POST.get(f"remove_{doc['id']}"):
            for old in draft.files.filter(document_id=doc["id"]):
                services.dossier_remove_file(dossier_file=old, actor=user)
        if form.cleaned_data.get(up):
            services.dossier_add_file(
                dossier=draft,
                actor=user,
                uploaded_file=form.cleaned_data[up],
                document_id=doc["id"],
            )
        elif form.cleaned_data.get(reuse):
            services.dossier_reuse_file(
                dossier=draft,
                actor=user,
                source=form.reusable[form.cleaned_data[reuse]],
                document_id=doc["id"],
            )
        elif str(
            request.POST.get(f"store_{doc['id']}", "")
        ).isdigit():  # one click from the document store
            stored = get_object_or_404(
                store_documents_for(user), pk=int(request.POST[f"store_{doc['id']}"])
            )
            store_reuse(dossier=draft, actor=user, stored=stored, document_id=doc["id"])
    return draft


def keep_valid_files(
    request: AuthenticatedHttpRequest, form: Any, procedure: Procedure, draft: Dossier | None
) -> Dossier | None:
    """After an error, attach the files that passed their checks to the draft (created for them
    when the agency is known) and drop what the applicant asked to remove. A file that cannot be
    kept stays an error of its field."""
    user = request.user
    cleaned = getattr(form, "cleaned_data", {})
    valid = [
        (doc, cleaned[up])
        for doc, up, _reuse in form.document_fields
        if cleaned.get(up) and up not in form.errors
    ]
    removals = [
        doc for doc, _up, _reuse in form.document_fields if request.POST.get(f"remove_{doc['id']}")
    ]
    if not valid and not (draft and removals):
        return draft
    try:
        if draft is None:
            agency = cleaned.get("agency")
            if agency is None:  # no draft can hold them yet
                for doc, _upload in valid:
                    form.add_error(
                        f"doc_{doc['id']}",
                        _("Not kept: choose the receiving agency, then choose this file again."),
                    )
                return None
            draft = services.dossier_save_draft(actor=user, procedure=procedure, agency=agency)
        for doc in removals:
            for old in draft.files.filter(document_id=doc["id"]):
                services.dossier_remove_file(dossier_file=old, actor=user)
        for doc, upload in valid:
            for old in draft.files.filter(document_id=doc["id"]):
                services.dossier_remove_file(dossier_file=old, actor=user)
            upload.seek(0)
            try:
                services.dossier_add_file(
                    dossier=draft, actor=user, uploaded_file=upload, document_id=doc["id"]
                )
            except DossierError as exc:
                form.add_error(f"doc_{doc['id']}", exc.message)
    except DossierError as exc:
        form.add_error(None, exc.message)
    return draft


def error_summary(form: Any, eform: Any) -> list[tuple[str, str]]:
    """The GOV.UK Design System's error summary: each error once, as a link to its field, the
    same words as the inline message; the page's own errors link to the form's first field."""
    if not form.is_bound:
        return []
    items: list[tuple[str, str]] = []
    for message in form.non_field_errors():
        items.append(("#id_agency", str(message)))
    for name in form.fields:
        for message in form.errors.get(name, []):
            field = form[name]
            target = field.id_for_label or f"id_{name}"
            if name == "fee_case":
                target = f"{field.auto_id}_0"
            items.append((f"#{target}", str(message)))
    if eform is not None:
        items.extend(dossier_eforms.error_links(eform))
    return items
