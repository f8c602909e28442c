"""The input each document workflow row takes (``Row.input`` in :mod:`documents.workflow`), and the
one dispatcher the pages (``documents:outgoing_act`` / ``incoming_act``) and the API
(``POST /api/v1/documents/outgoing|incoming/{id}/actions/{action}/``) both call — the shape the
dossiers have (:mod:`dossiers.inputs`).

Each input is declared once, as its page form; the API serializer is derived from it
(:func:`portal.workflow.inputs.serializer_from_form`). The assignment keeps a serializer of its
own: the page offers a choice list of the agency's departments and staff, the API takes their ids
(both become ``department`` / ``assignee`` objects here, then the "assign" row checks they belong to
the agency). An action whose entry point does more than the transition (signing before the row
lock, numbering and sending in one go, reading an uploaded file) goes to that service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import serializers

from portal.accounts.models import User
from portal.agencies.models import Agency
from portal.core.uploads import validate_upload
from portal.workflow import Workflow
from portal.workflow.inputs import serializer_from_form

from . import forms, services, workflow
from .exceptions import DocumentError
from .models import IncomingDocument, OutgoingDocument

if TYPE_CHECKING:
    from django.forms import Form

    from portal.accounts.typed import Actor


#: Ids beyond PostgreSQL's bigint are refused as input (400), never sent to the database (500).
MAX_ID = 2**63 - 1


class AssignInputSerializer(serializers.Serializer):
    """The leader's assignment by ids: a department of the agency and/or a staff member."""

    department = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    assignee = serializers.IntegerField(
        required=False, allow_null=True, default=None, min_value=1, max_value=MAX_ID
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


@dataclass(frozen=True)
class Input:
    form: type[Form] | None  # None: the action takes nothing
    own_serializer: type | None = None

    @cached_property
    def serializer(self) -> type | None:
        if self.form is None:
            return None
        return self.own_serializer or serializer_from_form(self.form)


INPUTS: dict[str | None, Input] = {
    None: Input(None),
    "comment": Input(forms.CommentForm),
    "reason": Input(forms.ReasonForm),
    "sign": Input(forms.SignForm),
    "issue": Input(forms.IssueForm),
    "recall": Input(forms.RecallForm),
    "attach": Input(forms.AttachForm),
    "assign": Input(forms.AssignForm, AssignInputSerializer),
}


def input_of(table: Workflow, action: str) -> Input:
    """The input declaration of ``action`` (every row of one action takes the same input)."""
    return INPUTS[table.rows_of(action)[0].input]


def _read(upload: Any) -> bytes:
    upload.seek(0)
    return upload.read()


# --- outgoing -------------------------------------------------------------------------------------


def _attach(*, document: OutgoingDocument, actor: Actor, file: Any, description: str = "") -> Any:
    """An appendix (PDF, JPEG, PNG checked by content, as every upload of the portal)."""
    try:
        content_type = validate_upload(file).content_type
    except ValidationError as exc:
        raise DocumentError(" ".join(exc.messages), code="invalid_file") from exc
    return services.outgoing_add_attachment(
        document=document,
        actor=actor,
        data=_read(file),
        name=file.name,
        content_type=content_type,
        description=description,
    )


def _issue(
    *,
    document: OutgoingDocument,
    actor: Actor,
    promulgation_date: Any = None,
    notation: str = "",
    send_now: bool = False,
) -> OutgoingDocument:
    issued = services.outgoing_issue(
        document=document, actor=actor, promulgation_date=promulgation_date, notation=notation
    )
    if send_now:
        services.outgoing_send(document=issued, actor=actor)
    return issued


OUTGOING_ENTRY: dict[str, Callable[..., Any]] = {
    "submit": lambda *, document, actor, comment="": services.outgoing_submit_for_signature(
        document=document, actor=actor, comment=comment
    ),
    "send_back": lambda *, document, actor, reason: services.outgoing_return_draft(
        document=document, actor=actor, reason=reason
    ),
    "sign": lambda *, document, actor, pin, reason="": services.outgoing_sign(
        document=document, actor=actor, pin=pin, reason=reason
    ),
    "issue": _issue,
    "send": lambda *, document, actor, comment="": services.outgoing_send(
        document=document, actor=actor
    ),
    "recall": lambda *, document, actor, reason, kind="recall": services.outgoing_request_recall(
        document=document, actor=actor, reason=reason, update=kind == "update"
    ),
    "attach": _attach,
}


def dispatch_outgoing(action: str, *, document: OutgoingDocument, actor: Actor, data: dict) -> Any:
    """Run an outgoing row with the cleaned input of its form or serializer."""
    return OUTGOING_ENTRY[action](document=document, actor=actor, **data)


# --- incoming -------------------------------------------------------------------------------------


def _assign(
    *,
    document: IncomingDocument,
    actor: Actor,
    department: Any = None,
    assignee: Any = None,
    comment: str = "",
) -> IncomingDocument:
    """Ids (API) or chosen values (page) to objects; the row checks they belong to the agency."""
    unit = Agency.objects.filter(pk=department).first() if department else None
    person = User.objects.staff_members().filter(pk=assignee).first() if assignee else None
    if (department and unit is None) or (assignee and person is None):
        raise DocumentError(_("Department or assignee not found."), code="not_found")
    return services.incoming_assign(
        document=document, actor=actor, department=unit, assignee=person, note=comment
    )


def _answer_recall(accept: bool) -> Callable[..., Any]:
    def answer(*, document: IncomingDocument, actor: Actor, reason: str = "", comment: str = ""):
        return services.incoming_answer_recall(
            document=document, actor=actor, accept=accept, reason=reason or comment
        )

    return answer


INCOMING_ENTRY: dict[str, Callable[..., Any]] = {
    "register": lambda *, document, actor: services.incoming_register(
        document=document, actor=actor
    ),
    "reject": lambda *, document, actor, reason: services.incoming_reject(
        document=document, actor=actor, reason=reason
    ),
    "assign": _assign,
    "start": lambda *, document, actor: services.incoming_start(document=document, actor=actor),
    "complete": lambda *, document, actor, comment="": services.incoming_complete(
        document=document, actor=actor, note=comment
    ),
    "recall_accept": _answer_recall(True),
    "recall_refuse": _answer_recall(False),
}


def dispatch_incoming(action: str, *, document: IncomingDocument, actor: Actor, data: dict) -> Any:
    """Run an incoming row with the cleaned input of its form or serializer."""
    return INCOMING_ENTRY[action](document=document, actor=actor, **data)


#: The two tables, their dispatchers: what the pages and the API share.
TABLES = {
    "outgoing": (workflow.OUTGOING, dispatch_outgoing),
    "incoming": (workflow.INCOMING, dispatch_incoming),
}
