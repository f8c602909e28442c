"""The dossier workflow as data: one table of transitions that drives every dossier service.

Decree 118/2025 and Circular 03/2025/TT-VPCP: the one-stop clerk receives, asks for supplements or
refuses, and returns the result; the competent department's specialist examines; its leader
approves (and signs); the clerical office issues (Decree 30/2020); the applicant submits, answers
supplement requests, may withdraw and rates the service.

Each line of :data:`TRANSITIONS` is a :class:`portal.workflow.Row`: action, from statuses (and
stages), actors ``(role, scope)`` (scopes in :mod:`dossiers.access`), guard, **to status and to
stage**, clock (pause / resume / stop), notification event and recipient, printed form, history
visibility, the name of its input (``dossiers/inputs.py``: the page form and the API serializer
are both derived from it) and its effect (:mod:`dossiers.effects`). :func:`run` is the one way a
transition happens; the services in :mod:`dossiers.services` are thin calls to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from portal.accounts.constants import Role
from portal.core.outbox import outbox_enqueue
from portal.workflow import Clock, Row, Step, Visibility, Workflow, row

from . import effects as fx
from . import printing
from .access import (
    APPLICANT,
    ASSIGNEE,
    HANDLING,
    OWNER,
    RECEIVING,
    actor_matches,
    acts_in_unit,
    is_late,
    unit_of,
)
from .constants import Action, DossierStatus, Stage
from .exceptions import PermissionDenied, TransitionNotAllowed
from .history import append_event
from .models import Dossier

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


__all__ = [
    "APPLICANT",
    "ASSIGNEE",
    "DOSSIER",
    "HANDLING",
    "OWNER",
    "RECEIVING",
    "TRANSITIONS",
    "Transition",
    "acts_in_unit",
    "actor_matches",
    "allowed_actions",
    "check_transition",
    "is_late",
    "run",
    "unit_of",
]

S = DossierStatus
K = printing.Kind
Transition = Row  # the name callers used before the engine
NOTIFY_TASK = "portal.notifications.tasks.send_dossier_event"

_OPEN = (S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION)
_PROCESSING = [Stage.ASSIGNMENT, Stage.EXAMINATION, Stage.APPROVAL]
CLERK, SPECIALIST, LEADER, CLERICAL = Role.CLERK, Role.SPECIALIST, Role.LEADER, Role.CLERICAL
_stage_after_handover = fx.examination_if_assigned

TRANSITIONS: tuple[Row, ...] = (
    row(
        Action.SUBMIT,
        [S.DRAFT],
        [(APPLICANT, OWNER)],
        S.NEW,
        to_stage=Stage.INTAKE,
        notify="submitted",
        effect=fx.submit,
    ),
    row(
        Action.RECEIVE,
        [S.NEW],
        [(CLERK, RECEIVING)],
        S.RECEIVED,
        to_stage=Stage.ASSIGNMENT,
        notify="received",
        printed_form=K.RECEIPT,
        input="comment",
        effect=fx.receive,
    ),
    row(
        Action.REQUEST_SUPPLEMENT,
        [S.NEW],
        [(CLERK, RECEIVING)],
        S.SUPPLEMENT_REQUESTED,
        clock=Clock.PAUSE,
        notify="supplement_requested",
        printed_form=K.SUPPLEMENT,
        input="supplement_request",
        effect=fx.request_supplement,
    ),
    row(
        Action.REQUEST_SUPPLEMENT,
        [S.RECEIVED],
        [(CLERK, RECEIVING), (LEADER, RECEIVING)],
        S.SUPPLEMENT_REQUESTED,
        clock=Clock.PAUSE,
        notify="supplement_requested",
        printed_form=K.SUPPLEMENT,
        input="supplement_request",
        effect=fx.request_supplement,
    ),
    row(
        Action.REQUEST_SUPPLEMENT,
        [S.IN_PROGRESS],
        [(SPECIALIST, ASSIGNEE), (LEADER, HANDLING)],
        S.SUPPLEMENT_REQUESTED,
        stages=_PROCESSING,
        clock=Clock.PAUSE,
        notify="supplement_requested",
        printed_form=K.SUPPLEMENT,
        input="supplement_request",
        effect=fx.request_supplement,
    ),
    # Back to where processing stood (status 1 at intake): the clock's resume sets status and stage.
    row(
        Action.ANSWER_SUPPLEMENT,
        [S.SUPPLEMENT_REQUESTED],
        [(APPLICANT, OWNER), (CLERK, RECEIVING)],
        None,
        clock=Clock.RESUME,
        notify="supplement_answered",
        notify_to="assignee",
        input="comment",
        effect=fx.answer_supplement,
    ),
    row(
        Action.REFUSE,
        [S.NEW],
        [(CLERK, RECEIVING)],
        S.NOT_RECEIVED,
        to_stage=Stage.CLOSED,
        clock=Clock.STOP,
        notify="refused",
        printed_form=K.REFUSAL,
        input="reason",
        effect=fx.refuse,
    ),
    row(
        Action.REFUSE,
        [S.SUPPLEMENT_REQUESTED],
        [(CLERK, RECEIVING)],
        S.NOT_RECEIVED,
        to_stage=Stage.CLOSED,
        clock=Clock.STOP,
        guard="at_intake",
        notify="refused",
        printed_form=K.REFUSAL,
        input="reason",
        effect=fx.refuse,
    ),
    row(
        Action.ASSIGN,
        [S.RECEIVED],
        [(CLERK, RECEIVING), (LEADER, RECEIVING)],
        S.IN_PROGRESS,
        to_stage=_stage_after_handover,
        notify="assigned",
        notify_to="to_user",
        input="assign",
        effect=fx.assign,
    ),
    row(
        Action.ASSIGN,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        S.IN_PROGRESS,
        to_stage=_stage_after_handover,
        stages=[Stage.ASSIGNMENT, Stage.EXAMINATION],
        notify="assigned",
        notify_to="to_user",
        input="assign",
        effect=fx.assign,
    ),
    row(
        Action.FORWARD,
        [S.IN_PROGRESS],
        [(SPECIALIST, ASSIGNEE)],
        S.IN_PROGRESS,
        to_stage=Stage.APPROVAL,
        stages=[Stage.EXAMINATION],
        notify="approval_requested",
        notify_to="to_user",
        input="forward",
        effect=fx.forward,
    ),
    row(
        Action.SEND_BACK,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        S.IN_PROGRESS,
        to_stage=Stage.EXAMINATION,
        stages=[Stage.APPROVAL],
        notify="sent_back",
        notify_to="to_user",
        visibility=Visibility.INTERNAL,
        input="reason",
        effect=fx.send_back,
    ),
    row(
        Action.ATTACH_DRAFT,
        [S.IN_PROGRESS],
        [(SPECIALIST, ASSIGNEE)],
        None,
        stages=[Stage.EXAMINATION],
        visibility=Visibility.INTERNAL,
        input="draft_result",
        effect=fx.attach_draft,
    ),
    row(
        Action.ATTACH_DRAFT,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        None,
        stages=[Stage.APPROVAL],
        visibility=Visibility.INTERNAL,
        input="draft_result",
        effect=fx.attach_draft,
    ),
    row(
        Action.APPROVE,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        S.PROCESSED,
        to_stage=Stage.RESULT,
        stages=[Stage.APPROVAL],
        notify="result_ready",
        printed_form=K.CONTROL,
        input="approve",
        effect=fx.approve,
    ),
    row(
        Action.SIGN_APPROVE,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        S.PROCESSED,
        to_stage=Stage.RESULT,
        stages=[Stage.APPROVAL],
        notify="result_ready",
        printed_form=K.CONTROL,
        input="sign",
        effect=fx.sign_approve,
        records_as=Action.APPROVE,
    ),
    row(
        Action.REQUEST_PAYMENT,
        [S.RECEIVED, S.IN_PROGRESS],
        [(CLERK, RECEIVING), (SPECIALIST, ASSIGNEE), (LEADER, HANDLING)],
        S.FINANCIAL_OBLIGATION,
        clock=Clock.PAUSE,
        notify="payment_requested",
        input="payment_request",
        effect=fx.request_payment,
    ),
    row(
        Action.CONFIRM_PAYMENT,
        [S.FINANCIAL_OBLIGATION],
        [(CLERK, RECEIVING), (APPLICANT, OWNER)],
        None,
        clock=Clock.RESUME,
        input="payment_confirmation",
        effect=fx.confirm_payment,
    ),
    row(
        Action.RETURN_RESULT,
        [S.PROCESSED],
        [(CLERK, RECEIVING)],
        S.RETURNED,
        to_stage=Stage.CLOSED,
        notify="returned",
        printed_form=K.CONTROL,
        input="return",
        effect=fx.return_result,
    ),
    row(
        Action.ISSUE_RESULT,
        [S.PROCESSED, S.RETURNED],
        [(CLERICAL, RECEIVING)],
        None,
        input="issue",
        effect=fx.issue_result,
    ),
    row(
        Action.WITHDRAW,
        [S.NEW, *_OPEN],
        [(APPLICANT, OWNER), (CLERK, RECEIVING)],
        S.WITHDRAWN,
        to_stage=Stage.CLOSED,
        clock=Clock.STOP,
        notify="withdrawn",
        input="optional_reason",
        effect=fx.withdraw,
    ),
    row(
        Action.STOP,
        _OPEN,
        [(LEADER, HANDLING), (LEADER, RECEIVING)],
        S.STOPPED,
        to_stage=Stage.CLOSED,
        clock=Clock.STOP,
        notify="stopped",
        printed_form=K.STOP,
        input="reason",
        effect=fx.stop,
    ),
    row(
        Action.TRANSFER,
        [S.RECEIVED],
        [(CLERK, RECEIVING), (LEADER, RECEIVING)],
        S.IN_PROGRESS,
        to_stage=_stage_after_handover,
        notify="transferred",
        notify_to="to_user",
        input="transfer",
        effect=fx.transfer,
    ),
    row(
        Action.TRANSFER,
        [S.IN_PROGRESS],
        [(LEADER, HANDLING)],
        S.IN_PROGRESS,
        to_stage=_stage_after_handover,
        stages=_PROCESSING,
        notify="transferred",
        notify_to="to_user",
        input="transfer",
        effect=fx.transfer,
    ),
    row(
        Action.RATE,
        [S.RETURNED],
        [(APPLICANT, OWNER)],
        S.RETURNED,
        guard="not_rated",
        input="rate",
        effect=fx.rate,
    ),
    row(
        Action.APOLOGISE,
        [*_OPEN, S.PROCESSED],
        [(LEADER, HANDLING), (LEADER, RECEIVING), (CLERK, RECEIVING)],
        None,
        guard="late",
        notify="apology",
        printed_form=K.APOLOGY,
        input="apology",
        effect=fx.apologise,
    ),
)

#: Actions that create a dossier rather than move one (no row: nothing to move from).
CREATION_ACTIONS = frozenset({Action.CREATE_AT_COUNTER})

GUARDS = {
    "at_intake": lambda d: d.resume_status == S.NEW,
    "not_rated": lambda d: not d.rating,
    # form 04 is sent when lateness is foreseen, before the due date, once (dossiers.deadlines)
    "late": lambda d: _deadlines().may_apologise(d),
}


def _deadlines() -> Any:
    from . import deadlines

    return deadlines


# --- the hooks that make the engine act on dossiers -------------------------------------------------


def _status_label(status: int | None) -> str:
    return str(S(status).label) if status in S.values else ""


def _not_allowed(dossier: Dossier, action: str) -> Exception:
    return TransitionNotAllowed(
        _("“%(action)s” is not possible while the dossier is “%(status)s”.")
        % {"action": Action(action).label, "status": _status_label(dossier.status)}
    )


def _denied(dossier: Dossier, action: str) -> Exception:
    return PermissionDenied(
        _("You are not allowed to “%(action)s” on this dossier.") % {"action": Action(action).label}
    )


def _clock(step: Step) -> None:
    dossier = step.obj
    if step.row.clock == Clock.PAUSE:
        fx.pause(dossier, step.now)
    elif step.row.clock == Clock.RESUME:
        paused = fx.resume(dossier, step.now)
        step.event.setdefault("data", {})["paused_seconds"] = paused
    elif step.row.clock == Clock.STOP:
        fx.end_pause(dossier, step.now)


def _record(step: Step) -> Any:
    return append_event(
        step.obj,
        action=step.row.history_action,
        actor=step.actor,
        from_status=step.previous_status,
        visibility=step.row.visibility,
        **step.event,
    )


def _notify(step: Step, event: Any) -> None:
    """The applicant (``notify_to="owner"``), or the staff member the row names: the receiver of
    the hand-over (``to_user``) or the assignee after the change (``assignee``)."""
    dossier = step.obj
    if step.row.notify_to == "owner":
        user_id = None
    elif step.row.notify_to == "to_user":
        user_id = getattr(step.event.get("to_user"), "pk", None)
    else:
        user_id = dossier.assigned_to_id
    if step.row.notify_to != "owner" and user_id is None:
        return
    key = f"dossier:{dossier.pk}:event:{event.pk}" + (f":user:{user_id}" if user_id else "")
    outbox_enqueue(
        NOTIFY_TASK,
        kwargs={"dossier_id": dossier.pk, "event": step.row.notify, "user_id": user_id},
        dedupe_key=key,
    )


def _print(step: Step) -> None:
    """The engine calls this only for a row that names a printed form."""
    if step.row.printed_form:
        printing.on_transition(step.obj, step.row.printed_form, step.related)


DOSSIER = Workflow(
    name="dossier",
    rows=TRANSITIONS,
    actor_matches=actor_matches,
    lock=fx.lock,
    guards=GUARDS,
    not_allowed=_not_allowed,
    denied=_denied,
    clock=_clock,
    record=_record,
    notify=_notify,
    print_form=_print,
)


def run(action: str, *, dossier: Dossier, actor: Actor, **input: Any) -> Any:
    """Take ``action`` on ``dossier`` as ``actor`` in one transaction (see :mod:`portal.workflow`):
    returns the dossier, or what the effect produced (supplement request, apology, signed document)."""
    return DOSSIER.run(action, obj=dossier, actor=actor, **input)


def check_transition(dossier: Dossier, user: Actor, action: str) -> Row:
    """The table row allowing ``user`` to take ``action`` now.

    Raises :class:`TransitionNotAllowed` when the dossier's state does not allow the action, and
    :class:`PermissionDenied` when it does but not for this user's role or agency.
    """
    return DOSSIER.check(dossier, user, action)


def allowed_actions(dossier: Dossier, user: Actor) -> list[str]:
    """Actions ``user`` may take on ``dossier`` now, in table order (for the pages' buttons)."""
    return DOSSIER.allowed(dossier, user)
