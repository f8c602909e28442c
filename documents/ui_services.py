"""Reads the document pages need that :mod:`documents.selectors` does not (yet) offer: the books
with diacritic-insensitive search and filters, the worklists per role, and the one access helper
the pages use. Written by the pages' engineer (issue 6 split: the models and services belong to
the docs engineer); every write still goes through :mod:`documents.services`.

Access rule, the same on every page: a staff member sees the documents of the agencies in his
scope (:func:`portal.accounts.selectors.agencies_in_scope`: his agency and its sub-units;
provincial staff and administrators everything); another agency's document is a 404, a page for
another role a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import (
    CharField,
    Exists,
    F,
    Func,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import Http404
from django.utils.translation import gettext

from portal.accounts.constants import Role
from portal.accounts.permissions import user_has_any_role
from portal.core.text import fold

from . import selectors
from .constants import IncomingSource, IncomingState, OutgoingState
from .models import IncomingDocument, OutgoingDocument, OutgoingRecipient

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


#: Roles that work with inter-agency documents.
DOCUMENT_ROLES = (Role.CLERICAL, Role.LEADER, Role.SPECIALIST, Role.PROVINCIAL)
BOOK_ROLES = (Role.CLERICAL, Role.LEADER, Role.PROVINCIAL)

_ACCENTED = "àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ"
_PLAIN = "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
assert len(_ACCENTED) == len(_PLAIN)
_FROM = _ACCENTED + _ACCENTED.upper()
_TO = _PLAIN + _PLAIN


class Fold(Func):
    """SQL twin of :func:`portal.core.text.fold` (lower case, Vietnamese diacritics and đ
    stripped) so a book is searched in the database, not in Python. PostgreSQL: ``translate``
    then ``lower``; SQLite (the demo): the Python function registered on the connection."""

    output_field = CharField()
    arity = 1

    def as_sql(  # PostgreSQL and others
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra: Any,
    ) -> tuple[str, list]:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"lower(translate({sql}, %s, %s))", [*params, _FROM, _TO]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list]:
        connection.ensure_connection()
        connection.connection.create_function(
            "portal_fold", 1, lambda s: fold(s) if s is not None else "", deterministic=True
        )
        sql, params = compiler.compile(self.source_expressions[0])
        return f"portal_fold({sql})", params


def _folded(*fields: str) -> Fold:
    parts: list[Any] = []
    for name in fields:
        parts += [
            Coalesce(Cast(F(name), CharField()), Value(""), output_field=CharField()),
            Value(" "),
        ]
    return Fold(Concat(*parts, output_field=CharField()))


def _search(qs: QuerySet, q: str, *fields: str, recipients: bool = False) -> QuerySet:
    """Every word of ``q`` (folded: "quyet dinh" finds "Quyết định") must occur in one of
    ``fields``, or, for an outgoing document, in one of its recipients' names or codes."""
    terms = [t for t in fold(q).split(" ") if t][:8]
    if not terms:
        return qs
    qs = qs.annotate(_folded=_folded(*fields))
    for term in terms:
        cond = Q(_folded__contains=term)
        if recipients:
            names = OutgoingRecipient.objects.annotate(
                _f=_folded("organ_name", "organ_code")
            ).filter(document=OuterRef("pk"), _f__contains=term)
            cond |= Q(Exists(names))
        qs = qs.filter(cond)
    return qs


def _period(qs: QuerySet, field: str, filters: dict) -> QuerySet:
    year, month = filters.get("year"), filters.get("month")
    if year:
        qs = qs.filter(**{f"{field}__year": year})
    if month:
        qs = qs.filter(**{f"{field}__month": month})
    if filters.get("date_from"):
        qs = qs.filter(**{f"{field}__gte": filters["date_from"]})
    if filters.get("date_to"):
        qs = qs.filter(**{f"{field}__lte": filters["date_to"]})
    return qs


# --- access -------------------------------------------------------------------------------------


def require_roles(user: Actor, *roles: str) -> None:
    """403 unless ``user`` is a staff member with one of ``roles`` (anonymous users are sent to
    the login page by ``login_required`` before this)."""
    if not user_has_any_role(user, roles):
        raise PermissionDenied(gettext("This page is for document staff."))


