"""What a dossier event tells the applicant or a staff member (e-mail, SMS).

The channels, the delivery and its exactly-once claim are :mod:`portal.notifications.services`;
this module picks the recipient and the context of a dossier event. The texts are the templates
``notifications/<event>.{subject,body}.txt`` in ``dossiers/templates``. The task
``portal.notifications.tasks.send_dossier_event`` (:mod:`dossiers.tasks`) calls it.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from portal.notifications.services import (
    LANGUAGES,
    Recipient,
    deliver,
    occurrence_key,
    queue_for_recipient,
    staff_recipient,
)

from .models import Dossier

logger = logging.getLogger(__name__)

#: Events shown to the applicant and to a staff member. ``late_apology`` is an alias of ``apology``.
APPLICANT_EVENTS = (
    "submitted",
    "received",
    "supplement_requested",
    "refused",
    "result_ready",
    "payment_requested",
    "returned",
    "withdrawn",
    "stopped",
    "apology",
)
STAFF_EVENTS = ("assigned", "supplement_answered", "approval_requested", "sent_back", "transferred")


def _dossier(dossier_id: int) -> Dossier | None:
    return Dossier.objects.select_related("procedure", "applicant").filter(pk=dossier_id).first()


def applicant_recipient(dossier: Any) -> Recipient:
    """The dossier's applicant as a recipient; a counter applicant without an account by e-mail or SMS."""
    user = getattr(dossier, "applicant", None)
    email = getattr(dossier, "applicant_email", "") or (user.email if user else "")
    phone = getattr(dossier, "applicant_phone", "") or (user.phone if user else "")
    if user is not None:
        lang = user.language if user.language in LANGUAGES else "vi"
        # e-mail only to the account's verified address (issue 13: an address changed through the
        # API was mailed before anyone verified it)
        verified = bool(getattr(user, "email_verified_at", None)) and bool(user.email)
        email = user.email if verified else ""
        by_email = bool(user.notify_email and email)
        return Recipient(user, email, phone, lang, by_email, bool(user.notify_sms and phone))
    # Counter applicant without an account: e-mail if given, else SMS to the phone left at the counter.
    return Recipient(None, email, phone, "vi", bool(email), bool(phone and not email))


def _context(dossier: Dossier, recipient: Recipient, event: str) -> dict[str, Any]:
    procedure = getattr(dossier, "procedure", None)
    name = getattr(procedure, "name", "") if procedure else ""
    if recipient.language == "en" and procedure is not None:
        name = getattr(procedure, "name_en", "") or name
    return {
        "dossier": dossier,
        "code": getattr(dossier, "code", None) or "",
        "procedure_name": name,
        "applicant_name": getattr(dossier, "applicant_name", ""),
        "recipient_name": (getattr(recipient.user, "full_name", "") if recipient.user else "")
        or getattr(dossier, "applicant_name", ""),
        "due_at": getattr(dossier, "rescheduled_due_at", None)
        if event in ("apology", "late_apology")
        else getattr(dossier, "due_at", None),
        "site_url": settings.SITE_URL.rstrip("/"),
        "province": settings.PROVINCE_NAME,
        "hotline": settings.HOTLINE,
        "event": event,
    }


def notify_applicant(*, dossier_id: int, event: str, key: str | None = None) -> list[int]:
    """Queue the applicant's notifications about ``event`` and deliver them; returns the row ids.

    ``key`` identifies the event occurrence (the Celery task id when called from
    ``send_dossier_event``): the same key never produces a second notification.
    """
    dossier = _dossier(dossier_id)
    if dossier is None:
        logger.warning("notifications.no_dossier", extra={"dossier_id": dossier_id, "event": event})
        return []
    recipient = applicant_recipient(dossier)
    ids = queue_for_recipient(
        recipient=recipient,
        event=event,
        key=f"{occurrence_key(key)}:applicant",
        context=_context(dossier, recipient, event),
        dossier_id=dossier.pk,
    )
    for pk in ids:
        deliver(notification_id=pk)
    return ids


def notify_staff(*, user_id: int, dossier_id: int, event: str, key: str | None = None) -> list[int]:
    """Queue and deliver a staff member's notification about ``event`` on a dossier."""
    dossier = _dossier(dossier_id)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if dossier is None or user is None:
        logger.warning(
            "notifications.no_recipient", extra={"dossier_id": dossier_id, "user_id": user_id}
        )
        return []
    recipient = staff_recipient(user)
    ids = queue_for_recipient(
        recipient=recipient,
        event=event,
        key=f"{occurrence_key(key)}:user:{user_id}",
        context=_context(dossier, recipient, event),
        dossier_id=dossier.pk,
    )
    for pk in ids:
        deliver(notification_id=pk)
    return ids
