"""The dossier workflow as data: one table of transitions (from status/stage, action, who, to status).

Decree 118/2025 and Circular 03/2025/TT-VPCP: the one-stop clerk receives, asks for supplements or
refuses, and returns the result; the competent department's specialist examines; its leader
approves; the applicant submits, answers supplement requests, may withdraw and rates the service.

Who may act is a pair (role, scope):

* ``("applicant", "owner")`` – the applicant account the dossier belongs to;
* ``(role, "receiving")`` – a staff member with ``role`` in the receiving agency (or a parent);
* ``(role, "handling")`` – a staff member with ``role`` in the unit processing the dossier now
  (``handling_department``, else the receiving agency); a staff member attached to a department
  acts only for that department;
* ``(role, "assignee")`` – the person the dossier is assigned to, holding ``role``.

Services call :func:`check_transition`; pages call :func:`allowed_actions` to show buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from portal.accounts.constants import Role

from .constants import NATIONAL_STATUS_NAMES, Action, DossierStatus, Stage
from .exceptions import PermissionDenied, TransitionNotAllowed
from .models import Dossier

S = DossierStatus
APPLICANT = "applicant"
OWNER, RECEIVING, HANDLING, ASSIGNEE = "owner", "receiving", "handling", "assignee"


@dataclass(frozen=True)
class Transition:
    action: str
    from_statuses: frozenset[int]
    actors: tuple[tuple[str, str], ...]
    to_status: int | None  # None: computed by the service (resume after a pause) or unchanged
    from_stages: frozenset[str] | None = None
    guard: str | None = None
    label: str = field(default="", compare=False)


def _t(action: str, statuses: Iterable[int], actors: Iterable[tuple[str, str]], to: int | None, *, stages: Iterable[str] | None = None, guard: str | None = None) -> Transition:
    return Transition(action, frozenset(statuses), tuple(actors), to, frozenset(stages) if stages else None, guard)


_OPEN = (S.RECEIVED, S.IN_PROGRESS, S.SUPPLEMENT_REQUESTED, S.FINANCIAL_OBLIGATION)

TRANSITIONS: tuple[Transition, ...] = (
    _t(Action.SUBMIT, [S.DRAFT], [(APPLICANT, OWNER)], S.NEW),
    _t(Action.RECEIVE, [S.NEW], [(Role.CLERK, RECEIVING)], S.RECEIVED),
    _t(Action.REQUEST_SUPPLEMENT, [S.NEW], [(Role.CLERK, RECEIVING)], S.SUPPLEMENT_REQUESTED),
    _t(Action.REQUEST_SUPPLEMENT, [S.RECEIVED], [(Role.CLERK, RECEIVING), (Role.LEADER, RECEIVING)], S.SUPPLEMENT_REQUESTED),
    _t(Action.REQUEST_SUPPLEMENT, [S.IN_PROGRESS], [(Role.SPECIALIST, ASSIGNEE), (Role.LEADER, HANDLING)], S.SUPPLEMENT_REQUESTED,
       stages=[Stage.ASSIGNMENT, Stage.EXAMINATION, Stage.APPROVAL]),
    _t(Action.ANSWER_SUPPLEMENT, [S.SUPPLEMENT_REQUESTED], [(APPLICANT, OWNER), (Role.CLERK, RECEIVING)], None),
    _t(Action.REFUSE, [S.NEW], [(Role.CLERK, RECEIVING)], S.NOT_RECEIVED),
    _t(Action.REFUSE, [S.SUPPLEMENT_REQUESTED], [(Role.CLERK, RECEIVING)], S.NOT_RECEIVED, guard="at_intake"),
    _t(Action.ASSIGN, [S.RECEIVED], [(Role.CLERK, RECEIVING), (Role.LEADER, RECEIVING)], S.IN_PROGRESS),
    _t(Action.ASSIGN, [S.IN_PROGRESS], [(Role.LEADER, HANDLING)], S.IN_PROGRESS, stages=[Stage.ASSIGNMENT, Stage.EXAMINATION]),
    _t(Action.FORWARD, [S.IN_PROGRESS], [(Role.SPECIALIST, ASSIGNEE)], S.IN_PROGRESS, stages=[Stage.EXAMINATION]),
    _t(Action.SEND_BACK, [S.IN_PROGRESS], [(Role.LEADER, HANDLING)], S.IN_PROGRESS, stages=[Stage.APPROVAL]),
    _t(Action.APPROVE, [S.IN_PROGRESS], [(Role.LEADER, HANDLING)], S.PROCESSED, stages=[Stage.APPROVAL]),
    _t(Action.REQUEST_PAYMENT, [S.RECEIVED, S.IN_PROGRESS], [(Role.CLERK, RECEIVING), (Role.SPECIALIST, ASSIGNEE), (Role.LEADER, HANDLING)], S.FINANCIAL_OBLIGATION),
    _t(Action.CONFIRM_PAYMENT, [S.FINANCIAL_OBLIGATION], [(Role.CLERK, RECEIVING), (APPLICANT, OWNER)], None),
    _t(Action.RETURN_RESULT, [S.PROCESSED], [(Role.CLERK, RECEIVING)], S.RETURNED),
    _t(Action.WITHDRAW, [S.NEW, *_OPEN], [(APPLICANT, OWNER), (Role.CLERK, RECEIVING)], S.WITHDRAWN),
    _t(Action.STOP, _OPEN, [(Role.LEADER, HANDLING), (Role.LEADER, RECEIVING)], S.STOPPED),
    _t(Action.TRANSFER, [S.RECEIVED], [(Role.CLERK, RECEIVING), (Role.LEADER, RECEIVING)], S.IN_PROGRESS),
    _t(Action.TRANSFER, [S.IN_PROGRESS], [(Role.LEADER, HANDLING)], S.IN_PROGRESS, stages=[Stage.ASSIGNMENT, Stage.EXAMINATION, Stage.APPROVAL]),
    _t(Action.RATE, [S.RETURNED], [(APPLICANT, OWNER)], S.RETURNED, guard="not_rated"),
    _t(Action.APOLOGISE, [*_OPEN, S.PROCESSED], [(Role.LEADER, HANDLING), (Role.LEADER, RECEIVING), (Role.CLERK, RECEIVING)], None, guard="late"),
)

#: Vietnamese verbs for the messages (the English ones are the Action labels' msgids).
ACTION_VI: dict[str, str] = {
    Action.SUBMIT: "nộp hồ sơ", Action.CREATE_AT_COUNTER: "ghi nhận hồ sơ tại quầy", Action.RECEIVE: "tiếp nhận",
    Action.REQUEST_SUPPLEMENT: "yêu cầu bổ sung", Action.ANSWER_SUPPLEMENT: "bổ sung hồ sơ", Action.REFUSE: "từ chối tiếp nhận",
    Action.ASSIGN: "phân công", Action.FORWARD: "trình phê duyệt", Action.SEND_BACK: "trả lại để xử lý lại",
    Action.APPROVE: "phê duyệt", Action.REQUEST_PAYMENT: "yêu cầu thực hiện nghĩa vụ tài chính",
    Action.CONFIRM_PAYMENT: "xác nhận thanh toán", Action.RETURN_RESULT: "trả kết quả", Action.WITHDRAW: "rút hồ sơ",
    Action.STOP: "dừng xử lý", Action.TRANSFER: "chuyển liên thông", Action.RATE: "đánh giá",
    Action.APOLOGISE: "xin lỗi và hẹn lại",
}

_STATUS_EN = {
    0: "draft", 1: "newly registered", 2: "received", 3: "not received", 4: "being processed",
    5: "supplements requested", 6: "financial obligation requested", 7: "withdrawn", 8: "stopped",
    9: "processed", 10: "result returned",
}


def is_late(dossier: Dossier, now: Any = None) -> bool:
    """The dossier is past its appointment date (finished late, or still open after it)."""
    if dossier.due_at is None:
        return False
    moment = dossier.finished_at or now or timezone.now()
    return moment > dossier.due_at


GUARDS: dict[str, Callable[[Dossier], bool]] = {
    "at_intake": lambda d: d.resume_status == S.NEW,
    "not_rated": lambda d: not d.rating,
    # form 04 is sent when lateness is foreseen, before the due date, once (dossiers.deadlines)
    "late": lambda d: _deadlines().may_apologise(d),
}


def _deadlines() -> Any:
    from . import deadlines

    return deadlines


def unit_of(dossier: Dossier) -> Any:
    """The unit processing the dossier now."""
    return dossier.handling_department or dossier.receiving_agency


def acts_in_unit(user: Any, unit: Any, role: str) -> bool:
    """``user`` holds ``role`` in ``unit``: his agency contains the unit, and if he belongs to a
    department, the unit is inside that department."""
    if unit is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_staff_member", False):
        return False
    if not user.is_active or user.agency_id is None or not user.has_role(role):
        return False
    if not unit.is_within(user.agency):
        return False
    return user.department_id is None or unit.is_within(user.department)


def actor_matches(dossier: Dossier, user: Any, role: str, scope: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if scope == OWNER:
        return bool(getattr(user, "is_applicant", False) and dossier.applicant_id == user.pk)
    if scope == RECEIVING:
        # The one-stop counter belongs to the agency, not to one of its departments.
        return (
            getattr(user, "is_staff_member", False) and user.is_active and user.agency_id is not None
            and user.has_role(role) and dossier.receiving_agency.is_within(user.agency)
        )
    if scope == HANDLING:
        return acts_in_unit(user, unit_of(dossier), role)
    if scope == ASSIGNEE:
        return dossier.assigned_to_id == user.pk and user.has_role(role)
    return False


def _state_rows(dossier: Dossier, action: str) -> list[Transition]:
    rows = []
    for t in TRANSITIONS:
        if t.action != action or dossier.status not in t.from_statuses:
            continue
        if t.from_stages is not None and dossier.stage not in t.from_stages:
            continue
        if t.guard and not GUARDS[t.guard](dossier):
            continue
        rows.append(t)
    return rows


def check_transition(dossier: Dossier, user: Any, action: str) -> Transition:
    """The table row allowing ``user`` to take ``action`` now.

    Raises :class:`TransitionNotAllowed` when the dossier's state does not allow the action, and
    :class:`PermissionDenied` when it does but not for this user's role or agency.
    """
    rows = _state_rows(dossier, action)
    if not rows:
        raise TransitionNotAllowed(
            f"Không thể {ACTION_VI.get(action, action)} khi hồ sơ ở trạng thái «{NATIONAL_STATUS_NAMES.get(dossier.status, 'Bản nháp')}». "
            f"/ Cannot {action.replace('_', ' ')} a dossier that is {_STATUS_EN.get(dossier.status, '')}."
        )
    for t in rows:
        if any(actor_matches(dossier, user, role, scope) for role, scope in t.actors):
            return t
    raise PermissionDenied(
        f"Bạn không có quyền {ACTION_VI.get(action, action)} hồ sơ này. / You are not allowed to do this on this dossier."
    )


def allowed_actions(dossier: Dossier, user: Any) -> list[str]:
    """Actions ``user`` may take on ``dossier`` now, in table order (for the pages' buttons)."""
    found: list[str] = []
    for t in TRANSITIONS:
        if t.action in found or dossier.status not in t.from_statuses:
            continue
        if t.from_stages is not None and dossier.stage not in t.from_stages:
            continue
        if t.guard and not GUARDS[t.guard](dossier):
            continue
        if any(actor_matches(dossier, user, role, scope) for role, scope in t.actors):
            found.append(t.action)
    return found
