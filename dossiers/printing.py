"""The printed forms of the one-stop mechanism (mẫu 01–07 of Phụ lục I to Circular 03/2025/TT-VPCP, which guides
Decree 118/2025/NĐ-CP and replaced Circular 01/2018/TT-VPCP and its forms), rendered to PDF by Celery workers.

* A workflow service asks for a form with :func:`request_form` inside its own transaction: the
  :class:`~dossiers.models.PrintedForm` row (state *pending*) and the outbox message that starts the
  worker commit with the state change, or neither does.
* The worker (``portal.pdf.tasks.render_printed_form``) calls :func:`render_form`: it builds the
  context from the dossier, its history (:class:`~dossiers.models.DossierEvent`) and steps, renders
  the PDF, stores it under a fresh name and switches the row to it in one UPDATE. A message
  delivered twice, or for a generation already rendered, does nothing.
* Staff ask on demand for the process-control slip (06) and the tracking book (07) of an agency and
  a period (:func:`request_control_slip`, :func:`request_tracking_book`).

Forms are official documents: always in Vietnamese, whatever the reader's language.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.outbox import outbox_enqueue

from .constants import DossierStatus
from .exceptions import DossierError, PermissionDenied
from .form_contexts import (  # noqa: F401  (re-exported: the contexts moved there, issue 16)
    BOOK_CHUNK_ROWS,
    CLOSED_NOTES,
    DELIVERY_VI,
    HANDOVER_ACTIONS,
    HANDOVER_VI,
    PAPER_KINDS_VI,
    RECEIPT_COPIES,
    TIME_UNITS_VI,
    TIMELINESS_VI,
    Handover,
    book_context,
    book_dossiers,
    book_position,
    book_rows,
    coordinating_units,
    form_context,
    handovers,
)
from .form_numbers import INTERNAL, NOTATIONS  # noqa: F401  (re-exported)
from .models import (
    Apology,
    Dossier,
    PrintedForm,
    SupplementRequest,
    printed_form_path,
)

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


logger = logging.getLogger(__name__)

RENDER_TASK = "portal.pdf.tasks.render_printed_form"
Kind = PrintedForm.Kind
State = PrintedForm.State

#: The longest period one tracking book covers (docs/tech-facts.md "PDFs": long tables grow superlinearly; one
#: book per month or quarter is what the counters keep anyway).
MAX_BOOK_DAYS = 366
#: A form still pending this long after its request is asked for again (``requeue_stale``).
STALE_AFTER = timedelta(minutes=15)

TEMPLATES = {
    Kind.RECEIPT: "pdf/forms/01_receipt.html",
    Kind.SUPPLEMENT: "pdf/forms/02_supplement.html",
    Kind.REFUSAL: "pdf/forms/03_refusal.html",
    Kind.APOLOGY: "pdf/forms/04_apology.html",
    Kind.STOP: "pdf/forms/05_stop.html",
    Kind.CONTROL: "pdf/forms/06_control.html",
    Kind.BOOK: "pdf/forms/07_book.html",
}


# --- asking for a form (inside the business transaction) ---------------------------------------


def request_form(
    *,
    kind: str,
    dossier: Dossier | None = None,
    source: str = "",
    agency: Any = None,
    period: tuple[date, date] | None = None,
    requested_by: Any = None,
) -> PrintedForm:
    """Ask a worker to (re-)render a form; the row is *pending* until the worker has stored it.

    Must run inside the transaction of the change that needs the form (the outbox message commits
    with it). Asking again for the same (dossier, kind, source) keeps the row and bumps its
    ``generation``; the file already there stays downloadable until the new one replaces it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("request_form() must be called inside transaction.atomic()")
    owner: dict[str, Any] = (
        {"dossier": dossier} if dossier is not None else {"dossier": None, "agency": agency}
    )
    defaults = {"requested_by": requested_by, "agency": agency if dossier is None else None}
    if period is not None:
        defaults.update(period_start=period[0], period_end=period[1])
    issuer = dossier.receiving_agency if dossier is not None else agency
    # The internal records (06 process-control slip, 07 tracking book) print no number (Decree
    # 30/2020 Phụ lục I: số, ký hiệu belong to documents an agency issues), so they take none: a
    # number taken by a slip would leave a gap between the receipts and notices people hold.
    internal = kind in INTERNAL
    if issuer is not None and not internal:
        # A callable default runs only when the row is created, inside get_or_create's savepoint:
        # a new form is inserted with its number (no UPDATE after), an existing one takes none,
        # and a create that loses a race rolls its number back with the savepoint (no gap).
        year = timezone.localdate().year
        defaults.update(number=lambda: _next_form_number(issuer, year), number_year=year)
    form, created = PrintedForm.objects.select_for_update().get_or_create(
        kind=kind, source=source, **owner, defaults=defaults
    )
    if not created:
        PrintedForm.objects.filter(pk=form.pk).update(
            generation=F("generation") + 1,
            state=State.PENDING,
            error="",
            requested_by=requested_by or form.requested_by,
            requested_at=timezone.now(),
        )
        form.refresh_from_db()
    outbox_enqueue(
        RENDER_TASK,
        kwargs={"form_id": form.pk, "generation": form.generation},
        dedupe_key=f"printed-form:{form.pk}:{form.generation}",
    )
    return form


