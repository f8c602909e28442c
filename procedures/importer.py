"""Bulk import of the catalogue from CSV or XLSX (one procedure per row).

Columns (first row = header, names as below, order free; UTF-8 for CSV, ``,`` or ``;`` separated):

=================  ========  ===============================================================
column             required  content
=================  ========  ===============================================================
code               yes       national code, e.g. 1.001193 (an existing code is updated)
name               yes       Vietnamese name
name_en            no        English name
sector_code        yes       code of an existing sector (e.g. HT), or a new one with sector_name
sector_name        no        name of the sector, to create it when sector_code is new
level              yes       online service level 2, 3 or 4 (Decree 42/2022: 3 một phần, 4 toàn trình)
processing_time    yes       number, e.g. 3 or 0,5
time_unit          yes       working_days | working_hours | calendar_days
cutoff_time        no        daily intake cut-off, HH:MM (e.g. 15:00)
agency_codes       no        implementing agencies' codes separated by ``;`` (000.00.03.H18;...)
agency_levels      no        province | department | commune | district, separated by ``;``
fees               no        ``name|amount|applies_to`` items separated by ``;`` (amount in VND)
documents          no        ``name|paper_kind|copies|required`` items separated by ``;``;
                             paper_kind: original | copy | certified_copy | original_or_copy;
                             required: 1/0 (yes/no, có/không)
steps              no        ``name|role|share_percent|department`` separated by ``;``;
                             role: clerk | specialist | leader | clerical; shares must sum to 100
conditions, legal_basis, result, applicant_types, description   no   free text
=================  ========  ===============================================================

Samples: ``procedures/samples/procedures_import.csv`` and ``.xlsx`` (the import page offers them
for download, and describes the columns from :data:`COLUMN_HELP`). Form templates are attached afterwards in the
admin (a re-import keeps the template of a document whose name is unchanged). Every row is checked before anything is
written, and the write is one transaction: a file with any bad row imports nothing. Errors name the
row (as numbered in the spreadsheet, header = 1), the column and what is wrong, in Vietnamese.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy

from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency
from portal.core.text import nfc

from .constants import FeeKind, PaperKind, ServiceLevel, StepRole, TimeUnit
from .fees import guess_kind
from .models import (
    Procedure,
    ProcedureFee,
    ProcedureStep,
    RequiredDocument,
    Sector,
    procedure_code_validator,
)
from .services import procedure_publish

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
REQUIRED_COLUMNS = ["code", "name", "sector_code", "level", "processing_time", "time_unit"]
OPTIONAL_COLUMNS = [
    "name_en",
    "sector_name",
    "cutoff_time",
    "agency_codes",
    "agency_levels",
    "fees",
    "documents",
    "steps",
    "conditions",
    "legal_basis",
    "result",
    "applicant_types",
    "description",
]
#: The columns as the import page describes them: (column, required, what it holds). Keep in step
#: with the table above and with the sample files.
COLUMN_HELP = [
    (
        "code",
        True,
        gettext_lazy(
            "National code of the procedure, e.g. 1.001193 (an existing code is updated)."
        ),
    ),
    ("name", True, gettext_lazy("Vietnamese name.")),
    ("name_en", False, gettext_lazy("English name.")),
    (
        "sector_code",
        True,
        gettext_lazy("Code of an existing sector (e.g. HT), or a new one with sector_name."),
    ),
    (
        "sector_name",
        False,
        gettext_lazy("Name of the sector, to create it when sector_code is new."),
    ),
    (
        "level",
        True,
        gettext_lazy("Online service level: 2, 3 (partly online) or 4 (fully online)."),
    ),
    ("processing_time", True, gettext_lazy("A number, e.g. 3 or 0,5.")),
    ("time_unit", True, gettext_lazy("working_days, working_hours or calendar_days.")),
    ("cutoff_time", False, gettext_lazy("Daily intake cut-off, HH:MM (e.g. 15:00).")),
    (
        "agency_codes",
        False,
        gettext_lazy(
            "Implementing agencies' codes separated by ; (e.g. 000.00.03.H18;000.00.51.H18)."
        ),
    ),
    (
        "agency_levels",
        False,
        gettext_lazy("province, department, commune or district, separated by ;."),
    ),
    ("fees", False, gettext_lazy("Items name|amount|applies_to separated by ; (amount in VND).")),
    (
        "documents",
        False,
        gettext_lazy(
            "Items name|paper_kind|copies|required separated by ;. paper_kind: original, copy, "
            "certified_copy or original_or_copy; required: 1 or 0."
        ),
    ),
    (
        "steps",
        False,
        gettext_lazy(
            "Items name|role|share_percent|department separated by ;. role: clerk, specialist, "
            "leader or clerical; the shares must add up to 100."
        ),
    ),
    ("conditions", False, gettext_lazy("Free text.")),
    ("legal_basis", False, gettext_lazy("Free text.")),
    ("result", False, gettext_lazy("Free text.")),
    ("applicant_types", False, gettext_lazy("Free text.")),
    ("description", False, gettext_lazy("Free text.")),
]
_TRUE = {"1", "x", "yes", "true", "có", "co", "c"}
_FALSE = {"0", "", "no", "false", "không", "khong", "k"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, no header, too big)."""


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedRow:
    row: int
    values: dict
    fees: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    steps: list[dict] = field(default_factory=list)
    agencies: list[Agency] = field(default_factory=list)
    is_update: bool = False


