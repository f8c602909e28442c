"""The demo catalogue's data files (``procedures/demo_data/``): JSON shipped with the app, read
once at import by :mod:`procedures.demo` and :mod:`procedures.demo_eforms` (issue 16: data
belongs in data files, not in code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "demo_data"


def load_demo_json(name: str) -> Any:
    """The decoded content of ``demo_data/<name>`` (a path relative to that directory)."""
    with (DATA_DIR / name).open(encoding="utf-8") as fh:
        return json.load(fh)