def outgoing_visible_to(user: Actor) -> QuerySet[OutgoingDocument]:
    """The docs engineer's rule (pages and API alike): the agencies in the user's scope."""
    return selectors.outgoing_visible_to(user)


def incoming_visible_to(user: Actor) -> QuerySet[IncomingDocument]:
    """The agencies in the user's scope, plus what is assigned to the user himself."""
    return selectors.incoming_visible_to(user)


def get_outgoing_for(user: Actor, pk: Any) -> OutgoingDocument:
    """One outgoing document of the user's scope; another agency's (or a missing one) is a 404."""
    require_roles(user, *DOCUMENT_ROLES)
    try:
        return (
            outgoing_visible_to(user)
            .select_related("agency", "in_reply_to", "signer", "created_by")
            .get(pk=int(pk))
        )
    except (OutgoingDocument.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("No such document.")) from None


def get_incoming_for(user: Actor, pk: Any) -> IncomingDocument:
    require_roles(user, *DOCUMENT_ROLES)
    try:
        return (
            incoming_visible_to(user)
            .select_related("agency", "answers", "assigned_to", "assigned_department")
            .get(pk=int(pk))
        )
    except (IncomingDocument.DoesNotExist, ValueError, TypeError):
        raise Http404(gettext("No such document.")) from None


# --- books --------------------------------------------------------------------------------------


def outgoing_book(user: Actor, filters: dict) -> QuerySet[OutgoingDocument]:
    """Sổ văn bản đi: the numbered documents of the user's agencies, newest number first, each
    with its recipients (their latest status) prefetched: the list costs a fixed number of queries."""
    qs = outgoing_visible_to(user).filter(
        state__in=[OutgoingState.ISSUED, OutgoingState.SENT], number__isnull=False
    )
    return (
        _filter_outgoing(qs, filters)
        .order_by("-year", "-number")
        .select_related("agency")
        .prefetch_related(
            Prefetch("recipients", queryset=OutgoingRecipient.objects.order_by("id")),
        )
    )


def outgoing_drafts(user: Actor, filters: dict | None = None) -> QuerySet[OutgoingDocument]:
    """Drafts and signed documents not yet numbered (the văn thư's "to issue" list)."""
    qs = outgoing_visible_to(user).filter(
        state__in=[OutgoingState.DRAFT, OutgoingState.SUBMITTED, OutgoingState.SIGNED]
    )
    return (
        _filter_outgoing(qs, filters or {}, date_field="created_at")
        .order_by("-created_at")
        .select_related("created_by", "signer")
    )


def _filter_outgoing(
    qs: QuerySet, filters: dict, *, date_field: str = "promulgation_date"
) -> QuerySet:
    if filters.get("q"):
        qs = _search(
            qs,
            filters["q"],
            "number",
            "notation",
            "subject",
            "signer_name",
            "signer_position",
            recipients=True,
        )
    if filters.get("document_type"):
        qs = qs.filter(document_type=int(filters["document_type"]))
    if filters.get("urgency") not in (None, ""):
        qs = qs.filter(urgency=int(filters["urgency"]))
    if filters.get("status"):
        qs = qs.filter(
            Exists(
                OutgoingRecipient.objects.filter(
                    document=OuterRef("pk"), status_code=filters["status"]
                )
            )
        )
    return _period(qs, date_field, filters)


def incoming_book(user: Actor, filters: dict) -> QuerySet[IncomingDocument]:
    """Sổ văn bản đến: the registered documents (those with a book number), newest first."""
    qs = incoming_visible_to(user).filter(book_number__isnull=False)
    return (
        _filter_incoming(qs, filters)
        .order_by("-book_year", "-book_number")
        .select_related("assigned_to", "assigned_department")
    )


def _filter_incoming(qs: QuerySet, filters: dict) -> QuerySet:
    if filters.get("q"):
        qs = _search(
            qs,
            filters["q"],
            "code_number",
            "code_notation",
            "subject",
            "from_organ_name",
            "from_organ_code",
            "signer_name",
        )
    if filters.get("document_type"):
        qs = qs.filter(document_type=int(filters["document_type"]))
    if filters.get("urgency") not in (None, ""):
        qs = qs.filter(urgency=int(filters["urgency"]))
    if filters.get("status"):
        qs = qs.filter(state=filters["status"])
    return _period(qs, "received_at", filters)