def _next_form_number(issuer: Any, year: int) -> int:
    """A new form's number in the issuing agency's yearly sequence of one-stop forms."""
    from documents.constants import Book
    from documents.numbering import next_number

    return next_number(agency=issuer, year=year, book=Book.ONESTOP_FORMS)


def requeue_stale(*, older_than: timedelta = STALE_AFTER) -> int:
    """Beat sweep: ask again for forms still *pending* long after their request (a message lost
    with a broker's data, a worker host that died with it unacknowledged). Rendering is
    idempotent, so a form that was merely slow is not harmed. Returns how many were re-sent."""
    now = timezone.now()
    count = 0
    with transaction.atomic():
        stale = PrintedForm.objects.select_for_update(skip_locked=True).filter(
            state=State.PENDING, requested_at__lt=now - older_than
        )
        for form in stale[:200]:
            outbox_enqueue(
                RENDER_TASK,
                kwargs={"form_id": form.pk, "generation": form.generation},
                dedupe_key=f"printed-form:{form.pk}:{form.generation}:sweep:{int(now.timestamp())}",
            )
            PrintedForm.objects.filter(pk=form.pk).update(requested_at=now)
            count += 1
    if count:
        logger.info("printed_form.requeued", extra={"count": count})
    return count


def on_transition(dossier: Dossier, kind: str, related: Any = None) -> PrintedForm:
    """The one line a workflow service adds: the form that its state change needs (01–06)."""
    source = ""
    if isinstance(related, SupplementRequest):
        source = f"supplement:{related.pk}"
    elif isinstance(related, Apology):
        source = f"apology:{related.pk}"
    return request_form(kind=kind, dossier=dossier, source=source)


@transaction.atomic
def request_control_slip(*, dossier: Dossier, actor: Actor) -> PrintedForm:
    """Staff re-render the process-control slip (06) of a dossier they may see, on demand."""
    if not getattr(actor, "is_staff_member", False):
        raise PermissionDenied(_("Only staff may print the process-control slip."))
    if dossier.status in (DossierStatus.DRAFT, DossierStatus.NEW) or not dossier.code:
        raise DossierError(_("The dossier has not been received yet."))
    return request_form(kind=Kind.CONTROL, dossier=dossier, requested_by=actor)


@transaction.atomic
def rerender_form(*, form: PrintedForm, actor: Actor) -> PrintedForm:
    """Staff ask again for a form of a dossier they may see (e.g. one that failed)."""
    if not getattr(actor, "is_staff_member", False) or form.dossier_id is None:
        raise PermissionDenied(_("Only staff may print a form again."))
    return request_form(
        kind=form.kind, dossier=form.dossier, source=form.source, requested_by=actor
    )


def book_source(agency: Any, start: date, end: date) -> str:
    return f"book:{agency.pk}:{start:%Y%m%d}-{end:%Y%m%d}"


