"""Envelopes per second between two portal instances, each document with a ~1 MB signed PDF.

    .venv/bin/python bench/edxml_exchange.py            # --n 20 --size 1000000

Starts the two instances of tests/documents/two_portals.py (portal A = H18, portal B = H29, each
with its own PostgreSQL database, Redis db, PKI, gunicorn -w 2 and a Celery worker -c 2 with beat),
prepares documents at A through the services (draft, ~1 MB PDF, the leader signs it on the
SoftHSM token, the văn thư issues; not timed) and measures:

1. end to end: the văn thư sends N documents; time until A has recorded B's signed 01 for all N
   (outbox relay → A's worker builds and signs the envelope (base64 1 MB) → HTTP POST → B parses,
   verifies the XML signature and the chain, stores document + attachment + envelope, answers a
   signed 01 → A verifies and records it);
2. receiving side alone: N further envelopes, built and signed beforehand, POSTed by 4 client
   threads straight to B's inbound endpoint; time until all are answered 200/01.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.documents.two_portals import start_pair, stop_pair, wait  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=20)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="edxml-bench-"))
    a, b = start_pair(tmp)
    try:
        t0 = time.monotonic()
        batch = a.step("bench_prepare", office=a.office, to=b.office, n=args.n, size=args.size)
        spare = a.step("bench_prepare", office=a.office, to=b.office, n=args.n, size=args.size)
        print(
            f"prepared 2 × {args.n} documents in {time.monotonic() - t0:.1f} s; PDF {batch['pdf_bytes']} B, signed {batch['signed_bytes']} B"
        )

        reached = "SELECT count(*) FROM documents_outgoingrecipient WHERE document_id = ANY(%s) AND status_code = '01'"
        start = time.monotonic()
        a.step("bench_send", ids=batch["ids"])
        wait(lambda: a.rows(reached, batch["ids"])[0][0] == args.n, 600, "all 01", (a, b))
        elapsed = time.monotonic() - start
        print(
            f"end to end: {args.n} documents in {elapsed:.2f} s = {args.n / elapsed:.2f} envelopes/s"
        )

        paths = a.step("bench_envelopes", ids=spare["ids"], out_dir=str(tmp))["paths"]
        bodies = [Path(p).read_bytes() for p in paths]
        print(f"envelope size: median {statistics.median(len(x) for x in bodies) / 1e6:.2f} MB")

        def post(body: bytes) -> tuple[int, float]:
            t = time.monotonic()
            request = urllib.request.Request(
                f"{b.url}/api/v1/edxml/inbound/",
                data=body,
                method="POST",
                headers={"Content-Type": "application/xml"},
            )
            with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
                response.read()
                return response.status, time.monotonic() - t

        start = time.monotonic()
        with ThreadPoolExecutor(args.threads) as pool:
            results = list(pool.map(post, bodies))
        elapsed = time.monotonic() - start
        assert all(code == 200 for code, _ in results), results
        latencies = sorted(t for _, t in results)
        print(
            f"receiving side: {len(bodies)} envelopes in {elapsed:.2f} s = {len(bodies) / elapsed:.2f} envelopes/s "
            f"({args.threads} client threads; latency median {statistics.median(latencies) * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms)"
        )
        stored = b.rows("SELECT count(*) FROM documents_incomingdocument")[0][0]
        print(f"B stored {stored} incoming documents (expected {2 * args.n})")
    finally:
        stop_pair((a, b))


if __name__ == "__main__":
    main()
