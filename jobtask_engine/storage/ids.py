"""job_task_id -> row: the index get, update, delete and create go through.

Built on first use: an opened snapshot, or a table after its first load, answers
list and stat without it (at 1M rows the dict costs ~0.3 s and ~100 MB to build),
and builds it at the first call naming a record.  Readers run together (the
store's readers-writer lock), so the first build happens under the table's build
lock and is published whole.
"""

from __future__ import annotations

import threading
from typing import Iterable, Sequence

from ..schema import MISSING

__all__ = ["IdIndex"]


class IdIndex:
    """The row of each live job_task_id of ``ids`` (the table's id column)."""

    __slots__ = ("_ids", "_rows", "_lock")

    def __init__(self, ids: Sequence, lock: threading.RLock, built: bool = True) -> None:
        self._ids = ids
        self._lock = lock
        self._rows: dict[str, int] | None = {} if built else None
        if built and ids:
            self._rows = self._build()

    def _build(self) -> dict[str, int]:
        ids = self._ids
        rows = dict(zip(ids, range(len(ids))))
        if MISSING in rows:  # deleted rows read 'not stored'
            rows = {tid: r for r, tid in enumerate(ids) if tid is not MISSING}
        return rows

    @property
    def rows(self) -> dict[str, int]:
        """id -> row, built now if it was not yet."""
        rows = self._rows
        if rows is None:
            with self._lock:
                rows = self._rows
                if rows is None:
                    rows = self._rows = self._build()
        return rows

    @property
    def built(self) -> bool:
        return self._rows is not None

    def row_of(self, job_task_id: str) -> int | None:
        return self.rows.get(job_task_id)

    def isdisjoint(self, ids: Iterable[str]) -> bool:
        return self.rows.keys().isdisjoint(ids)

    def added(self, start: int, end: int, rows: dict[str, int] | None = None) -> None:
        """Rows ``start``..``end - 1`` were appended to the id column; ``rows``, when given,
        is their ``{id: row}`` already made (by the uniqueness check), merged as it is.
        The first rows of a table leave the index to be built at its first use."""
        if not start:
            self._rows = None
        if self._rows is None:
            return
        if rows is None:
            ids = self._ids
            self._rows.update(zip(ids[start:] if start else ids, range(start, end)))
        elif self._rows:
            self._rows.update(rows)
        else:
            self._rows = rows  # (rows deleted, none left): no copy of a dict only made for this

    def removed(self, job_task_id: str) -> None:
        if self._rows is not None:
            del self._rows[job_task_id]
