"""Columnar storage of JobTask rows, with the indexes the planner uses.

A row is an integer id, given in insertion order and never reused; each field
is one Python list indexed by row id.  Insertion order is also the order
MongoDB returns documents in and breaks sort ties with, so "ascending row id"
is the engine's natural order everywhere.

Indexes:
- ``postings[field][value]``: ascending row ids holding that value, for the
  equality-indexed string fields (status, job_id, domain_id, ...);
- ``by_id``: job_task_id -> row;
- ``created``: a ``SortedList`` of ``(created_at_ms, -row)`` for the default
  order and date ranges.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any, Iterable

from sortedcontainers import SortedList

from .schema import FIELD_NAMES, INDEXED, MISSING

__all__ = ["Table"]


class Table:
    def __init__(self) -> None:
        self.columns: dict[str, list[Any]] = {name: [] for name in FIELD_NAMES}
        self.postings: dict[str, dict[Any, list[int]]] = {name: {} for name in INDEXED}
        self.by_id: dict[str, int] = {}
        self.created: SortedList = SortedList()
        self.deleted: set[int] = set()
        self._alive_cache: list[int] | None = None
        self._size = 0
        #: bumped on every change; caches derived from the columns key on it.
        self.version = 0

    # -- reading ------------------------------------------------------------
    def __len__(self) -> int:
        return self._size - len(self.deleted)

    @property
    def capacity(self) -> int:
        """Number of row ids handed out so far (alive or not)."""
        return self._size

    @property
    def alive(self) -> Iterable[int]:
        """Ascending ids of live rows (a ``range`` while nothing was deleted)."""
        if not self.deleted:
            return range(self._size)
        if self._alive_cache is None:
            dead = self.deleted
            self._alive_cache = [r for r in range(self._size) if r not in dead]
        return self._alive_cache

    def row(self, r: int) -> dict[str, Any]:
        cols = self.columns
        return {name: cols[name][r] for name in FIELD_NAMES}

    # -- writing --------------------------------------------------------------
    def append_rows(self, rows: list[dict[str, Any]]) -> None:
        """Append already validated and uniqueness-checked rows."""
        start = self._size
        for name, col in self.columns.items():
            col.extend([row[name] for row in rows])
        self._size += len(rows)
        for field in INDEXED:
            postings = self.postings[field]
            col = self.columns[field]
            for r in range(start, self._size):
                value = col[r]
                plist = postings.get(value)
                if plist is None:
                    postings[value] = [r]
                else:
                    plist.append(r)
        ids = self.columns["job_task_id"]
        created = self.columns["created_at"]
        self.by_id.update((ids[r], r) for r in range(start, self._size))
        self.created.update((created[r], -r) for r in range(start, self._size) if _is_time(created[r]))
        self._changed()

    def set_values(self, r: int, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            old = self.columns[name][r]
            if name in self.postings:
                self._unpost(name, old, r)
                self._post(name, value, r)
            if name == "created_at":
                if _is_time(old):
                    self.created.remove((old, -r))
                if _is_time(value):
                    self.created.add((value, -r))
            self.columns[name][r] = value
        self._changed()

    def delete_row(self, r: int) -> None:
        for name in self.postings:
            self._unpost(name, self.columns[name][r], r)
        created = self.columns["created_at"][r]
        if _is_time(created):
            self.created.remove((created, -r))
        del self.by_id[self.columns["job_task_id"][r]]
        self.deleted.add(r)
        for col in self.columns.values():
            col[r] = MISSING
        self._changed()

    def _post(self, field: str, value: Any, r: int) -> None:
        plist = self.postings[field].setdefault(value, [])
        if not plist or plist[-1] < r:
            plist.append(r)
        else:
            insort(plist, r)

    def _unpost(self, field: str, value: Any, r: int) -> None:
        postings = self.postings[field]
        plist = postings[value]
        del plist[bisect_left(plist, r)]
        if not plist:
            del postings[value]

    def _changed(self) -> None:
        self._alive_cache = None
        self.version += 1


def _is_time(value: Any) -> bool:
    return value is not None and value is not MISSING
