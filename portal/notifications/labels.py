"""Names of notification events as staff read them on the dossier page."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "submitted": _("Dossier submitted"),
    "received": _("Received, appointment date"),
    "supplement_requested": _("Supplements requested"),
    "refused": _("Refused"),
    "result_ready": _("Result ready"),
    "payment_requested": _("Payment requested"),
    "returned": _("Result returned"),
    "withdrawn": _("Withdrawn"),
    "stopped": _("Processing stopped"),
    "apology": _("Late, with the apology"),
    "assigned": _("Assigned"),
    "supplement_answered": _("Supplements answered"),
    "approval_requested": _("Approval requested"),
    "sent_back": _("Sent back"),
    "transferred": _("Transferred"),
    "due_soon": _("Reminder: due soon"),
    "overdue": _("Reminder: overdue"),
    "apology_draft": _("Apology drafted for approval"),
    "digest": _("Daily digest"),
}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))
