"""Bulk loads into PostgreSQL for the province generator and the full rebuild of the summary.

Why each piece is here (profile of a 1,000,000-dossier run, bench/README.md):

* rows go in by ``COPY`` as text built by :func:`copy_line` (one dict look-up per value, no
  per-value type ladder) and are sent from a background thread (:class:`dashboards.dev.bulkload.CopyStream`), so that
  PostgreSQL parses and stores one chunk while Python generates the next (2 cores: one each);
* during a load that at least doubles a table, its secondary indexes, unique constraints and
  foreign keys are set aside (:func:`indexes_set_aside`) and rebuilt at the end: one sort per
  index instead of a million random b-tree inserts, and one anti-join per foreign key instead of
  a deferred trigger queued per row and fired at commit. Everything happens in the caller's
  transaction: if the load fails, PostgreSQL rolls the dropped definitions back with it.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection


def _text(s: str) -> str:
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _json(v: Any) -> str:
    return _text(json.dumps(v, ensure_ascii=False))


def _list(v: list[Any]) -> str:
    if not v:
        return "[]"
    if all(type(x) is int for x in v):  # the facts' timestamps: no encoder needed
        return "[" + ",".join(map(str, v)) + "]"
    return _json(v)


_FORMAT: dict[type, Callable[[Any], str]] = {
    int: int.__str__,
    str: _text,
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    datetime: datetime.isoformat,
    date: date.isoformat,
    Decimal: Decimal.__str__,
    dict: _json,
    list: _list,
}


def copy_value(v: Any) -> str:
    """One value in COPY's text format (choices enums, subclasses: by their plain value)."""
    fmt = _FORMAT.get(type(v))
    if fmt is not None:
        return fmt(v)
    for base, fmt in _FORMAT.items():
        if isinstance(v, base) and base is not type(None):
            return fmt(v)
    return _text(str(v))


def copy_line(row: Sequence[Any]) -> str:
    """A row in COPY's text format, with its newline."""
    get = _FORMAT.get
    try:
        return "\t".join([get(type(v))(v) for v in row]) + "\n"  # type: ignore[misc]
    except TypeError:  # a type without a direct formatter (None from get): the slow path
        return "\t".join([copy_value(v) for v in row]) + "\n"


def copy_sql(table: str, columns: Sequence[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` into ``table`` on Django's connection (in the caller's transaction)."""
    lines = [copy_line(row) for row in rows]
    if not lines:
        return 0
    with connection.cursor() as cur:
        cur.cursor.copy_expert(
            copy_sql(table, columns), io.BytesIO("".join(lines).encode()), size=1 << 20
        )
    return len(lines)


@dataclass
class SetAside:
    """What was dropped from one table, with the statements that put it back."""

    table: str
    indexes: list[tuple[str, str]] = field(default_factory=list)  # name, CREATE INDEX ...
    constraints: list[tuple[str, str]] = field(
        default_factory=list
    )  # name, UNIQUE (...) / FOREIGN KEY ...
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)

    def statements(self) -> list[str]:
        """Indexes and unique constraints first, foreign keys last (their check reads the others)."""
        t = connection.ops.quote_name(self.table)
        q = connection.ops.quote_name
        return (
            [sql for _name, sql in self.indexes]
            + [f"ALTER TABLE {t} ADD CONSTRAINT {q(name)} {sql}" for name, sql in self.constraints]
            + [f"ALTER TABLE {t} ADD CONSTRAINT {q(name)} {sql}" for name, sql in self.foreign_keys]
        )


def set_aside(tables: Iterable[str]) -> list[SetAside]:
    """Drop the secondary indexes, unique constraints and foreign keys of ``tables`` (not the
    primary keys, nor a unique constraint another table's foreign key points to, nor checks and
    triggers), returning how to rebuild them. Inside the caller's transaction."""
    out = []
    q = connection.ops.quote_name
    with connection.cursor() as cur:
        # a foreign key cannot be dropped while its tables have deferred checks pending (rows
        # written earlier in this transaction): run them now, then defer again as Django does
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
        for table in tables:
            saved = SetAside(table)
            cur.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND (c.contype = 'f' OR (c.contype = 'u' AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))) ORDER BY c.conname",
                [table],
            )
            for name, definition, kind in cur.fetchall():
                (saved.foreign_keys if kind == "f" else saved.constraints).append(
                    (name, definition)
                )
            cur.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
                "WHERE x.indrelid = %s::regclass AND NOT EXISTS ("
                "  SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid AND c.contype IN ('p', 'u', 'x')"
                ") ORDER BY i.relname",
                [table],
            )
            saved.indexes = list(cur.fetchall())
            for name, _sql in saved.foreign_keys + saved.constraints:
                cur.execute(f"ALTER TABLE {q(table)} DROP CONSTRAINT {q(name)}")
            for name, _sql in saved.indexes:
                cur.execute(f"DROP INDEX {q(name)}")
            out.append(saved)
    return out


def restore(saved: list[SetAside], progress: Callable[[int, int], None] | None = None) -> None:
    """Rebuild what :func:`set_aside` dropped (each index by one sort; each foreign key checked
    by one query over the whole table)."""
    statements = [s for item in saved for s in item.statements()]
    if progress:
        progress(0, len(statements))
    with connection.cursor() as cur:
        for i, sql in enumerate(statements):
            cur.execute(sql)
            if progress:
                progress(i + 1, len(statements))


def tune_session_for_load() -> None:
    """Settings of this transaction only: bigger sort memory for the index builds and group-bys,
    no wait for the WAL flush at commit (a lost scratch load is simply run again), no JIT (its
    compilation cost ~1 s per statement here and bought nothing for scans and group-bys)."""
    with connection.cursor() as cur:
        cur.execute("SET LOCAL jit = off")
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET LOCAL work_mem = '256MB'")
        cur.execute("SET LOCAL synchronous_commit = off")


@contextmanager
def indexes_set_aside(
    tables: Iterable[str],
    *,
    enabled: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Iterator[list[SetAside]]:
    """Load with ``tables``' secondary indexes and foreign keys dropped, rebuilt on the way out
    (only if the body succeeded: on an error the transaction's rollback restores them)."""
    if not enabled or connection.vendor != "postgresql":
        yield []
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_set_aside needs a transaction (transaction.atomic).")
    saved = set_aside(tables)
    yield saved
    restore(saved, progress)
