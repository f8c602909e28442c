"""Benchmark: build (sign) and parse (verify) one edXML envelope, in process, no network, no DB.

Usage (from the project root)::

    .venv/bin/python bench/edxml_envelope.py [--runs 30]

An in-memory provincial PKI (the portal's ``signatures.pki``), an RSA 2048 organisation key,
a document with an attachment of 0, 1 MB and 5 MB of random bytes. Reports the median and p95 of
``build_document`` (tree + base64 + XML-DSig RSA-SHA256) and of ``parse`` (size check, signxml
verification + certificate path to the root, XSD, value checks, base64 decoding), 3 warm-up runs
first. The exchange's own figure (two portal instances over HTTP) is the docs engineer's
``bench/edxml_exchange.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from documents import edxml  # noqa: E402
from signatures import pki  # noqa: E402


def _identity() -> tuple[edxml.SigningIdentity, list]:  # type: ignore[type-arg]
    material = pki.generate(base_url="http://127.0.0.1:8000")
    key = pki.new_rsa_key()
    cert = pki.build_signing_cert(
        public_key=key.public_key(),
        full_name="Sở Tư pháp tỉnh Điện Biên",
        title="",
        organisation="Sở Tư pháp tỉnh Điện Biên",
        ca_cert=material.issuing_cert,
        ca_key=material.issuing_key,
        ca_slug="issuing",
        endpoints=pki.Endpoints(material.base_url),
    )
    return edxml.SigningIdentity(key=key, chain=[cert, material.issuing_cert]), [material.root_cert]


def _message(size: int) -> edxml.DocumentMessage:
    attachments = (
        [edxml.Attachment("van-ban.pdf", "application/pdf", os.urandom(size), "Văn bản đã ký số")]
        if size
        else []
    )
    return edxml.DocumentMessage(
        document_id="000.00.12.H18-2026-0000123",
        from_organ=edxml.Organ("000.00.12.H18", "Sở Tư pháp tỉnh Điện Biên"),
        to_organs=[edxml.Organ("000.00.13.H18", "UBND xã Mường Phăng")],
        code_number="123",
        code_notation="STP-VP",
        place="Điện Biên",
        promulgation_date=dt.date(2026, 11, 23),
        document_type=1,
        document_type_name="Công văn",
        subject="Về việc rà soát thủ tục hành chính lĩnh vực hộ tịch năm 2026",
        content="Đề nghị các đơn vị rà soát.",
        signer=edxml.SignerInfo("KT. GIÁM ĐỐC", "Phó Giám đốc", "Lò Văn Thắng"),
        attachments=attachments,
        traces=[edxml.Trace("000.00.12.H18", dt.datetime.now(dt.UTC))],
    )


def _measure(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    for _ in range(3):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    identity, roots = _identity()
    limits = {"max_attachment_bytes": 8_000_000, "max_envelope_bytes": 12_000_000}
    print(
        "| attachment | envelope bytes | build median / p95 ms | parse median / p95 ms | round trips/s (1 core) |"
    )
    print("|---|---:|---:|---:|---:|")
    for size in (0, 1_000_000, 5_000_000):
        message = _message(size)
        data = edxml.build_document(message, identity)
        # written in the document-axis shape with the Bussiness block (0: new), read back as received
        assert edxml.parse(data, trust_roots=roots, **limits).message == dataclasses.replace(
            message, business_doc_type=0
        )
        build = _measure(lambda message=message: edxml.build_document(message, identity), args.runs)
        parse = _measure(
            lambda data=data: edxml.parse(data, trust_roots=roots, **limits), args.runs
        )
        label = f"{size // 1_000_000} MB" if size else "none"
        print(
            f"| {label} | {len(data):,} | {build[0]:.1f} / {build[1]:.1f} | {parse[0]:.1f} / {parse[1]:.1f} | {1000 / (build[0] + parse[0]):.0f} |"
        )


if __name__ == "__main__":
    main()
