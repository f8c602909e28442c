"""The template contexts of the printed forms (mẫu 01–07 of Phụ lục I to Circular 03/2025/TT-VPCP,
guiding Decree 118/2025/NĐ-CP): what each form says, read from the dossier, its history
(:class:`~dossiers.models.DossierEvent`) and steps; the tracking book's rows (form 07).

Split from :mod:`dossiers.printing` (issue 16), which asks for, renders and stores the forms and
re-exports every name here. Forms are official documents: always in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from . import delivery
from .constants import Action, Channel, DossierStatus, Timeliness
from .eforms import eform_applicant
from .form_numbers import INTERNAL, NOTATIONS
from .models import Dossier, DossierEvent, PrintedForm

if TYPE_CHECKING:
    from portal.accounts.typed import Actor


Kind = PrintedForm.Kind


#: Rows per table of the tracking book (several tables in one document keep the layout linear).
BOOK_CHUNK_ROWS = 60

TIMELINESS_VI: dict[str, str] = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}
PAPER_KINDS_VI = {
    "original": "Bản chính",
    "copy": "Bản sao",
    "certified_copy": "Bản sao chứng thực",
    "original_or_copy": "Bản chính hoặc bản sao chứng thực",
}
TIME_UNITS_VI = {
    "working_days": "ngày làm việc",
    "working_hours": "giờ làm việc",
    "calendar_days": "ngày",
}
DELIVERY_VI = delivery.DELIVERY_VI
CLOSED_NOTES: dict[int, str] = {
    DossierStatus.NOT_RECEIVED: "Không được tiếp nhận",
    DossierStatus.WITHDRAWN: "Đã rút hồ sơ",
    DossierStatus.STOPPED: "Dừng giải quyết",
}
#: History actions that hand the dossier from someone to someone else (rows of form 06).
HANDOVER_ACTIONS = (
    Action.RECEIVE,
    Action.ASSIGN,
    Action.FORWARD,
    Action.SEND_BACK,
    Action.APPROVE,
    Action.ISSUE_RESULT,
    Action.TRANSFER,
    Action.RETURN_RESULT,
)
HANDOVER_VI: dict[str, str] = {
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.ASSIGN: "Chuyển xử lý",
    Action.FORWARD: "Trình phê duyệt",
    Action.SEND_BACK: "Trả lại xử lý",
    Action.APPROVE: "Phê duyệt, chuyển trả kết quả",
    Action.TRANSFER: "Chuyển liên thông",
    Action.RETURN_RESULT: "Trả kết quả",
    Action.ISSUE_RESULT: "Văn thư phát hành kết quả",
}


# --- contexts -----------------------------------------------------------------------------------


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


def _heading(
    agency: Any, form: PrintedForm, when: datetime | date | None, *, drafting_unit: Any = None
) -> dict[str, Any]:
    """The heading of a form (Decree 30/2020 Phụ lục I): the agency and its parent, the number and
    notation ("05/TB-STP"), the place (the issuing agency's locality) and the date; an internal
    record (06, 07) has neither number nor date."""
    from portal.pdf import layout

    kind = Kind(form.kind)
    parent = agency.parent.name if agency.parent_id else f"UBND tỉnh {settings.PROVINCE_NAME}"
    mark = layout.notation(NOTATIONS[kind], agency)
    if kind == Kind.APOLOGY and drafting_unit is not None and drafting_unit.pk != agency.pk:
        mark = f"{mark}-{layout.agency_abbreviation(drafting_unit)}"
    return {
        "agency_parent": parent,
        "agency_name": agency.name,
        "agency": agency,
        "number": f"{form.number:02d}" if form.number else "",
        "notation": mark,
        "date": _local(when) if isinstance(when, datetime) else when,
        "place": layout.locality_of(agency),
        "internal": kind in INTERNAL,
    }


def _signer(user: Actor | None, agency: Any) -> dict[str, Any]:
    """The signing official's authority and title lines (Decree 30/2020 Phụ lục I, mục 8)."""
    from portal.pdf import layout

    signing_agency = getattr(user, "agency", None) or agency
    block = layout.signer_block(position=getattr(user, "position", "") or "", agency=signing_agency)
    return {
        "signer_lines": block.lines,
        "signer_name": _name(user),
        "signer_hint": "(Ký, ghi rõ họ tên và đóng dấu)",
    }


def _event(dossier: Dossier, action: str) -> DossierEvent | None:
    return dossier.events.filter(action=action).select_related("actor").order_by("-seq").first()


def _name(user: Actor | None) -> str:
    return (getattr(user, "full_name", "") or getattr(user, "username", "")) if user else ""


def _processing_time(snapshot: dict) -> str:
    raw = str(snapshot.get("processing_time") or "0")
    amount = raw.rstrip("0").rstrip(".") if "." in raw else raw
    return f"{amount} {TIME_UNITS_VI.get(snapshot.get('time_unit') or 'working_days', 'ngày làm việc')}"


def _documents(dossier: Dossier) -> list[dict[str, Any]]:
    """Item 1 of form 01, "Thành phần hồ sơ": each of the procedure version's documents that was
    handed in (a file in its slot), in the procedure's order, with its form (bản chính, bản sao,
    ...) and number of copies as the procedure defines them (TT 03/2025 Phụ lục I, mẫu 01); papers
    outside the list follow as one "Giấy tờ khác" line with their count."""
    ids = list(dossier.files.values_list("document_id", flat=True))
    handed_in = set(ids)
    rows = [
        {
            "name": d["name"],
            "form": PAPER_KINDS_VI.get(d.get("paper_kind") or "", "Bản chính"),
            "count": int(d.get("copies") or 1),
        }
        for d in dossier.procedure_version.snapshot.get("documents", [])
        if d["id"] in handed_in
    ]
    known = {d["id"] for d in dossier.procedure_version.snapshot.get("documents", [])}
    others = sum(1 for i in ids if i not in known)
    if others:
        rows.append({"name": "Giấy tờ khác", "form": "Bản sao", "count": others})
    return rows


#: Form 01's copy marker: the form reads "(Liên: Lưu/giao khách hàng)" under the dossier code —
#: one copy kept by the one-stop unit, one given to the applicant (TT 01/2018/TT-VPCP mẫu 01, as
#: provincial systems print it; TT 03/2025/TT-VPCP Phụ lục I mẫu 01's own text could not be
#: found, see docs/regulations.md). Both copies are in the one PDF, each on its own page(s).
RECEIPT_COPIES = ("Liên 1: Lưu", "Liên 2: Giao khách hàng")


def form_context(form: PrintedForm) -> dict[str, Any]:
    """The template context of a dossier's form (01–06), read from the dossier and its history."""
    if form.dossier_id is None:
        raise ValueError(f"printed form {form.pk} belongs to no dossier")
    dossier = Dossier.objects.select_related(
        "procedure", "receiving_agency__parent", "handling_department", "procedure_version"
    ).get(pk=form.dossier_id)
    snapshot = dossier.procedure_version.snapshot
    base: dict[str, Any] = {
        "dossier": dossier,
        "code": dossier.code or "",
        "procedure_name": snapshot.get("name") or dossier.procedure.name,
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "received_at": _local(dossier.received_at),
        "due_at": _local(dossier.due_at),
        "agency_phone": dossier.receiving_agency.phone,
        "counter_name": dossier.receiving_agency.counter_name or "Bộ phận Một cửa",
    }
    # the e-form's structured answers, where the dossier has them, before its own fields (what
    # the applicant declared in the declaration the clerk reads; issue 18)
    declared = eform_applicant(dossier)
    for key in ("name", "address", "phone", "email"):
        if declared.get(key):
            base[f"applicant_{key}"] = declared[key]
    kind = Kind(form.kind)
    if kind == Kind.RECEIPT:
        event = _event(dossier, Action.RECEIVE)
        base.update(_heading(dossier.receiving_agency, form, dossier.received_at))
        base.update(
            {
                "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
                "subtitle": f"Mã hồ sơ: {dossier.code}",
                "copies": RECEIPT_COPIES,
                "documents": _documents(dossier),
                "dossier_count": 1,
                "processing_time": _processing_time(snapshot),
                "result_delivery": delivery.describe(dossier),
                **book_position(dossier),
                "signer_title": "Người tiếp nhận hồ sơ",
                "signer_name": _name(event.actor if event else None),
                "qr_url": settings.SITE_URL.rstrip("/")
                + reverse("dossiers:track_token", args=[dossier.tracking_token]),
                "barcode": dossier.code,
                "channel_name": Channel(dossier.channel).label,
            }
        )
    elif kind == Kind.SUPPLEMENT:
        request = dossier.supplement_requests.select_related("requested_by").get(
            pk=int(form.source.split(":")[1])
        )
        base.update(_heading(dossier.receiving_agency, form, request.requested_at))
        base.update(
            {
                "title": "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
                "subtitle": f"Mã hồ sơ: {dossier.code}" if dossier.code else "",
                "request": request,
                "items": request.items,
                "reason": request.reason,
                "submitted_at": _local(dossier.submitted_at),
                "repeat_reason": request.repeat_reason,
                "signer_title": "Người hướng dẫn",
                "signer_name": _name(request.requested_by),
            }
        )
    elif kind == Kind.REFUSAL:
        event = _event(dossier, Action.REFUSE)
        base.update(
            _heading(dossier.receiving_agency, form, event.created_at if event else timezone.now())
        )
        base.update(
            {
                "title": "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
                "reason": event.comment if event else "",
                "submitted_at": _local(dossier.submitted_at),
                "signer_title": "Người tiếp nhận hồ sơ",
                "signer_name": _name(event.actor if event else None),
            }
        )
    elif kind == Kind.APOLOGY:
        apology = dossier.apologies.select_related("created_by", "approved_by").get(
            pk=int(form.source.split(":")[1])
        )
        signer = apology.approved_by or apology.created_by
        base.update(_heading(dossier.receiving_agency, form, apology.sent_at or apology.created_at))
        base.update(
            {
                "title": "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
                "apology": apology,
                "reason": apology.reason,
                "new_due_at": _local(apology.new_due_at),
                **_signer(signer, dossier.receiving_agency),
            }
        )
    elif kind == Kind.STOP:
        event = _event(dossier, Action.STOP)
        base.update(
            _heading(dossier.receiving_agency, form, event.created_at if event else timezone.now())
        )
        base.update(
            {
                "title": "Thông báo dừng giải quyết hồ sơ",
                "subtitle": f"Mã hồ sơ: {dossier.code}" if dossier.code else "",
                "reason": event.comment if event else "",
                "stopped_at": _local(event.created_at) if event else None,
                **_signer(event.actor if event else None, dossier.receiving_agency),
            }
        )
    else:  # 06: dated by the last hand-over, so re-rendering the same history gives the same slip
        last = dossier.events.order_by("-seq").values_list("created_at", flat=True).first()
        base.update(_heading(dossier.receiving_agency, form, last or timezone.now()))
        base.update(
            {
                "title": "Phiếu kiểm soát quá trình giải quyết hồ sơ",
                "subtitle": f"Mã hồ sơ: {dossier.code}",
                "handovers": handovers(dossier),
                "handling_unit": (dossier.handling_department or dossier.receiving_agency).name,
                "coordinating_units": coordinating_units(dossier),
                "finished_at": _local(dossier.finished_at),
                "returned_at": _local(dossier.returned_at),
                "timeliness": TIMELINESS_VI.get(dossier.timeliness, ""),
                "apology": dossier.apologies.filter(sent_at__isnull=False)
                .order_by("sent_at")
                .first(),
                "new_due_at": _local(dossier.rescheduled_due_at),
            }
        )
    return base


def book_position(dossier: Dossier) -> dict[str, Any]:
    """Where the dossier stands in the receiving agency's tracking book (form 07): "Quyển số"
    ``01/2026`` (one volume per agency and year) and "Số thứ tự", its line: the dossier's rank
    among the agency's dossiers received that year, in reception order (the order of the book).
    Form 01 prints both ("Vào Sổ theo dõi hồ sơ, Quyển số ..., Số thứ tự ...")."""
    if dossier.received_at is None:
        return {"book_volume": "", "book_line": ""}
    tz = timezone.get_current_timezone()
    year = timezone.localtime(dossier.received_at).year
    start = datetime(year, 1, 1, tzinfo=tz)
    before = (
        Dossier.objects.filter(
            receiving_agency_id=dossier.receiving_agency_id, received_at__gte=start
        )
        .filter(
            Q(received_at__lt=dossier.received_at)
            | Q(received_at=dossier.received_at, pk__lte=dossier.pk)
        )
        .count()
    )
    return {"book_volume": f"01/{year}", "book_line": before}


def coordinating_units(dossier: Dossier) -> list[str]:
    """ "Cơ quan phối hợp giải quyết" of form 06: the agencies the dossier was transferred to
    (inter-agency, liên thông), from the history."""
    names = (
        dossier.events.filter(action=Action.TRANSFER, to_agency__isnull=False)
        .order_by("seq")
        .values_list("to_agency__name", flat=True)
    )
    return list(dict.fromkeys(names))


@dataclass
class Handover:
    """One row of form 06: who handed the dossier to whom, when, and how that step ended."""

    order: int
    action: str
    giver: str
    giver_unit: str
    receiver: str
    receiver_unit: str
    at: datetime
    timeliness: str
    comment: str


def handovers(dossier: Dossier) -> list[Handover]:
    """Every hand-over in the dossier's history (form 06), in order. The timeliness of a row is
    that of the step the giver finished (``DossierEvent.step_timeliness``)."""
    rows: list[Handover] = []
    applicant_name = eform_applicant(dossier).get("name") or dossier.applicant_name
    events = (
        dossier.events.filter(action__in=HANDOVER_ACTIONS)
        .select_related("actor", "from_user", "to_user", "from_agency", "to_agency")
        .order_by("seq")
    )
    for event in events:
        giver, giver_unit = (
            _name(event.from_user or event.actor),
            event.from_agency.name if event.from_agency else "",
        )
        receiver, receiver_unit = (
            _name(event.to_user),
            event.to_agency.name if event.to_agency else "",
        )
        if event.action == Action.RECEIVE:
            giver, giver_unit = applicant_name, "Người nộp hồ sơ"
        elif event.action == Action.RETURN_RESULT:
            receiver, receiver_unit = applicant_name, "Người nộp hồ sơ"
        rows.append(
            Handover(
                order=len(rows) + 1,
                action=HANDOVER_VI.get(event.action, event.get_action_display()),
                giver=giver,
                giver_unit=giver_unit,
                receiver=receiver or "—",
                receiver_unit=receiver_unit,
                at=timezone.localtime(event.created_at),
                timeliness=TIMELINESS_VI.get(event.step_timeliness, ""),
                comment=event.comment[:300],
            )
        )
    return rows


def book_dossiers(agency: Any, start: date, end: date) -> QuerySet[Dossier]:
    """The dossiers of an agency (and its units) received in the period, in reception order."""
    from portal.agencies.models import Agency

    tz = timezone.get_current_timezone()
    lo = datetime.combine(start, time.min, tzinfo=tz)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz)
    units = Agency.objects.subtree_of(agency)
    return (
        Dossier.objects.filter(
            Q(receiving_agency__in=units), received_at__gte=lo, received_at__lt=hi
        )
        .select_related("procedure", "handling_department", "receiving_agency", "procedure_version")
        .order_by("received_at", "pk")
    )


