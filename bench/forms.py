#!/usr/bin/env python
"""Printed forms: median time to render the receipt (form 01) and time to render the tracking
book (form 07) of 1,000 dossiers.

    .venv/bin/python bench/forms.py [--runs 40] [--book 1000] [--one-table]

Uses the real pipeline on a throwaway SQLite database in a temporary folder (the setup of
scripts/form_previews.py: realistic dossiers of Sở Tư pháp tỉnh Điện Biên driven through the
services). The receipt is timed two ways: ``render_bytes`` (context from the database + HTML +
WeasyPrint layout + PDF) and the WeasyPrint part alone. The book's 1,000 dossiers are bulk-copied
from the realistic ones (distinct codes, names, dates spread over June 2026). ``--one-table``
also times the book as one long table (no parts) for comparison.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _previews():
    spec = importlib.util.spec_from_file_location(
        "form_previews", ROOT / "scripts" / "form_previews.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each run (CPU time is what the render costs when the
    machine is shared; WeasyPrint runs in this one thread)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu


def _fill_book(agency, n: int) -> None:
    """Copy the realistic received dossiers until the agency has ``n`` received in June 2026."""
    from dossiers.models import Dossier

    models = list(
        Dossier.objects.filter(receiving_agency=agency, received_at__isnull=False).values()
    )
    have = len(models)
    rows = []
    for i in range(n - have):
        values = dict(models[i % have])
        values.pop("id")
        values.update(
            code=f"G09.20-202606{(i % 20) + 1:02d}-{900000 + i:07d}",
            tracking_token=f"bench{i:020d}",
            applicant_name=f"{values['applicant_name']} {i}",
            current_step_id=None,
            received_at=values["received_at"].replace(day=1)
            + timedelta(days=i % 20, minutes=i % 600),
        )
        rows.append(Dossier(**values))
    Dossier.objects.bulk_create(rows, batch_size=500)


def main() -> None:
    parser = argparse.ArgumentParser(description="Printed forms benchmark")
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--book", type=int, default=1000)
    parser.add_argument("--one-table", action="store_true")
    args = parser.parse_args()
    previews = _previews()
    with tempfile.TemporaryDirectory(prefix="bench-forms-") as tmp:
        previews._setup(tmp)
        import logging

        logging.disable(logging.INFO)
        from django.db import transaction

        from dossiers import printing
        from portal.pdf import render

        forms = previews._forms()
        receipt = forms["01"]
        context = printing.form_context(receipt)
        template = printing.TEMPLATES["01"]
        for _ in range(3):  # warm-up: imports, fonts found and loaded once per process
            printing.render_bytes(receipt)
        full, full_cpu = _timed(lambda: printing.render_bytes(receipt), args.runs)
        engine, engine_cpu = _timed(lambda: render.render_document(template, context), args.runs)

        def naive() -> (
            None
        ):  # what a plain call does: new FontConfiguration, CSS parsed per document
            from weasyprint import HTML

            HTML(string=render.render_html(template, context), base_url=str(ROOT)).write_pdf()

        plain, plain_cpu = _timed(naive, args.runs)
        print(f"load average before: {os.getloadavg()[0]:.1f}")
        print(
            f"receipt 01, render_bytes (DB context + PDF): median {statistics.median(full):.0f} ms wall, "
            f"{statistics.median(full_cpu):.0f} ms CPU; p90 {statistics.quantiles(full, n=10)[-1]:.0f} ms, min {min(full):.0f} ms  ({args.runs} runs)"
        )
        print(
            f"receipt 01, WeasyPrint only: median {statistics.median(engine):.0f} ms wall, {statistics.median(engine_cpu):.0f} ms CPU, min {min(engine):.0f} ms"
        )
        print(
            f"receipt 01, naive WeasyPrint call: median {statistics.median(plain):.0f} ms wall, {statistics.median(plain_cpu):.0f} ms CPU, min {min(plain):.0f} ms"
        )

        book = forms["07"]
        _fill_book(book.agency, args.book)
        with transaction.atomic():
            book = printing.request_tracking_book(
                agency=book.agency,
                start=date(2026, 6, 1),
                end=date(2026, 6, 30),
                actor=book.requested_by,
            )
        rows_t = time.perf_counter()
        rows = printing.book_rows(book.agency, book.period_start, book.period_end)
        rows_ms = (time.perf_counter() - rows_t) * 1000
        start, start_cpu = time.perf_counter(), time.process_time()
        data, pages = printing.render_bytes(book)
        book_s, book_cpu = time.perf_counter() - start, time.process_time() - start_cpu
        print(
            f"book 07, {len(rows)} dossiers: {book_s:.1f} s wall, {book_cpu:.1f} s CPU, {pages} pages, {len(data) // 1024} KiB "
            f"(rows query {rows_ms:.0f} ms; tables of {printing.BOOK_CHUNK_ROWS} rows in one document; "
            f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB)"
        )
        if args.one_table:
            one = {**printing.book_context(book, rows), "parts": [rows]}
            start, start_cpu = time.perf_counter(), time.process_time()
            data, pages = render.render_document(printing.TEMPLATES["07"], one)
            print(
                f"book 07 as ONE table, {len(rows)} dossiers: {time.perf_counter() - start:.1f} s wall, "
                f"{time.process_time() - start_cpu:.1f} s CPU, {pages} pages"
            )
    sys.exit(0)


if __name__ == "__main__":
    main()
