"""Create and deliver notifications (e-mail, SMS): the channels, not what they are about.

What a dossier event says and to whom is :mod:`dossiers.notifications`; the texts are templates
``notifications/<event>.{subject,body}.txt`` (the dossier events' in ``dossiers/templates``).

Exactly-once effect = at-least-once delivery + an atomic claim (docs/tech-facts.md "Celery and Redis"):
* a notification row per (event occurrence, recipient, channel) under a unique ``event_key``, so a
  task delivered twice creates nothing new;
* :func:`deliver` claims the row with one ``UPDATE … WHERE state = 'queued'``: of two workers only
  one gets rowcount 1 and sends;
* a worker killed mid-send leaves the row ``sending``; :func:`requeue_stuck` puts it back after
  ``NOTIFICATION_CLAIM_TIMEOUT`` and delivers it again (at most one extra send per crash).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.template.loader import TemplateDoesNotExist, render_to_string
from django.utils import timezone, translation

from portal.core.text import nfc
from portal.notifications.models import Notification, NotificationChannel, NotificationState
from portal.notifications.sms import send_sms

logger = logging.getLogger(__name__)

ALIASES = {"late_apology": "apology"}
MAX_ATTEMPTS = 5
LANGUAGES = ("vi", "en")


class PortalUser(Protocol):
    """What notifications read of a portal user (``portal.accounts.typed.Actor`` has it all).

    portal.accounts imports this module (its access log notifies the citizen), so naming the
    model here, even for the type checker only, would close an import circle that .importlinter
    forbids: the user is described by the attributes used instead."""

    pk: Any
    email: str
    phone: str
    language: str
    notify_email: bool
    notify_sms: bool

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class Recipient:
    user: PortalUser | None
    email: str
    phone: str
    language: str
    by_email: bool
    by_sms: bool


def staff_recipient(user: PortalUser) -> Recipient:
    """A staff member as a recipient: his language and the channels he chose."""
    lang = user.language if user.language in LANGUAGES else "vi"
    return Recipient(
        user,
        user.email,
        user.phone,
        lang,
        bool(user.notify_email and user.email),
        bool(user.notify_sms and user.phone),
    )


def render_event(event: str, context: dict[str, Any], language: str) -> tuple[str, str]:
    """Subject and body of ``event`` in ``language`` from ``notifications/<event>.{subject,body}.txt``
    (``notifications/generic.*`` when the event has none; the dossier events' texts and the generic
    ones are in ``dossiers/templates/notifications/``)."""
    event = ALIASES.get(event, event)
    with translation.override(language):
        try:
            subject = render_to_string(f"notifications/{event}.subject.txt", context)
        except TemplateDoesNotExist:
            subject = render_to_string("notifications/generic.subject.txt", context)
        try:
            body = render_to_string(f"notifications/{event}.body.txt", context)
        except TemplateDoesNotExist:
            body = render_to_string("notifications/generic.body.txt", context)
    return nfc(" ".join(subject.split())), nfc(body.strip() + "\n")


def queue_for_recipient(
    *,
    recipient: Recipient,
    event: str,
    key: str,
    context: dict[str, Any],
    dossier_id: int | None = None,
) -> list[int]:
    """Create one row per channel the recipient wants (an existing key is left as it is); the ids.

    The caller (e.g. :mod:`dossiers.notifications`) builds the recipient and the template context.
    """
    channels = []
    if recipient.by_email:
        channels.append((NotificationChannel.EMAIL, recipient.email))
    if recipient.by_sms:
        channels.append((NotificationChannel.SMS, recipient.phone))
    if not channels:
        return []
    subject, body = render_event(event, context, recipient.language)
    ids = []
    with transaction.atomic():
        for channel, address in channels:
            row, _created = Notification.objects.get_or_create(
                event_key=f"{key}:{channel}"[:255],
                defaults={
                    "recipient": recipient.user,
                    "address": address,
                    "channel": channel,
                    "event": event,
                    "dossier_id": dossier_id,
                    "subject": subject,
                    "body": body,
                    "language": recipient.language,
                },
            )
            ids.append(row.pk)
    return ids


def occurrence_key(key: str | None) -> str:
    """``key``, or a new one: without a key (a direct call) every call is a new occurrence; the
    task passes its task id."""
    return key or f"call:{uuid.uuid4().hex}"


def build_for_user(
    *,
    user: PortalUser,
    event: str,
    key: str,
    context: dict[str, Any],
    dossier_id: int | None = None,
) -> list[Notification]:
    """Unsaved notification rows for a staff member about ``event``, one per channel he wants.

    Each row's ``event_key`` is ``<key>:<channel>``: saving it twice (``bulk_create`` with
    ``ignore_conflicts``) creates it once. Used in bulk by the deadline reminders.
    """
    recipient = staff_recipient(user)
    base = {
        "site_url": settings.SITE_URL.rstrip("/"),
        "province": settings.PROVINCE_NAME,
        "hotline": settings.HOTLINE,
        "recipient_name": getattr(user, "full_name", "") or user.get_username(),
        "event": event,
    }
    channels = []
    if recipient.by_email:
        channels.append((NotificationChannel.EMAIL, recipient.email))
    if recipient.by_sms:
        channels.append((NotificationChannel.SMS, recipient.phone))
    if not channels:
        return []
    subject, body = render_event(event, {**base, **context}, recipient.language)
    return [
        Notification(
            event_key=f"{key}:{channel}"[:255],
            recipient_id=user.pk,  # the FK by key: the Protocol above is not the model type
            address=address,
            channel=channel,
            event=event,
            dossier_id=dossier_id,
            subject=subject,
            body=body,
            language=recipient.language,
        )
        for channel, address in channels
    ]


def save_new(rows: list[Notification]) -> list[int]:
    """Insert ``rows`` that do not exist yet (by ``event_key``); the ids of those still to send."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    keys = [row.event_key for row in rows]
    return list(
        Notification.objects.filter(event_key__in=keys, state=NotificationState.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def queue_for_user(
    *,
    user: PortalUser,
    event: str,
    key: str,
    context: dict[str, Any],
    dossier_id: int | None = None,
) -> list[int]:
    """Create (not send) a staff member's notifications about ``event`` with an explicit context;
    the same ``key`` creates nothing new. Returns the ids still queued."""
    return save_new(
        build_for_user(user=user, event=event, key=key, context=context, dossier_id=dossier_id)
    )


def _claim(notification_id: int) -> bool:
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, state=NotificationState.QUEUED
    ).update(state=NotificationState.SENDING, claimed_at=now)
    return claimed == 1


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.EMAIL:
        EmailMessage(notification.subject, notification.body, to=[notification.address]).send(
            fail_silently=False
        )
    else:
        send_sms(phone=notification.address, message=f"{notification.subject}. {settings.SITE_URL}")


def deliver(*, notification_id: int) -> bool:
    """Send one queued notification if this process wins the claim; True when it was sent here."""
    if not _claim(notification_id):
        return False
    return _send_claimed(Notification.objects.get(pk=notification_id))


def deliver_many(ids: list[int]) -> int:
    """Claim all of ``ids`` still queued in one statement, then send each; returns how many were sent.

    The claim is the same atomic ``queued → sending`` change as :func:`deliver` (``UPDATE …
    RETURNING`` on PostgreSQL: only the rows this process changed come back), and each row is
    marked sent right after its own send, so a crash re-sends at most the one in flight.
    """
    if not ids:
        return 0
    if connection.vendor != "postgresql":
        return sum(1 for pk in ids if deliver(notification_id=pk))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Notification._meta.db_table} SET state = %s, claimed_at = %s WHERE id = ANY(%s) AND state = %s RETURNING id",
            [NotificationState.SENDING, timezone.now(), list(ids), NotificationState.QUEUED],
        )
        mine = sorted(row[0] for row in cursor.fetchall())
    rows = Notification.objects.in_bulk(mine)
    return sum(1 for pk in mine if _send_claimed(rows[pk]))