@transaction.atomic
def request_tracking_book(*, agency: Any, start: date, end: date, actor: Actor) -> PrintedForm:
    """Staff ask for the tracking book (07) of an agency in their scope for a period."""
    from portal.accounts.selectors import agencies_in_scope

    if (
        not getattr(actor, "is_staff_member", False)
        or not agencies_in_scope(actor).filter(pk=agency.pk).exists()
    ):
        raise PermissionDenied(_("The agency is outside your scope."))
    if start > end:
        raise DossierError(_("The start date must come before the end date."))
    if (end - start).days >= MAX_BOOK_DAYS:
        raise DossierError(_("One book covers at most %(days)d days.") % {"days": MAX_BOOK_DAYS})
    return request_form(
        kind=Kind.BOOK,
        agency=agency,
        source=book_source(agency, start, end),
        period=(start, end),
        requested_by=actor,
    )


# --- rendering (in the worker) ---------------------------------------------------------------------


def render_form(*, form_id: int, generation: int | None = None) -> PrintedForm | None:
    """Render and store one form; idempotent. Returns the row, or None if it no longer exists.

    The PDF is written under a new name first; then, under the row lock, the row is pointed at it
    (the file is replaced atomically for readers) and the previous file is deleted after commit.
    A newer request that arrived meanwhile leaves the row *pending* for its own task.
    """
    form = PrintedForm.objects.select_related("dossier", "agency").filter(pk=form_id).first()
    if form is None:
        return None
    if form.state == State.READY and form.rendered_generation >= form.generation:
        return form  # already done (a redelivered or duplicated message)
    if generation is not None and form.rendered_generation >= generation and form.file:
        return form
    target = form.generation
    pdf, pages = render_bytes(form)
    storage = form.file.storage
    name = storage.save(printed_form_path(form, ""), ContentFile(pdf))
    old = ""
    with transaction.atomic():
        locked = PrintedForm.objects.select_for_update().get(pk=form.pk)
        if locked.rendered_generation > target:
            transaction.on_commit(lambda: storage.delete(name))
            return locked
        old = locked.file.name if locked.file else ""
        locked.file.name = name
        locked.sha256 = hashlib.sha256(pdf).hexdigest()
        locked.pages = pages
        locked.rendered_generation = target
        locked.rendered_at = timezone.now()
        locked.state = State.READY if locked.generation == target else State.PENDING
        locked.error = ""
        locked.save(
            update_fields=[
                "file",
                "sha256",
                "pages",
                "rendered_generation",
                "rendered_at",
                "state",
                "error",
            ]
        )
        if old and old != name:
            transaction.on_commit(lambda: storage.delete(old))
    logger.info(
        "printed_form.rendered",
        extra={"form_id": form.pk, "kind": form.kind, "bytes": len(pdf), "pages": pages},
    )
    return locked


def mark_failed(*, form_id: int, error: str) -> None:
    """The worker gave up (retries exhausted, or the dossier cannot give this form)."""
    PrintedForm.objects.filter(pk=form_id).exclude(state=State.READY).update(
        state=State.FAILED, error=error[:2000]
    )


def render_bytes(form: PrintedForm) -> tuple[bytes, int]:
    """The PDF of ``form`` and its page count (no storage, no database writes)."""
    from portal.pdf.render import render_document

    context = book_context(form) if form.kind == Kind.BOOK else form_context(form)
    return render_document(TEMPLATES[Kind(form.kind)], context)


# --- reads for the pages ------------------------------------------------------------------------


def form_file_name(form: PrintedForm, dossier: Dossier) -> str:
    """The name a downloaded form is saved under: the form, its number when it has one, and the
    dossier code, e.g. ``mau-02-so-03-G09.20-20260609-0000001.pdf`` (issue 14: never the
    database id)."""
    parts = [f"mau-{form.kind}"]
    if form.number:
        parts.append(f"so-{form.number:02d}")
    if dossier.code:
        parts.append(dossier.code)
    return "-".join(parts) + ".pdf"


def forms_of(dossier: Dossier) -> list[PrintedForm]:
    """The forms of a dossier, for a page whose reader may already see the dossier."""
    return list(dossier.printed_forms.order_by("kind", "requested_at", "pk"))


def books_visible_to(user: Actor) -> QuerySet[PrintedForm]:
    """Tracking books of the agencies in the user's scope, newest first."""
    from portal.accounts.selectors import agencies_in_scope

    if not getattr(user, "is_staff_member", False):
        return PrintedForm.objects.none()
    return (
        PrintedForm.objects.filter(
            kind=Kind.BOOK, dossier__isnull=True, agency__in=agencies_in_scope(user)
        )
        .select_related("agency")
        .order_by("-requested_at", "-pk")
    )
