"""The specific part of each dossier transition (the *effect* of its row in
:mod:`dossiers.workflow`), and the clock helpers the engine's hooks use.

An effect receives the :class:`portal.workflow.Step` (the row-locked dossier, the actor, the
time) and the row's input as keyword arguments; it checks the input, changes what only this action
changes, and fills ``step.event`` (the history row's fields). It never sets the status, the stage
when the row names one, the clock, the history, the notification or the printed form: the engine
does that from the row.

Deadlines follow Decree 118/2025: counted in the procedure's unit from the reception (next working
day after the daily cut-off), each step gets its share, and time waiting for the applicant
(supplements, financial obligation) does not count. Early / on time / late is always
:func:`portal.workcalendar.services.timeliness`.
"""

from __future__ import annotations

# The effects live in modules by job (issue 16); the table (dossiers/workflow.py) and the
# services read them here under their old names.
from .closing_effects import (  # noqa: F401
    apologise,
    issue_result,
    rate,
    return_result,
    stop,
    transfer,
    withdraw,
)
from .effect_helpers import (  # noqa: F401
    MAX_COMMENT,
    MAX_RESULT_BYTES,
    advance_step,
    check_form_data,
    check_receiver,
    clean_text,
    close_step,
    end_pause,
    examination_if_assigned,
    lock,
    missing_documents,
    pause,
    resume,
    sniff,
    timeliness_of,
    work_calendar,
)
from .intake_effects import (  # noqa: F401
    answer_supplement,
    open_supplement_request,
    receive,
    refuse,
    request_supplement,
    submit,
    unanswered_items,
)
from .processing_effects import (  # noqa: F401
    approve,
    assign,
    attach_draft,
    confirm_payment,
    forward,
    request_payment,
    send_back,
    sign_approve,
)
