"""A plain progress bar on stderr for the management commands (tqdm is not installed)."""

from __future__ import annotations

import sys
import time as _time
from collections.abc import Callable
from typing import Any


def progress_bar(label: str, stream: Any = None) -> Callable[[int, int], None]:
    """A plain progress bar on stderr (tqdm is not installed)."""
    stream = stream or sys.stderr
    started: list[float] = []  # the clock starts at the first report, not when the bar is made
    last = [-1.0]

    def show(done: int, total: int) -> None:
        frac = 1.0 if not total else min(1.0, done / total)
        now = _time.monotonic()
        if not started:
            started.append(now)
        if frac < 1.0 and now - last[0] < 0.5:
            return
        last[0] = now
        width = 30
        bar = "#" * int(frac * width) + "-" * (width - int(frac * width))
        stream.write(
            f"\r{label:<12} [{bar}] {done:>9,}/{total:,} {frac:6.1%} {now - started[0]:6.1f}s"
        )
        if frac >= 1.0:
            stream.write("\n")
        stream.flush()

    return show
