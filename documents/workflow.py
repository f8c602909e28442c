"""The outgoing and incoming document workflows as tables on the portal's engine
(:mod:`portal.workflow`), like the dossiers' (:mod:`dossiers.workflow`).

Decree 30/2020/NĐ-CP: the drafter (specialist, clerical office or leader) puts a draft before the
leader (trình ký), who signs it or sends it back; the clerical office (văn thư) issues it with the
next number of the book and sends it; a sent document can be recalled or updated. An incoming
document is registered by the văn thư, assigned by the leader, processed by the assignee (or the
assigned department's specialists, or a leader), or refused; the sender's recall is answered.
QCVN 102:2016: each incoming step sends its status code (03, 04, 05, 06, 02, 15/16) back to the
sender — that code is the row's ``notify``.

Actor scopes: ``agency`` — holds the role for the document's agency (agency-wide business,
:func:`portal.accounts.selectors.user_can_act_for`); ``processor`` — the incoming document's
assignee, a leader of the agency, or a specialist of the assigned department.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.constants import Role
from portal.accounts.selectors import user_can_act_for
from portal.workflow import Step, Workflow, row

from . import effects as fx
from .constants import EventAction, IncomingState, OutgoingState, RecallState, StatusCode
from .exceptions import DocumentError, PermissionDenied

if TYPE_CHECKING:
    from portal.accounts.typed import Actor

    from .models import OutgoingDocument


AGENCY, PROCESSOR = "agency", "processor"
OS, IS = OutgoingState, IncomingState
DRAFTERS = [(r, AGENCY) for r in fx.DRAFTERS]
CLERICAL, LEADER = (Role.CLERICAL, AGENCY), (Role.LEADER, AGENCY)


def actor_matches(document: Any, user: Actor, role: str, scope: str) -> bool:
    if scope == AGENCY:
        return user_can_act_for(user, document.agency, role, agency_wide=True)
    if scope == PROCESSOR:
        return fx.may_process(user, document)
    return False


def _holders_exist(document: OutgoingDocument) -> bool:
    return document.recipients.exclude(status_code__in=["", StatusCode.REJECTED]).exists()


GUARDS = {
    # only recipients that hold the document (reached, not rejected) can be asked; one request at a time
    "recall_possible": lambda d: d.recall_state != RecallState.REQUESTED and _holders_exist(d),
    "recall_pending": lambda d: d.recall_state == RecallState.REQUESTED,
}

OUTGOING_ROWS = (
    row(
        "submit",
        [OS.DRAFT],
        DRAFTERS,
        OS.SUBMITTED,
        records_as=EventAction.SUBMIT,
        input="comment",
        effect=fx.fx_submit,
    ),
    row(
        "send_back",
        [OS.SUBMITTED],
        [LEADER],
        OS.DRAFT,
        records_as=EventAction.SEND_BACK,
        input="reason",
        effect=fx.fx_send_back,
    ),
    row(
        "sign",
        [OS.DRAFT, OS.SUBMITTED],
        [LEADER],
        OS.SIGNED,
        records_as=EventAction.SIGN,
        input="sign",
        effect=fx.fx_sign,
    ),
    row(
        "issue",
        [OS.SIGNED],
        [CLERICAL],
        OS.ISSUED,
        records_as=EventAction.ISSUE,
        input="issue",
        effect=fx.fx_issue,
    ),
    row(
        "send",
        [OS.ISSUED],
        [CLERICAL],
        OS.SENT,
        records_as=EventAction.SEND,
        input="comment",
        effect=fx.fx_send,
    ),
    row(
        "recall",
        [OS.SENT],
        [CLERICAL, LEADER],
        None,
        guard="recall_possible",
        records_as=EventAction.RECALL,
        input="recall",
        effect=fx.fx_recall,
    ),
    # adding an appendix is an edit, not a move: the row says who may and when (the page's button)
    row(
        "attach",
        [OS.DRAFT, OS.SUBMITTED, OS.SIGNED, OS.ISSUED],
        DRAFTERS,
        None,
        records_as=EventAction.ATTACH,
        input="attach",
    ),
)

INCOMING_ROWS = (
    row(
        "register",
        [IS.RECEIVED],
        [CLERICAL],
        IS.REGISTERED,
        records_as=EventAction.REGISTER,
        notify=StatusCode.ACCEPTED,
        effect=fx.fx_register,
    ),
    row(
        "reject",
        [IS.RECEIVED, IS.REGISTERED],
        [CLERICAL, LEADER],
        IS.REJECTED,
        records_as=EventAction.REJECT,
        notify=StatusCode.REJECTED,
        input="reason",
        effect=fx.fx_reject,
    ),
    row(
        "assign",
        [IS.REGISTERED, IS.ASSIGNED],
        [LEADER],
        IS.ASSIGNED,
        records_as=EventAction.ASSIGN,
        notify=StatusCode.ASSIGNED,
        input="assign",
        effect=fx.fx_assign,
    ),
    row(
        "start",
        [IS.ASSIGNED],
        [("*", PROCESSOR)],
        IS.IN_PROGRESS,
        records_as=EventAction.START,
        notify=StatusCode.IN_PROGRESS,
    ),
    row(
        "complete",
        [IS.ASSIGNED, IS.IN_PROGRESS],
        [("*", PROCESSOR)],
        IS.DONE,
        records_as=EventAction.DONE,
        notify=StatusCode.DONE,
        input="comment",
        effect=fx.fx_complete,
    ),
    # the answer decides the state (recalled, or unchanged) and the code (15 or 16)
    row(
        "recall_accept",
        list(IS),
        [CLERICAL, LEADER],
        None,
        guard="recall_pending",
        records_as=EventAction.RECALL_ACCEPT,
        notify=StatusCode.RECALL_ACCEPTED,
        input="comment",
        effect=fx.fx_recall_accept,
    ),
    row(
        "recall_refuse",
        list(IS),
        [CLERICAL, LEADER],
        None,
        guard="recall_pending",
        records_as=EventAction.RECALL_REFUSE,
        notify=StatusCode.RECALL_REFUSED,
        input="reason",
        effect=fx.fx_recall_refuse,
    ),
)


#: What the pages' buttons say (and the refusals name).
OUTGOING_LABELS = {
    "submit": gettext_lazy("Submit for signature"),
    "sign": gettext_lazy("Sign"),
    "issue": gettext_lazy("Issue (give the number)"),
    "send": gettext_lazy("Send to the recipients"),
    "recall": gettext_lazy("Request recall or update"),
    "attach": gettext_lazy("Attach an appendix"),
    "send_back": gettext_lazy("Send back to the drafter"),
}
INCOMING_LABELS = {
    "register": gettext_lazy("Register in the incoming book"),
    "reject": gettext_lazy("Refuse the document"),
    "assign": gettext_lazy("Assign"),
    "start": gettext_lazy("Start processing"),
    "complete": gettext_lazy("Mark as done"),
    "recall_accept": gettext_lazy("Accept the recall/update"),
    "recall_refuse": gettext_lazy("Refuse the recall/update"),
}
#: Refusals that say more than "not in this state".
NOT_ALLOWED = {"send_back": gettext_lazy("Only a draft submitted for signature can be sent back.")}


def _not_allowed(document: Any, action: str) -> Exception:
    if action in NOT_ALLOWED:
        return DocumentError(str(NOT_ALLOWED[action]), code="transition_not_allowed")
    label = OUTGOING_LABELS.get(action) or INCOMING_LABELS.get(action) or action
    return DocumentError(
        _("“%(action)s” is not possible while the document is “%(state)s”.")
        % {"action": label, "state": document.get_state_display()},
        code="transition_not_allowed",
    )


def _denied(document: Any, action: str) -> Exception:
    return PermissionDenied()


def _record_outgoing(step: Step) -> Any:
    return fx.record_event(
        outgoing=step.obj, action=step.row.history_action, actor=step.actor, **step.event
    )


def _record_incoming(step: Step) -> Any:
    return fx.record_event(
        incoming=step.obj,
        action=step.row.history_action,
        actor=step.actor,
        status_code=step.row.notify or "",
        **step.event,
    )


def _notify_sender(step: Step, event: Any) -> None:
    fx.status_out(step.obj, event)


OUTGOING = Workflow(
    name="outgoing document",
    rows=OUTGOING_ROWS,
    actor_matches=actor_matches,
    lock=fx.lock_outgoing,
    guards=GUARDS,
    not_allowed=_not_allowed,
    denied=_denied,
    status_field="state",
    stage_field=None,
    record=_record_outgoing,
    role_first=True,
)
INCOMING = Workflow(
    name="incoming document",
    rows=INCOMING_ROWS,
    actor_matches=actor_matches,
    lock=fx.lock_incoming,
    guards=GUARDS,
    not_allowed=_not_allowed,
    denied=_denied,
    status_field="state",
    stage_field=None,
    record=_record_incoming,
    notify=_notify_sender,
    role_first=True,
)
