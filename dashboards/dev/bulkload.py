"""Streaming COPY for the province generator (development only: see :mod:`dashboards.dev`).

The COPY formatting and the index set-aside the full rebuild also uses are in
:mod:`dashboards.summary.bulk`; this module re-exports them for the generator.
"""

from __future__ import annotations

import io
import queue
import threading
import time
from collections.abc import Sequence

from django.db import connection

from ..summary.bulk import (  # noqa: F401 - the generator's bulk helpers in one place
    copy_line,
    copy_rows,
    copy_sql,
    copy_value,
    indexes_set_aside,
    tune_session_for_load,
)


class CopyStream:
    """COPY chunks from a background thread on Django's own connection (so in its transaction).

    ``send`` queues one table's chunk (at most ``depth`` wait: room for two rounds of the
    generator's seven tables, so it never waits behind its own previous table) and returns at
    once; PostgreSQL stores it while the caller builds the next one (psycopg2 releases the GIL
    while libpq sends and waits). The caller must not use the connection until :meth:`close`
    has returned.
    """

    def __init__(self, depth: int = 16) -> None:
        connection.ensure_connection()
        self._raw = connection.connection
        self._queue: queue.Queue[tuple[str, str, bytes] | None] = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        #: seconds the thread spent in COPY per table, and the caller waited for room in the queue
        self.busy_s: dict[str, float] = {}
        self.wait_s = 0.0
        self._thread = threading.Thread(target=self._run, name="copy-stream", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is not None:
                continue  # drain: the caller learns of the error at its next send / close
            table, sql, data = item
            try:
                t0 = time.perf_counter()
                with self._raw.cursor() as cur:
                    cur.copy_expert(sql, io.BytesIO(data), size=1 << 20)
                self.busy_s[table] = self.busy_s.get(table, 0.0) + time.perf_counter() - t0
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                self._error = exc

    def send(self, table: str, columns: Sequence[str], lines: list[str]) -> None:
        if self._error is not None:
            self.close()
        if lines:
            item = (table, copy_sql(table, columns), "".join(lines).encode())
            t0 = time.perf_counter()
            self._queue.put(item)
            self.wait_s += time.perf_counter() - t0

    def close(self) -> None:
        """Wait for every chunk; re-raise a COPY error here, in the caller's thread."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            with (
                connection.wrap_database_errors
            ):  # as Django's own queries raise it (django.db.DataError, ...)
                raise error


# --- indexes and constraints set aside during a load ------------------------------------------
