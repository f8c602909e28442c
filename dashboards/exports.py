"""Exports of the dashboards: CSV (UTF-8 with BOM, so Excel reads Vietnamese right), XLSX
(openpyxl, one sheet per table) and the printable A4 PDF report (portal.pdf, Noto fonts).

A table is ``(title, header, rows)``; the page, CSV and XLSX are built from the same tables.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.spreadsheet import mark_text, safe_row

from . import reports

MAX_EXPORT_ROWS = 100_000
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    title: str
    header: list[str]
    rows: list[list[Any]]


def _pct(v: float | None) -> float | None:
    return None if v is None else round(100 * v, 2)


def dashboard_tables(d: reports.Dashboard) -> list[Table]:
    """Every table under the dashboard's charts, ready to write."""
    figures = Table(
        _("Figures"),
        [_("Figure"), _("This period"), _("Previous period"), _("Unit"), _("Note")],
        [
            [
                str(k.metric.label),
                _pct(k.value) if k.metric.kind == reports.PERCENT else k.value,
                _pct(k.previous) if k.metric.kind == reports.PERCENT else k.previous,
                "%" if k.metric.kind == reports.PERCENT else "",
                k.note,
            ]
            for k in d.rows
        ],
    )
    agencies = Table(
        _("By agency"),
        [
            _("Agency"),
            _("Received"),
            _("Received online"),
            _("Resolved"),
            _("Resolved late"),
            _("In progress, overdue"),
            _("On-time rate (%)"),
            _("Online share (%)"),
        ],
        [
            [
                r["name"],
                r["received"],
                r["received_online"],
                r["resolved"],
                r["resolved_late"],
                r["in_progress_overdue"],
                _pct(r["on_time_rate"]),
                _pct(r["online_share"]),
            ]
            for r in reports.agency_table(d.agencies)
        ],
    )
    sectors = Table(
        _("By sector"),
        [
            _("Sector"),
            _("Received"),
            _("Received online"),
            _("Resolved"),
            _("Resolved late"),
            _("On-time rate (%)"),
            _("Online share (%)"),
        ],
        [
            [
                r.name,
                r.figures.received,
                r.figures.received_online,
                r.figures.resolved,
                r.figures.resolved_late,
                _pct(r.figures.on_time_rate),
                _pct(r.figures.online_share),
            ]
            for r in d.sectors
        ],
    )
    procedures = Table(
        _("Processing time by procedure"),
        [
            _("Procedure"),
            _("Resolved"),
            _("Average (working hours)"),
            _("90th percentile (working hours)"),
        ],
        [
            [p.procedure_name, p.resolved, _round(p.avg_working_hours), _round(p.p90_working_hours)]
            for p in d.procedures
        ],
    )
    fmt = "%Y-%m" if d.granularity == "month" else "%Y-%m-%d"
    series = Table(
        _("Over time"),
        [_("Period"), _("Received"), _("Received online"), _("Resolved"), _("Resolved late")],
        [
            [p.strftime(fmt), s.received, s.received_online, s.resolved, s.resolved_late]
            for p, s in d.series
        ],
    )
    return [figures, agencies, sectors, procedures, series]


def _round(v: float | None) -> float | None:
    return None if v is None else round(float(v), 1)


def dossier_table(qs: Any) -> Table:
    """A drill-down list: the dossier's code, procedure, agency and dates (no personal data beyond
    the applicant's name, which staff see on the dossier's own page anyway)."""
    rows = []
    local = timezone.localtime
    for d in qs[:MAX_EXPORT_ROWS]:
        rows.append(
            [
                d.code or "",
                d.procedure.code,
                d.procedure.name,
                d.receiving_agency.name,
                d.get_channel_display(),
                d.get_status_display(),
                local(d.received_at).strftime("%Y-%m-%d %H:%M") if d.received_at else "",
                local(d.due_at).strftime("%Y-%m-%d %H:%M") if d.due_at else "",
                local(d.finished_at).strftime("%Y-%m-%d %H:%M") if d.finished_at else "",
                d.get_timeliness_display() if d.timeliness else "",
                d.applicant_name,
            ]
        )
    return Table(
        _("Dossiers"),
        [
            _("Dossier code"),
            _("Procedure code"),
            _("Procedure"),
            _("Receiving agency"),
            _("Channel"),
            _("Status"),
            _("Received at"),
            _("Appointment date"),
            _("Finished at"),
            _("Timeliness"),
            _("Applicant"),
        ],
        rows,
    )


def _disposition(name: str, ext: str) -> str:
    return f'attachment; filename="{name}.{ext}"'


def csv_response(tables: Iterable[Table], name: str) -> HttpResponse:
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    for i, t in enumerate(tables):
        if i:
            writer.writerow([])
        writer.writerow([f"# {t.title}"])
        writer.writerow(safe_row(t.header))
        writer.writerows(safe_row("" if v is None else v for v in row) for row in t.rows)
    response = HttpResponse(buf.getvalue().encode("utf-8"), content_type=CSV_TYPE)
    response["Content-Disposition"] = _disposition(name, "csv")
    return response


def xlsx_bytes(tables: Iterable[Table]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    used: set[str] = set()
    for t in tables:
        title = "".join(c for c in t.title if c not in "[]:*?/\\")[:31] or "Sheet"
        while title in used:
            title = title[:28] + f"_{len(used)}"
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append(safe_row(t.header))
        for cell in ws[1]:
            cell.font = Font(bold=True)
        mark_text(ws[1])
        for row in t.rows:
            ws.append(safe_row(row))
            mark_text(ws[ws.max_row])
        for col, head in zip(ws.columns, t.header, strict=False):
            width = max([len(str(head))] + [len(str(c.value or "")) for c in list(col)[:200]])
            ws.column_dimensions[col[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def xlsx_response(tables: Iterable[Table], name: str) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(tables), content_type=XLSX_TYPE)
    response["Content-Disposition"] = _disposition(name, "xlsx")
    return response


def pdf_document(d: reports.Dashboard, *, scope: str, period: str) -> tuple[bytes, int]:
    """The printable report (PDF bytes and page count): A4, the national header, the figures, the
    agencies and the procedure times.

    About a second of layout per page for a province-wide report: rendered by a worker
    (:mod:`dashboards.report_files`), never in a web request.
    """
    from portal.pdf.render import render_document

    tables = dashboard_tables(d)
    province = getattr(settings, "PROVINCE_NAME", "Điện Biên")
    return render_document(
        "dashboards/report_pdf.html",
        {
            "title": "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
            "subtitle": f"{scope} — {period}",
            "agency_name": "Trung tâm Phục vụ hành chính công",
            "agency_parent": f"UBND tỉnh {province}",
            "province_name": province,
            "date": timezone.localdate(),
            "tables": tables,
            "kpis": d.kpis,
            "previous_period": f"{d.previous_filters.start:%d/%m/%Y} – {d.previous_filters.end:%d/%m/%Y}",
        },
    )
