#!/usr/bin/env python
"""E-form render and server-side validation of a 60-field form (target ≤ 30 ms).

    .venv/bin/python bench/eform_render.py [--runs 200]

A 60-field declaration (texts, dates, citizen IDs, tax codes, phones, choices, numbers,
booleans with conditions, two addresses with the commune picker of 60 communes, a repeating group
of 4 sub-fields with 5 rows) is rendered to HTML (``dossiers.eforms.render_eform``, the template
the citizen gets) and a filled POST of it parsed and validated (``procedures.eforms.parse_post`` +
``validate``: JSON Schema with formats, conditions, locked fields). Throwaway SQLite database, or ``BENCH_DATABASE_URL``.
Prints the median and p95 of render, of validation, and of both together.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def definition() -> dict:
    fields: list[dict] = []
    kinds = [
        "text",
        "date",
        "citizen_id",
        "phone",
        "choice",
        "number",
        "tax_code",
        "email",
        "textarea",
    ]
    for i in range(50):
        kind = kinds[i % len(kinds)]
        f = {"name": f"f{i:02d}", "label": f"Trường số {i}", "type": kind, "required": i % 3 == 0}
        if kind == "choice":
            f["choices"] = [["a", "Lựa chọn A"], ["b", "Lựa chọn B"], ["c", "Lựa chọn C"]]
        if kind == "number":
            f.update(minimum=0, maximum=1000)
        if kind == "date":
            f["not_after_today"] = True
        fields.append(f)
    for j in range(4):
        fields.append({"name": f"flag{j}", "label": f"Có thông tin {j}", "type": "boolean"})
        fields.append(
            {
                "name": f"cond{j}",
                "label": f"Chi tiết {j}",
                "type": "text",
                "required": True,
                "show_when": {"field": f"flag{j}", "equals": True},
            }
        )
    fields.append({"name": "addr1", "label": "Nơi cư trú", "type": "address", "required": True})
    fields.append({"name": "addr2", "label": "Địa chỉ liên hệ", "type": "address"})
    fields.append(
        {
            "name": "members",
            "label": "Thành viên hộ",
            "type": "group",
            "min": 1,
            "max": 10,
            "fields": [
                {"name": "name", "label": "Họ tên", "type": "text", "required": True},
                {"name": "dob", "label": "Ngày sinh", "type": "date"},
                {"name": "id", "label": "Số định danh", "type": "citizen_id"},
                {
                    "name": "rel",
                    "label": "Quan hệ",
                    "type": "choice",
                    "choices": [["con", "Con"], ["vo", "Vợ"], ["chong", "Chồng"]],
                },
            ],
        }
    )
    fields.insert(
        0,
        {"name": "who", "label": "Họ tên", "type": "text", "required": True, "prefill": "HoVaTen"},
    )
    return {"title": "Tờ khai 60 trường", "fields": fields}


def post_for(defn: dict, commune: str) -> dict:
    sample = {
        "text": "Nội dung",
        "date": "2001-02-03",
        "citizen_id": "011090001234",
        "phone": "0912345678",
        "choice": "b",
        "number": "12",
        "tax_code": "5600123450",
        "email": "a@example.vn",
        "textarea": "Dài hơn một chút",
        "boolean": "on",
    }
    post = {}
    for f in defn["fields"]:
        if f["type"] == "address":
            post[f"ef-{f['name']}-commune"], post[f"ef-{f['name']}-detail"] = commune, "Tổ 5"
        elif f["type"] == "group":
            for r in range(5):
                post.update(
                    {
                        f"ef-members-{r}-name": f"Người {r}",
                        f"ef-members-{r}-dob": "2010-01-01",
                        f"ef-members-{r}-id": "011090001234",
                        f"ef-members-{r}-rel": "con",
                    }
                )
        elif f["name"] == "who":
            post["ef-who"] = "Lò Văn Hùng"
        elif f["type"] == "text" and f["name"].startswith("cond"):
            post[f"ef-{f['name']}"] = "Chi tiết"
        else:
            post[f"ef-{f['name']}"] = sample[f["type"]]
    return post


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-eform-")
    # BENCH_DATABASE_URL: a scratch PostgreSQL database (created empty beforehand); else SQLite.
    db = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/portal.sqlite3"
    os.environ.update(DATABASE_URL=db, PORTAL_VAR_DIR=tmp, DEBUG="0", REDIS_URL="")
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import translation

    from dossiers.eforms import render_eform
    from portal.agencies.constants import AgencyLevel
    from portal.agencies.models import Agency
    from procedures import eforms

    translation.activate("vi")
    province, _ = Agency.objects.get_or_create(
        code="000.00.00.H18",
        defaults={"name": "UBND tỉnh Điện Biên", "level": AgencyLevel.PROVINCE},
    )
    for n in range(60):
        Agency.objects.get_or_create(
            code=f"000.00.{n + 30:02d}.H18",
            defaults={"name": f"UBND xã {n}", "level": AgencyLevel.COMMUNE, "parent": province},
        )
    defn = definition()
    eforms.check_definition(defn)
    n_fields = sum(len(f["fields"]) if f["type"] == "group" else 1 for f in defn["fields"])
    post = post_for(defn, "000.00.30.H18")
    locked = {"who": "Lò Văn Hùng"}
    render, check, both, cpu = [], [], [], []
    for i in range(args.runs + 10):
        c0 = time.process_time()
        t0 = time.perf_counter()
        html = render_eform(defn, {"who": "Lò Văn Hùng"}, locked=locked)
        t1 = time.perf_counter()
        result = eforms.validate(defn, eforms.parse_post(defn, post), locked=locked)
        t2 = time.perf_counter()
        assert result.ok, result.errors
        if i >= 10:
            render.append((t1 - t0) * 1000)
            check.append((t2 - t1) * 1000)
            both.append((t2 - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    assert html.count('class="mb-3 eform-field"') == len(defn["fields"])

    def p95(xs: list[float]) -> float:
        return sorted(xs)[int(len(xs) * 0.95) - 1]

    print(
        f"fields={n_fields} (top level {len(defn['fields'])}, group of 4 x 5 rows) runs={args.runs} load={os.getloadavg()[0]:.2f} html={len(html)} bytes"
    )
    for label, xs in (
        ("render", render),
        ("validate", check),
        ("render + validate", both),
        ("render + validate, CPU", cpu),
    ):
        print(f"{label}: median {statistics.median(xs):.2f} ms, p95 {p95(xs):.2f} ms")


if __name__ == "__main__":
    main()