def book_rows(agency: Any, start: date, end: date) -> list[dict[str, Any]]:
    """Rows of the tracking book: one per dossier, with the dates of transfer to the handling unit
    and back, read from the history in one query."""
    dossiers = list(book_dossiers(agency, start, end))
    first_out: dict[int, datetime] = {}
    back: dict[int, datetime] = {}
    for dossier_id, action, at in (
        DossierEvent.objects.filter(
            dossier__in=[d.pk for d in dossiers],
            action__in=[Action.ASSIGN, Action.TRANSFER, Action.APPROVE],
        )
        .order_by("seq")
        .values_list("dossier_id", "action", "created_at")
    ):
        if action == Action.APPROVE:
            back[dossier_id] = at
        else:
            first_out.setdefault(dossier_id, at)
    rows = []
    lines: dict[tuple[int | None, int], int] = {}
    for d in dossiers:
        key = (d.receiving_agency_id, timezone.localtime(d.received_at).year)
        if key not in lines:  # the line before the first row of the period, in that year's volume
            lines[key] = book_position(d)["book_line"] - 1
        lines[key] += 1
        note = CLOSED_NOTES.get(d.status) or TIMELINESS_VI.get(d.timeliness, "")
        if d.registered_delivery and d.registered_delivery != "counter":
            note = "; ".join(
                x for x in (note, delivery.DELIVERY_VI.get(d.registered_delivery, "")) if x
            )
        declared = eform_applicant(d)  # the e-form's answers first (issue 18)
        name = declared.get("name") or d.applicant_name
        address = declared.get("address") or d.applicant_address
        phone = declared.get("phone") or d.applicant_phone
        rows.append(
            {
                "n": lines[key],
                "code": d.code,
                "procedure": d.procedure.name,
                "count": 1,
                "applicant": name,
                "address": ", ".join(x for x in (address, phone) if x),
                "unit": (d.handling_department or d.receiving_agency).name,
                "received": _local(d.received_at),
                "due": _local(d.due_at),
                "extended": _local(d.rescheduled_due_at),
                "sent": _local(first_out.get(d.pk)),
                "back": _local(back.get(d.pk)) or _local(d.finished_at),
                "returned": _local(d.returned_at),
                "note": note,
            }
        )
    return rows


def book_context(form: PrintedForm, rows: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The tracking book's context: its rows in ``parts`` of ``BOOK_CHUNK_ROWS`` (one table each)."""
    agency = form.agency
    start, end = form.period_start, form.period_end
    if start is None or end is None:
        raise ValueError(f"tracking book {form.pk} has no period")
    rows = book_rows(agency, start, end) if rows is None else rows
    context = _heading(agency, form, timezone.localdate())
    context.update(
        {
            "title": "Sổ theo dõi hồ sơ",
            "period_start": start,
            "period_end": end,
            "total": len(rows),
            "parts": [rows[i : i + BOOK_CHUNK_ROWS] for i in range(0, len(rows), BOOK_CHUNK_ROWS)]
            or [[]],
        }
    )
    return context
