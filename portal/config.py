"""One place that reads every environment variable and documents it.

Open Zaak's habit: each setting names its variable, its default and why. The defaults let a
newcomer run the whole portal with no external service (SQLite, a filesystem Celery broker);
production sets ``DATABASE_URL``, ``REDIS_URL`` and ``SECRET_KEY`` (which has no production default).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import environ

_env = environ.Env()

#: Every variable read through :func:`config`, with its help text (shown by ``manage.py envdoc``).
DOCUMENTED: dict[str, Setting] = {}


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help_text: str


def config(name: str, default: Any = None, *, cast: type | None = None, help_text: str = "") -> Any:
    """Read ``name`` from the environment, cast it, and record its documentation.

    A variable read twice keeps the first non-empty help text, so a later bare ``config(name)``
    does not erase what ``manage.py envdoc`` prints.
    """
    previous = DOCUMENTED.get(name)
    if previous is not None and not help_text:
        help_text = previous.help_text
    DOCUMENTED[name] = Setting(name, default, help_text)
    if name not in os.environ:
        return default
    if cast is bool:
        return _env.bool(name)
    if cast is int:
        return _env.int(name)
    if cast is float:
        return _env.float(name)
    if cast is list:
        return _env.list(name)
    return os.environ[name]


def db_url(name: str, default: str, help_text: str) -> dict[str, Any]:
    DOCUMENTED[name] = Setting(name, default, help_text)
    return environ.Env.db_url_config(os.environ.get(name, default))
