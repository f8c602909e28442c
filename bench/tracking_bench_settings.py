"""Settings for ``bench/tracking_throughput.py``: the portal's own, with a URLconf that adds one
bare Django view as the yardstick."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "tracking_bench_urls"