def _send_claimed(notification: Notification) -> bool:
    try:
        _send(notification)
    except Exception as exc:  # noqa: BLE001 - SMTP/gateway errors of any kind are kept on the row
        attempts = notification.attempts + 1
        state = NotificationState.FAILED if attempts >= MAX_ATTEMPTS else NotificationState.QUEUED
        Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING).update(
            state=state,
            attempts=attempts,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=timezone.now() + retry_delay(attempts),
        )
        logger.warning(
            "notifications.send_failed",
            extra={"notification_id": notification.pk, "error": str(exc)},
        )
        return False
    Notification.objects.filter(pk=notification.pk, state=NotificationState.SENDING).update(
        state=NotificationState.SENT,
        sent_at=timezone.now(),
        attempts=notification.attempts + 1,
        error="",
    )
    return True


def send_grace() -> timedelta:
    """How long a live send can take: the SMTP/gateway timeout (``EMAIL_TIMEOUT``, 30 s when
    unset) and a margin. A claim older than this was made by a process that is gone."""
    return timedelta(seconds=(getattr(settings, "EMAIL_TIMEOUT", None) or 30) + 5)


def reclaim_abandoned(*, ids: list[int] | None = None, key_prefix: str | None = None) -> int:
    """Put back in the queue the rows of one task a dead worker left ``sending`` (issue 13).

    Called when the broker hands a task out again (``redelivered``: its worker was killed, or its
    pool child died), so the redelivered task sends at once instead of waiting for
    :func:`requeue_stuck` (``NOTIFICATION_CLAIM_TIMEOUT``, 10 min). Only claims older than
    :func:`send_grace` are taken over: at most one extra send per crash, as before.
    """
    rows = Notification.objects.filter(
        state=NotificationState.SENDING, claimed_at__lt=timezone.now() - send_grace()
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    elif key_prefix:
        rows = rows.filter(event_key__startswith=key_prefix)
    else:
        return 0
    taken = rows.update(state=NotificationState.QUEUED)
    if taken:
        logger.warning("notifications.reclaimed", extra={"count": taken})
    return taken


def retry_delay(attempts: int) -> timedelta:
    """Back-off after the ``attempts``-th failed send: 1, 2, 4, 8 … minutes, at most an hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def requeue_stuck(*, older_than: timedelta | None = None) -> int:
    """Beat sweep: re-queue rows left ``sending`` by a crashed worker, then deliver every due row.

    Due rows are those ``sending`` or ``queued`` for longer than the claim timeout; a row whose send
    failed waits for its back-off (:func:`retry_delay`) first.
    Returns how many were sent by this sweep.
    """
    timeout = (
        older_than
        if older_than is not None
        else timedelta(seconds=settings.NOTIFICATION_CLAIM_TIMEOUT)
    )
    cutoff = timezone.now() - timeout
    Notification.objects.filter(state=NotificationState.SENDING, claimed_at__lt=cutoff).update(
        state=NotificationState.QUEUED
    )
    now = timezone.now()
    due = (
        Notification.objects.filter(state=NotificationState.QUEUED, created_at__lt=cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return sum(1 for pk in list(due[:500]) if deliver(notification_id=pk))


def retry(*, ids: list[int]) -> int:
    """Admin action: put failed notifications back in the queue (sent ones are never resent)."""
    return Notification.objects.filter(pk__in=ids, state=NotificationState.FAILED).update(
        state=NotificationState.QUEUED, attempts=0, error="", next_attempt_at=None
    )