def inbox(user: Actor) -> QuerySet[IncomingDocument]:
    """What arrived from the exchange and waits to be registered (status 03) or refused (02)."""
    return (
        incoming_visible_to(user)
        .filter(state=IncomingState.RECEIVED, source=IncomingSource.EXCHANGE)
        .order_by("-urgency", "received_at")
    )


def to_assign(user: Actor) -> QuerySet[IncomingDocument]:
    """Registered documents waiting for a leader to assign them (status 04)."""
    return (
        incoming_visible_to(user)
        .filter(state=IncomingState.REGISTERED)
        .order_by("-urgency", "received_at")
    )


def assigned_to_me(user: Actor) -> QuerySet[IncomingDocument]:
    return IncomingDocument.objects.filter(
        assigned_to=user,
        state__in=[IncomingState.ASSIGNED, IncomingState.IN_PROGRESS],
    ).order_by("due_date", "received_at")


def recall_requests(user: Actor) -> QuerySet[IncomingDocument]:
    from .constants import RecallState

    return (
        incoming_visible_to(user).filter(recall_state=RecallState.REQUESTED).order_by("received_at")
    )


def my_drafts(user: Actor) -> QuerySet[OutgoingDocument]:
    return OutgoingDocument.objects.filter(
        created_by=user,
        state__in=[OutgoingState.DRAFT, OutgoingState.SUBMITTED, OutgoingState.SIGNED],
    ).order_by("-created_at")


def to_sign(user: Actor) -> QuerySet[OutgoingDocument]:
    """Drafts of the leader's agencies put before him for signature (trình ký: state "submitted")."""
    return (
        outgoing_visible_to(user)
        .filter(state=OutgoingState.SUBMITTED)
        .order_by("-urgency", "created_at")
    )


def to_issue(user: Actor) -> QuerySet[OutgoingDocument]:
    """Signed documents the văn thư numbers and sends."""
    return (
        outgoing_visible_to(user)
        .filter(state=OutgoingState.SIGNED)
        .order_by("-urgency", "signed_at")
    )


# --- writes the services do not offer (yet) --------------------------------------------------------


def is_submitted(document: OutgoingDocument) -> bool:
    """Put before the leader and not sent back since: the state "submitted"."""
    return document.state == OutgoingState.SUBMITTED


# The workflow writes (documents/workflow.py rows), named here for the pages written before them.
from .services import outgoing_return_draft as outgoing_return_draft  # noqa: E402
from .services import outgoing_submit_for_signature as outgoing_submit_for_signature  # noqa: E402


@transaction.atomic
def outgoing_draft_with_files(
    *,
    agency: Any,
    actor: Actor,
    fields: dict,
    recipients: list[str],
    main_file: tuple[str, bytes],
    appendices: list[tuple[str, str, bytes]],
) -> OutgoingDocument:
    """A draft with its main PDF and appendices in one transaction: if a file is refused, no
    draft is left behind."""
    from . import services

    document = services.outgoing_create_draft(
        agency=agency, actor=actor, recipients=recipients, **fields
    )
    services.outgoing_add_attachment(
        document=document,
        actor=actor,
        data=main_file[1],
        name=main_file[0],
        content_type="application/pdf",
        is_main=True,
    )
    for name, content_type, data in appendices:
        services.outgoing_add_attachment(
            document=document, actor=actor, data=data, name=name, content_type=content_type
        )
    return document


@transaction.atomic
def outgoing_edit_draft(
    *,
    document: OutgoingDocument,
    actor: Actor,
    fields: dict,
    recipients: list[str],
    main_file: tuple[str, bytes] | None,
    appendices: list[tuple[str, str, bytes]],
) -> OutgoingDocument:
    """Edit a draft (fields, recipients, a new main text, more appendices) in one transaction:
    if one part is refused, nothing of the edit is kept."""
    from . import services

    document = services.outgoing_update_draft(document=document, actor=actor, **fields)
    services.outgoing_set_recipients(document=document, actor=actor, recipients=recipients)
    if main_file is not None:
        services.outgoing_add_attachment(
            document=document,
            actor=actor,
            data=main_file[1],
            name=main_file[0],
            content_type="application/pdf",
            is_main=True,
        )
    for name, content_type, data in appendices:
        services.outgoing_add_attachment(
            document=document, actor=actor, data=data, name=name, content_type=content_type
        )
    return document
