"""Demo catalogue: real procedures of the one-stop shops of a province, after the 2025 reforms.

Names, results and legal bases follow the National Database on Administrative Procedures
(csdl.dichvucong.gov.vn). National codes are given where we had them at hand; the others carry a
provincial placeholder ``H18-<sector>-<nn>`` to be replaced when the catalogue is synchronised with
the national database. Fees are the national or Điện Biên figures in force when written (VND).

The catalogue itself is data, in ``demo_data/`` (``sectors.json``, ``procedures.json``,
``steps.json``); this module reads it into the tables below and seeds it.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from portal.agencies.constants import AgencyLevel
from portal.agencies.models import Agency

from .constants import FeeKind, PaperKind, PublicationState, ServiceLevel, StepRole, TimeUnit
from .demo_eforms import EFORMS
from .demo_files import load_demo_json
from .fees import guess_kind
from .models import Procedure, ProcedureFee, ProcedureStep, RequiredDocument, Sector
from .services import procedure_current_version, procedure_publish

TEMPLATES_DIR = Path(__file__).resolve().parent / "demo_templates"

O, C, CC, OC = (  # noqa: E741 - the paper kinds' initials
    PaperKind.ORIGINAL,
    PaperKind.COPY,
    PaperKind.CERTIFIED_COPY,
    PaperKind.ORIGINAL_OR_COPY,
)
WD, WH, CD = TimeUnit.WORKING_DAYS, TimeUnit.WORKING_HOURS, TimeUnit.CALENDAR_DAYS


def _procedure_row(p: dict) -> tuple:
    """One procedure of ``procedures.json`` as the catalogue table's tuple."""
    documents = [
        (
            d["name"],
            PaperKind(d["paper_kind"]),
            d["copies"],
            d["required"],
            f"{d['template']['file']}|{d['template']['label']}" if d["template"] else None,
        )
        for d in p["documents"]
    ]
    return (
        p["code"],
        p["name"],
        p["sector"],
        p["level"],
        p["processing_time"],
        TimeUnit(p["time_unit"]),
        p["where"],
        [(f["name"], f["amount"], f["applies_to"]) for f in p["fees"]],
        documents,
        p["result"],
        p["legal_basis"],
    )


def _steps(rows: list[dict]) -> list[tuple[str, StepRole, str, str]]:
    return [
        (s["name"], StepRole(s["role"]), s["share_percent"], s["department_hint"]) for s in rows
    ]


_CATALOGUE: list[dict] = load_demo_json("procedures.json")
_STEPS: dict[str, list[dict]] = load_demo_json("steps.json")

#: code, name, English name
SECTORS = [(s["code"], s["name"], s["name_en"]) for s in load_demo_json("sectors.json")]

#: code, name, sector, level, time, unit, where ("commune" or a department number), fees,
#: documents, result, legal basis
PROCEDURES: list[tuple] = [_procedure_row(p) for p in _CATALOGUE]

#: English names shown when the portal is switched to English.
NAMES_EN = {p["code"]: p["name_en"] for p in _CATALOGUE if p["name_en"]}

COMMUNE_STEPS = _steps(_STEPS["commune"])
DEPARTMENT_STEPS = _steps(_STEPS["department"])


def _fee_kinds(fees: list) -> list[tuple[str, int, str, str, int]]:
    """The demo's fee lines with their kind (issue 14): the first line and the reduced / exempt
    ones are cases (LLTP: 200.000 đ, or 100.000 đ for students and people with meritorious
    services, Circular 244/2016/TT-BTC), per-copy lines count the copies beyond those included
    (5.000 đ per certificate from the third one on), any other line is charged in every case."""
    out: list[tuple[str, int, str, str, int]] = []
    for name, amount, applies_to in fees:
        kind, free = guess_kind(
            name, applies_to, first=not any(o[3] != FeeKind.PER_COPY for o in out)
        )
        out.append((name, amount, applies_to, kind, free))
    return out


def _template_file(spec: str) -> tuple[str, str, bytes]:
    filename, label = spec.split("|", 1)
    return filename, label, (TEMPLATES_DIR / filename).read_bytes()


