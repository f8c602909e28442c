"""Benchmark: catalogue search over 2,000 published procedures on PostgreSQL.

Usage (from the project root)::

    .venv/bin/python bench/catalogue_search.py [--db portal_bench] [--n 2000] [--runs 60]

Creates (or reuses) the scratch database ``portal_bench`` on 127.0.0.1:5432, migrates it, loads the
demo province and catalogue and tops it up with generated procedures to ``--n``, then measures the
server time of the search page ``/thu-tuc/`` and of the API ``/api/v1/procedures/`` through Django's
test client (in-process: URL routing, middleware, queries, template/JSON rendering; no network),
warm (each URL requested 5 times first), persistent DB connection as in production.
Target (issue 2): median ≤ 20 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VERBS = [
    "Cấp",
    "Cấp lại",
    "Cấp đổi",
    "Gia hạn",
    "Điều chỉnh",
    "Thu hồi",
    "Đăng ký",
    "Xác nhận",
    "Thẩm định",
    "Phê duyệt",
]
OBJECTS = [
    "giấy phép xây dựng",
    "giấy phép kinh doanh",
    "giấy chứng nhận đủ điều kiện",
    "chứng chỉ hành nghề",
    "giấy phép lao động",
    "giấy phép hoạt động",
    "giấy chứng nhận quyền sử dụng đất",
    "phù hiệu xe",
    "giấy phép lái xe",
    "giấy chứng nhận đăng ký doanh nghiệp",
    "giấy phép khai thác nước",
    "giấy phép môi trường",
    "giấy chứng nhận an toàn thực phẩm",
    "giấy phép biểu diễn nghệ thuật",
    "giấy phép quảng cáo",
    "văn bằng, chứng chỉ",
    "giấy phép sử dụng vật liệu nổ",
    "giấy phép bán lẻ rượu",
    "giấy phép thành lập trường",
    "giấy chứng nhận cơ sở lưu trú",
    "giấy phép hoạt động khoáng sản",
    "giấy phép nhập khẩu",
    "giấy phép hành nghề y",
    "thông tin hộ tịch",
    "hợp đồng lao động",
]
QUALIFIERS = [
    "",
    " cho tổ chức",
    " cho cá nhân",
    " đối với doanh nghiệp",
    " tại cấp xã",
    " có yếu tố nước ngoài",
    " trong khu kinh tế",
    " (trường hợp bị mất, hỏng)",
]

QUERIES = [
    "dang ky khai sinh",
    "giay phep",
    "cap lai giay phep xay dung",
    "chung thuc",
    "doanh nghiep",
    "giấy chứng nhận quyền sử dụng đất",
    "khong co thu tuc nay",
]


def ensure_database(name: str) -> None:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cur.fetchone():
            cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def populate(n: int) -> int:
    from decimal import Decimal
    from itertools import product

    from django.db import transaction

    from portal.agencies.demo import seed_agencies
    from portal.agencies.models import Agency
    from portal.core.text import fold
    from procedures.demo import seed_procedures
    from procedures.models import Procedure, Sector

    seed_agencies()
    seed_procedures()
    have = Procedure.objects.filter(state="published").count()
    if have >= n:
        return have
    sectors = list(Sector.objects.all())
    agencies = list(Agency.objects.filter(level__in=["department", "commune"]))
    names = (f"{v} {o}{q}" for v, o, q in product(VERBS, OBJECTS, QUALIFIERS))
    rows = []
    for i, name in zip(range(have, n), names, strict=False):
        code = f"9.{i:06d}"
        rows.append(
            Procedure(
                code=code,
                name=name,
                search_text=fold(f"{code} {name}"),
                sector=sectors[i % len(sectors)],
                level=2 + i % 3,
                processing_time=Decimal(1 + i % 20),
                state="published",
                version=1,
            )
        )
    with transaction.atomic():
        created = Procedure.objects.bulk_create(rows)
        through = Procedure.agencies.through
        through.objects.bulk_create(
            through(procedure_id=p.pk, agency_id=agencies[(k * 7 + j) % len(agencies)].pk)
            for k, p in enumerate(created)
            for j in range(3)
        )
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE procedures_procedure; ANALYZE procedures_procedure_agencies")
    return Procedure.objects.filter(state="published").count()


def measure(client, url: str, runs: int) -> tuple[float, float, float, int]:
    """Median and p95 wall time, and median CPU time of this (server) process, in ms."""
    for _ in range(5):
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    times, cpu = [], []
    for _ in range(runs):
        c0, t0 = time.process_time(), time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    times.sort()
    return (
        statistics.median(times),
        times[int(len(times) * 0.95) - 1],
        statistics.median(cpu),
        len(response.content),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default="portal_bench")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()

    ensure_database(args.db)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench"))
    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    os.environ["LOG_LEVEL"] = "WARNING"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    total = populate(args.n)
    with connection.cursor() as cur:
        cur.execute("SELECT version()")
        pg = cur.fetchone()[0].split(",")[0]
    print(
        f"{total} published procedures; {pg}; {args.runs} warm runs per URL (ms); "
        f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    client = Client()
    urls = [f"/thu-tuc/?q={q.replace(' ', '+')}" for q in QUERIES]
    urls += [
        "/thu-tuc/?q=giay+phep&sector=XD&level=3",
        "/thu-tuc/?agency=000.00.07.H18",
        "/thu-tuc/?page=50",
    ]
    urls += [f"/api/v1/procedures/?q={q.replace(' ', '+')}" for q in QUERIES[:4]]
    urls += [
        "/api/v1/procedures/?q=giay+phep&level=4",
        "/thu-tuc/1.001193/",
        "/api/v1/procedures/1.001193/",
    ]
    medians = []
    print(f"{'URL':<58} {'median':>7} {'p95':>7} {'cpu':>7} {'bytes':>7}")
    for url in urls:
        med, p95, cpu, size = measure(client, url, args.runs)
        medians.append(med)
        print(f"{url:<58} {med:7.2f} {p95:7.2f} {cpu:7.2f} {size:7d}")
    print(
        f"median of medians: {statistics.median(medians):.2f} ms; worst median: {max(medians):.2f} ms (target ≤ 20 ms); "
        f"load average after: {os.getloadavg()[0]:.2f}"
    )
    with connection.cursor() as cur:
        cur.execute(
            "EXPLAIN ANALYZE SELECT id FROM procedures_procedure WHERE state = 'published' "
            "AND search_text LIKE '%%giay%%' AND search_text LIKE '%%xay dung%%'"
        )
        plan = [r[0] for r in cur.fetchall()]
    print(
        "plan:", " | ".join(line.strip() for line in plan if "Scan" in line or "Execution" in line)
    )


if __name__ == "__main__":
    main()
