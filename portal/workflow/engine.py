"""One workflow engine for every table-driven object (dossiers, outgoing and incoming documents).

A transition is a :class:`Row` of data — the action, the statuses (and stages) it starts from, who
may take it as ``(role, scope)`` pairs, an optional guard, the status **and** stage it leads to,
what happens to the legal clock (pause / resume / stop), the notification event, the printed form it
requests, whether its history row is public or internal, and the name of the input it takes — plus
one optional *effect* function holding only what is specific to the action (issuing a code and
deadlines at reception, picking an assignee, signing...).

:meth:`Workflow.run` is the only way a transition happens::

    with transaction.atomic():
        obj = lock(obj)                      # SELECT ... FOR UPDATE
        row = check(obj, actor, action)      # state first (400), then role (403)
        row.effect(step, **input)            # the specific part; may fill step.event / step.result
        clock(step); status/stage from row   # the table drives, not the effect
        obj.save(); record(step)             # the (hash-chained) history row
        notify(step, event); print_form(step)

The object-specific parts (how to lock, who an actor ``scope`` is, the clock, the history, the
notifications, the printed forms) are hooks the app passes to :class:`Workflow`; the engine imports
nothing above ``portal`` (apps import downward only). This follows the shape of
DIGIT's BusinessService state tables and Open Zaak's append-only status rows (STYLE.md, "Workflows
and history").
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


class Clock:
    """What a transition does to the legal clock (Decree 118/2025 art. 22: time waiting for the
    applicant does not count)."""

    PAUSE = "pause"  # start waiting for the applicant (supplements, financial obligation)
    RESUME = "resume"  # the applicant answered: back where processing stood, due dates moved
    STOP = "stop"  # the object closes while paused: the waiting time is added, waiting ends


class Visibility:
    """Who reads a history row: everyone who may see the object (public), or staff only
    (internal: e.g. a leader's send-back note to the specialist)."""

    PUBLIC = "public"
    INTERNAL = "internal"


Guard = Callable[[Any], bool]
Effect = Callable[..., None]


@dataclass(frozen=True)
class Row:
    """One transition of a workflow table. ``to_status`` / ``to_stage`` None: unchanged (or set by
    the clock on resume); ``to_stage`` may be a callable of the object for a stage that depends on
    the input (assigned or not)."""

    action: str
    from_statuses: frozenset[Any]
    actors: tuple[tuple[str, str], ...]
    to_status: Any = None
    to_stage: Any = None
    from_stages: frozenset[Any] | None = None
    guard: str | None = None
    clock: str | None = None
    notify: str | None = None
    notify_to: str = "owner"
    printed_form: str | None = None
    visibility: str = Visibility.PUBLIC
    input: str | None = None
    effect: Effect | None = field(default=None, compare=False)
    records_as: str | None = (
        None  # the history row's action, when it differs (signed approval = approval)
    )

    @property
    def history_action(self) -> str:
        return self.records_as or self.action


def row(
    action: str,
    statuses: Iterable[Any],
    actors: Iterable[tuple[str, str]],
    to: Any = None,
    *,
    stages: Iterable[Any] | None = None,
    **kwargs: Any,
) -> Row:
    """Shorthand for a table line: ``row(ACTION, [from...], [(role, scope)...], to_status, ...)``."""
    return Row(
        action,
        frozenset(statuses),
        tuple(actors),
        to,
        from_stages=frozenset(stages) if stages else None,
        **kwargs,
    )


@dataclass
class Step:
    """One transition in progress, handed to the effect and to the hooks.

    The effect reads ``obj``, ``actor``, ``row`` and ``now``; it writes ``event`` (the history row's
    fields: comment, from_user, to_user, from_agency, to_agency, data, step_timeliness), ``result``
    (what :meth:`Workflow.run` returns instead of the object), ``related`` (the object a printed form
    is about) and ``notify_user`` (the staff recipient, for ``notify_to="user"``).
    """

    obj: Any
    actor: Actor
    row: Row
    now: datetime
    previous_status: Any
    previous_stage: Any
    event: dict[str, Any] = field(default_factory=dict)
    result: Any = None
    related: Any = None
    notify_user: Actor | None = None
    skip_notify: bool = False


class Workflow:
    """A table of :class:`Row` and the hooks that make it act on one kind of object.

    ``actor_matches(obj, user, role, scope)`` decides who a scope is; ``not_allowed(obj, action)``
    and ``denied(obj, action)`` build the exceptions (state / role); ``lock(obj)`` returns the
    row-locked object; ``clock(step)`` applies ``row.clock``; ``record(step)`` appends the history
    row and returns it; ``notify(step, event)`` enqueues the notification through the outbox;
    ``print_form(step)`` requests the printed form. Hooks left None do nothing.
    """

    def __init__(
        self,
        *,
        name: str,
        rows: Iterable[Row],
        actor_matches: Callable[[Any, Any, str, str], bool],
        lock: Callable[[Any], Any],
        not_allowed: Callable[[Any, str], Exception],
        denied: Callable[[Any, str], Exception],
        guards: dict[str, Guard] | None = None,
        status_field: str = "status",
        stage_field: str | None = "stage",
        clock: Callable[[Step], None] | None = None,
        record: Callable[[Step], Any] | None = None,
        notify: Callable[[Step, Any], None] | None = None,
        print_form: Callable[[Step], None] | None = None,
        role_first: bool = False,
    ) -> None:
        self.name = name
        self.rows: tuple[Row, ...] = tuple(rows)
        self.actor_matches = actor_matches
        self.lock = lock
        self.not_allowed = not_allowed
        self.denied = denied
        self.guards = guards or {}
        self.status_field = status_field
        self.stage_field = stage_field
        self.clock = clock
        self.record = record
        self.notify = notify
        self.print_form = print_form
        self.role_first = role_first  # refuse a wrong role (403) before looking at the state (400)
        unknown = {r.guard for r in self.rows if r.guard and r.guard not in self.guards}
        if unknown:
            raise ValueError(f"{name}: unknown guards {sorted(unknown)}")

    # --- reading the table ---------------------------------------------------------------------

    def actions(self) -> list[str]:
        """Every action of the table, in table order."""
        return list(dict.fromkeys(r.action for r in self.rows))

    def rows_of(self, action: str) -> list[Row]:
        return [r for r in self.rows if r.action == action]

    def _status(self, obj: Any) -> Any:
        return getattr(obj, self.status_field)

    def _stage(self, obj: Any) -> Any:
        return getattr(obj, self.stage_field) if self.stage_field else None

    def _state_matches(self, r: Row, obj: Any) -> bool:
        if self._status(obj) not in r.from_statuses:
            return False
        if r.from_stages is not None and self._stage(obj) not in r.from_stages:
            return False
        return not (r.guard and not self.guards[r.guard](obj))

    def state_rows(self, obj: Any, action: str) -> list[Row]:
        """Rows of ``action`` the object's state allows now (whoever asks)."""
        return [r for r in self.rows if r.action == action and self._state_matches(r, obj)]

    def row_for(self, obj: Any, user: Actor, action: str) -> Row | None:
        for r in self.state_rows(obj, action):
            if any(self.actor_matches(obj, user, role, scope) for role, scope in r.actors):
                return r
        return None

    def check(self, obj: Any, user: Actor, action: str) -> Row:
        """The row allowing ``user`` to take ``action`` now; raises ``not_allowed`` when the state
        does not allow it, ``denied`` when it does but not for this user. With ``role_first``
        a user no row of the action admits is refused before the state is looked at."""
        if self.role_first and not any(
            self.actor_matches(obj, user, role, scope)
            for r in self.rows_of(action)
            for role, scope in r.actors
        ):
            raise self.denied(obj, action)
        if not self.state_rows(obj, action):
            raise self.not_allowed(obj, action)
        found = self.row_for(obj, user, action)
        if found is None:
            raise self.denied(obj, action)
        return found

    def allowed(self, obj: Any, user: Actor) -> list[str]:
        """Actions ``user`` may take on ``obj`` now, in table order (the pages' buttons)."""
        found: list[str] = []
        for r in self.rows:
            if r.action in found or not self._state_matches(r, obj):
                continue
            if any(self.actor_matches(obj, user, role, scope) for role, scope in r.actors):
                found.append(r.action)
        return found

    def replace(self, action: str, **changes: Any) -> None:
        """Change every row of ``action`` (tests prove the table drives the services with it)."""
        self.rows = tuple(
            dataclasses.replace(r, **changes) if r.action == action else r for r in self.rows
        )

    # --- running ---------------------------------------------------------------------------------

    def run(self, action: str, *, obj: Any, actor: Actor, **input: Any) -> Any:
        """Take ``action`` on ``obj`` as ``actor`` with the row's ``input``, in one transaction.
        Returns ``step.result`` when the effect set one (a supplement request, an apology...),
        else the saved object."""
        with transaction.atomic():
            locked = self.lock(obj)
            r = self.check(locked, actor, action)
            step = Step(
                obj=locked,
                actor=actor,
                row=r,
                now=timezone.now(),
                previous_status=self._status(locked),
                previous_stage=self._stage(locked),
            )
            if r.effect is not None:
                r.effect(step, **input)
            elif input:
                raise TypeError(f"{self.name}.{action} takes no input, got {sorted(input)}")
            if r.clock and self.clock is not None:
                self.clock(step)
            if r.to_status is not None:
                setattr(locked, self.status_field, r.to_status)
            if r.to_stage is not None and self.stage_field:
                setattr(
                    locked,
                    self.stage_field,
                    r.to_stage(locked) if callable(r.to_stage) else r.to_stage,
                )
            locked.save()
            event = self.record(step) if self.record is not None else None
            if r.notify and self.notify is not None and not step.skip_notify:
                self.notify(step, event)
            if r.printed_form and self.print_form is not None:
                self.print_form(step)
            return step.result if step.result is not None else locked