@transaction.atomic
def seed_procedures() -> int:
    """Create the demo catalogue and publish it (idempotent: a procedure already published is left
    alone, so re-seeding never adds versions). Needs the demo agencies (``seed_agencies``).
    Returns the number of demo procedures in the catalogue."""
    for i, (code, name, name_en) in enumerate(SECTORS, start=1):
        Sector.objects.update_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "ordering": i}
        )
    sectors = {s.code: s for s in Sector.objects.all()}
    communes = list(
        Agency.objects.filter(
            level=AgencyLevel.COMMUNE, code__regex=r"^000\.00\.(5[1-9]|[6-9][0-9])\.H18$"
        )
    )
    for (
        code,
        name,
        sector,
        level,
        amount,
        unit,
        where,
        fees,
        documents,
        result,
        legal,
    ) in PROCEDURES:
        existing = Procedure.objects.filter(code=code).first()
        if existing is not None and existing.state == PublicationState.PUBLISHED:
            if not existing.name_en and code in NAMES_EN:  # demo data from before the English names
                existing.name_en = NAMES_EN[code]
                existing.save(update_fields=["name_en"])
            current = procedure_current_version(existing)
            if current is not None and any("kind" not in f for f in current.snapshot["fees"]):
                procedure_publish(procedure=existing)  # demo data from before the fee cases
            if existing.eform != EFORMS.get(
                code, existing.eform
            ):  # demo data from before the e-forms
                existing.eform = EFORMS[code]
                existing.save(update_fields=["eform"])
                procedure_publish(procedure=existing)
            continue
        at_commune = where == "commune"
        procedure, _ = Procedure.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": NAMES_EN.get(code, ""),
                "sector": sectors[sector],
                "level": ServiceLevel(level),
                "processing_time": Decimal(amount),
                "time_unit": unit,
                "cutoff_time": time(16, 0) if at_commune else time(15, 0),
                "agency_levels": [AgencyLevel.COMMUNE if at_commune else AgencyLevel.DEPARTMENT],
                "result": result,
                "legal_basis": legal,
                "eform": EFORMS.get(code, {}),
                "applicant_types": "Công dân Việt Nam"
                if sector in ("HT", "CT", "LLTP", "BTXH")
                else "Cá nhân, tổ chức",
                "conditions": ""
                if sector in ("HT", "CT")
                else "Đáp ứng các điều kiện theo quy định tại căn cứ pháp lý của thủ tục.",
                "description": (
                    "Nộp hồ sơ trực tiếp tại Bộ phận Một cửa, qua dịch vụ bưu chính công ích"
                    + (" hoặc trực tuyến trên Cổng dịch vụ công." if level >= 3 else ".")
                ),
            },
        )
        procedure.agencies.set(
            communes if at_commune else Agency.objects.filter(code=f"000.00.{where}.H18")
        )
        procedure.fees.all().delete()
        procedure.documents.all().delete()
        procedure.steps.all().delete()
        ProcedureFee.objects.bulk_create(
            ProcedureFee(
                procedure=procedure,
                name=f,
                amount=Decimal(a),
                applies_to=t,
                kind=kind,
                free_copies=free,
            )
            for f, a, t, kind, free in _fee_kinds(fees)
        )
        for order, (doc_name, kind, copies, required, template) in enumerate(documents, start=1):
            doc = RequiredDocument(
                procedure=procedure,
                order=order,
                name=doc_name,
                paper_kind=kind,
                copies=copies,
                is_required=required,
            )
            if template:
                filename, label, content = _template_file(template)
                doc.template_name = label
                stored = f"procedures/templates/demo/{filename}"
                if default_storage.exists(stored) and default_storage.size(stored) == len(content):
                    doc.template.name = (
                        stored  # already there from an earlier seed: no duplicate file
                    )
                else:
                    doc.template.save(f"demo/{filename}", ContentFile(content), save=False)
            doc.save()
        for order, (step, role, share, dept) in enumerate(
            COMMUNE_STEPS if at_commune else DEPARTMENT_STEPS, start=1
        ):
            ProcedureStep.objects.create(
                procedure=procedure,
                order=order,
                name=step,
                role=role,
                department_hint=dept,
                share_percent=Decimal(share),
            )
        procedure_publish(procedure=procedure)
    return Procedure.objects.filter(code__in=[p[0] for p in PROCEDURES]).count()
