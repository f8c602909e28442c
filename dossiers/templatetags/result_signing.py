"""The result-signing panel of the dossier page (one include, so detail.html stays small)."""

from __future__ import annotations

from typing import Any

from django import template

from ..constants import Action, DossierStatus
from ..result_signing import may_attach_draft, may_issue, signed_result_of
from ..signing_forms import DraftResultForm, IssueForm, SignApproveForm

register = template.Library()


@register.inclusion_tag("dossiers/_result_signing.html", takes_context=True)
def result_signing_panel(context: Any) -> dict:
    request, dossier = context["request"], context["dossier"]
    user = request.user
    actions = context.get("actions") or []
    document = signed_result_of(dossier)
    is_owner = getattr(user, "is_applicant", False) and dossier.applicant_id == user.pk
    staff = getattr(user, "is_staff_member", False)
    can_sign = Action.APPROVE in actions
    return {
        "dossier": dossier,
        "document": document,
        "csrf_token": context.get("csrf_token"),
        "show_document": document is not None
        and (staff or (is_owner and dossier.status == DossierStatus.RETURNED)),
        "can_sign": can_sign,
        "sign_form": SignApproveForm(prefix="sign") if can_sign else None,
        "has_draft": bool(dossier.result_file) and dossier.status == DossierStatus.IN_PROGRESS,
        "draft_form": DraftResultForm(prefix="draft") if may_attach_draft(dossier, user) else None,
        "issue_form": IssueForm(prefix="issue")
        if document is not None and not document.issue_number and may_issue(dossier, user)
        else None,
    }


@register.inclusion_tag("dossiers/_sign_approve_batch.html", takes_context=True)
def sign_approve_batch_panel(context: Any) -> dict:
    """PIN, level and comment under the approval queue's checkboxes."""
    return {"sign_form": SignApproveForm(prefix="sign"), "csrf_token": context.get("csrf_token")}