@dataclass
class ImportReport:
    rows: list[ParsedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    imported: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} errors")
        self.report = report


def read_table(*, filename: str, content: bytes) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, {column: text})."""
    if len(content) > MAX_BYTES:
        raise ImportFileError("Tệp quá lớn (tối đa 5 MB).")
    name = filename.lower()
    if name.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise ImportFileError("Tệp .xlsx không hợp lệ.")
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a damaged file
            raise ImportFileError("Không đọc được tệp Excel.") from exc
        raw = [
            ["" if v is None else _cell_text(v) for v in r]
            for r in wb.worksheets[0].iter_rows(values_only=True)
        ]
    elif name.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportFileError("Tệp CSV phải mã hóa UTF-8.") from exc
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        raw = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    else:
        raise ImportFileError("Chỉ nhận tệp .csv hoặc .xlsx.")
    if not raw:
        raise ImportFileError("Tệp rỗng.")
    header = [h.strip().lower() for h in raw[0]]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFileError("Thiếu cột bắt buộc: " + ", ".join(missing) + ".")
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if not any(str(v).strip() for v in values):
            continue
        rows.append(
            (number, {h: nfc(str(v)).strip() for h, v in zip(header, values, strict=False) if h})
        )
    if len(rows) > MAX_ROWS:
        raise ImportFileError(f"Tệp có quá nhiều dòng (tối đa {MAX_ROWS}).")
    return rows


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return str(value)


def _items(text: str) -> list[list[str]]:
    return [[p.strip() for p in item.split("|")] for item in text.split(";") if item.strip()]


def _decimal(text: str) -> Decimal:
    return Decimal(text.replace(" ", "").replace(",", "."))


def _parse_row(
    number: int,
    data: dict[str, str],
    sectors: dict[str, Sector],
    agencies: dict[str, Agency],
    errors: list[RowError],
) -> ParsedRow:
    def err(column: str, message: str) -> None:
        errors.append(RowError(number, column, message))

    values: dict = {}
    for column in REQUIRED_COLUMNS:
        if not data.get(column):
            err(column, "Không được để trống.")
    code = data.get("code", "")
    if code:
        try:
            procedure_code_validator(code)
        except ValidationError:
            err("code", f"Mã thủ tục «{code}» không hợp lệ.")
    values["code"], values["name"], values["name_en"] = (
        code,
        data.get("name", ""),
        data.get("name_en", ""),
    )
    if len(values["name"]) > 500:
        err("name", "Tên thủ tục dài quá 500 ký tự.")
    sector_code = data.get("sector_code", "")
    if sector_code and sector_code not in sectors and not data.get("sector_name"):
        err(
            "sector_code",
            f"Không có lĩnh vực mã «{sector_code}» (ghi thêm cột sector_name để tạo mới).",
        )
    values["sector_code"], values["sector_name"] = sector_code, data.get("sector_name", "")
    level = data.get("level", "")
    if level:
        if level not in {"2", "3", "4"}:
            err("level", f"Mức độ «{level}» không hợp lệ: chỉ nhận 2, 3 hoặc 4.")
        else:
            values["level"] = ServiceLevel(int(level))
    if data.get("processing_time"):
        try:
            values["processing_time"] = _decimal(data["processing_time"])
            if values["processing_time"] < 0 or values["processing_time"] >= 1_000_000:
                raise InvalidOperation
        except InvalidOperation:
            err(
                "processing_time",
                f"Thời hạn giải quyết «{data['processing_time']}» không phải là số hợp lệ.",
            )
    unit = data.get("time_unit", "")
    if unit:
        if unit not in TimeUnit.values:
            err(
                "time_unit",
                f"Đơn vị thời gian «{unit}» không hợp lệ: working_days, working_hours hoặc calendar_days.",
            )
        values["time_unit"] = unit
    values["cutoff_time"] = None
    if data.get("cutoff_time"):
        m = re.fullmatch(r"(\d{1,2}):(\d{2})(?::\d{2})?", data["cutoff_time"])
        if not m or int(m[1]) > 23 or int(m[2]) > 59:
            err("cutoff_time", f"Giờ tiếp nhận «{data['cutoff_time']}» phải có dạng HH:MM.")
        else:
            values["cutoff_time"] = time(int(m[1]), int(m[2]))
    parsed = ParsedRow(row=number, values=values)
    for agency_code in [c.strip() for c in data.get("agency_codes", "").split(";") if c.strip()]:
        if agency_code in agencies:
            parsed.agencies.append(agencies[agency_code])
        else:
            err("agency_codes", f"Không có cơ quan mã «{agency_code}».")
    levels = [c.strip() for c in data.get("agency_levels", "").split(";") if c.strip()]
    for lv in levels:
        if lv not in AgencyLevel.values:
            err("agency_levels", f"Cấp thực hiện «{lv}» không hợp lệ.")
    values["agency_levels"] = levels
    for i, item in enumerate(_items(data.get("fees", "")), start=1):
        try:
            amount = _decimal(item[1].replace(".", "")) if len(item) > 1 else None
            if not item[0] or amount is None or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            err(
                "fees",
                f"Phí, lệ phí thứ {i} phải có dạng tên|số tiền|trường hợp áp dụng, số tiền không âm.",
            )
            continue
        applies_to = item[2] if len(item) > 2 else ""
        kind, free = guess_kind(  # issue 14: the lines are cases, not a sum
            item[0],
            applies_to,
            first=not any(f["kind"] != FeeKind.PER_COPY for f in parsed.fees),
        )
        parsed.fees.append(
            {
                "name": item[0],
                "amount": amount,
                "applies_to": applies_to,
                "kind": kind,
                "free_copies": free,
            }
        )
    for i, item in enumerate(_items(data.get("documents", "")), start=1):
        kind = item[1] if len(item) > 1 and item[1] else PaperKind.ORIGINAL
        copies = item[2] if len(item) > 2 and item[2] else "1"
        required = (item[3] if len(item) > 3 else "1").lower()
        if (
            not item[0]
            or kind not in PaperKind.values
            or not copies.isdigit()
            or not 1 <= int(copies) <= 20
            or required not in _TRUE | _FALSE
        ):
            err(
                "documents",
                f"Thành phần hồ sơ thứ {i} phải có dạng tên|loại bản (original, copy, certified_copy, "
                "original_or_copy)|số bản (1–20)|bắt buộc (1/0).",
            )
            continue
        parsed.documents.append(
            {
                "order": i,
                "name": item[0],
                "paper_kind": kind,
                "copies": int(copies),
                "is_required": required in _TRUE,
            }
        )
    total = Decimal(0)
    for i, item in enumerate(_items(data.get("steps", "")), start=1):
        try:
            share = _decimal(item[2]) if len(item) > 2 else None
            if (
                not item[0]
                or item[1] not in StepRole.values
                or share is None
                or not 0 <= share <= 100
            ):
                raise InvalidOperation
        except (InvalidOperation, IndexError):
            err(
                "steps",
                f"Bước xử lý thứ {i} phải có dạng tên|vai trò (clerk, specialist, leader, clerical)|tỷ lệ %|phòng ban.",
            )
            continue
        total += share
        parsed.steps.append(
            {
                "order": i,
                "name": item[0],
                "role": item[1],
                "share_percent": share,
                "department_hint": item[3] if len(item) > 3 else "",
            }
        )
    if parsed.steps and total != 100:
        err("steps", f"Tổng tỷ lệ thời gian các bước là {total}%, phải bằng 100%.")
    for column in ("conditions", "legal_basis", "result", "applicant_types", "description"):
        values[column] = data.get(column, "")
    return parsed


def procedures_parse(*, filename: str, content: bytes) -> ImportReport:
    """Read and check a file without writing anything (the preview)."""
    rows = read_table(filename=filename, content=content)
    report = ImportReport()
    sectors = {s.code: s for s in Sector.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    existing = set(
        Procedure.objects.filter(code__in=[d.get("code") for _, d in rows]).values_list(
            "code", flat=True
        )
    )
    seen: dict[str, int] = {}
    for number, data in rows:
        parsed = _parse_row(number, data, sectors, agencies, report.errors)
        code = parsed.values["code"]
        if code in seen:
            report.errors.append(
                RowError(number, "code", f"Mã «{code}» trùng với dòng {seen[code]}.")
            )
        seen.setdefault(code, number)
        parsed.is_update = code in existing
        report.rows.append(parsed)
    return report


def procedures_import(*, filename: str, content: bytes, publish: bool = False) -> ImportReport:
    """Check the whole file, then write every row in one transaction (and publish each procedure
    when ``publish``). Raises :class:`ImportRejected` (nothing written) when any row is bad."""
    report = procedures_parse(filename=filename, content=content)
    if not report.ok:
        raise ImportRejected(report)
    with transaction.atomic():
        for parsed in report.rows:
            v = parsed.values
            sector = Sector.objects.filter(code=v["sector_code"]).first()
            if sector is None:
                sector = Sector.objects.create(code=v["sector_code"], name=v["sector_name"])
            procedure, _ = Procedure.objects.update_or_create(
                code=v["code"],
                defaults={
                    "name": v["name"],
                    "name_en": v["name_en"],
                    "sector": sector,
                    "level": v["level"],
                    "processing_time": v["processing_time"],
                    "time_unit": v["time_unit"],
                    "cutoff_time": v["cutoff_time"],
                    "agency_levels": v["agency_levels"],
                    "conditions": v["conditions"],
                    "legal_basis": v["legal_basis"],
                    "result": v["result"],
                    "applicant_types": v["applicant_types"],
                    "description": v["description"],
                },
            )
            procedure.agencies.set(parsed.agencies)
            procedure.fees.all().delete()
            procedure.steps.all().delete()
            ProcedureFee.objects.bulk_create(
                ProcedureFee(procedure=procedure, **f) for f in parsed.fees
            )
            ProcedureStep.objects.bulk_create(
                ProcedureStep(procedure=procedure, **s) for s in parsed.steps
            )
            if parsed.documents:
                # keep uploaded form templates of documents whose name did not change
                old = {d.name: d for d in procedure.documents.all()}
                keep = []
                for d in parsed.documents:
                    doc = old.pop(d["name"], None) or RequiredDocument(procedure=procedure)
                    for key, value in d.items():
                        setattr(doc, key, value)
                    doc.save()
                    keep.append(doc.pk)
                procedure.documents.exclude(pk__in=keep).delete()
            if publish:
                procedure_publish(procedure=procedure)
            report.imported += 1
    return report
