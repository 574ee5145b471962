"""The table's version and a bounded log of the rows each recent write touched.

Caches kept elsewhere (stat group codes) key on the version and catch up row
by row from the log instead of starting over.
"""

from __future__ import annotations

from ..thresholds import WRITE_LOG_SIZE

__all__ = ["WriteLog"]


class WriteLog:
    __slots__ = ("version", "_log", "_base")

    def __init__(self) -> None:
        #: bumped on every change; caches derived from the columns key on it.
        self.version = 0
        #: the rows each recent change wrote (a row id, or a range for an append), oldest first;
        #: entry i is the change that made version ``_base + i + 1``
        self._log: list[int | range] = []
        self._base = 0

    def note(self, rows: int | range | None) -> None:
        """Bump the version after a write to ``rows`` (None: rows unknown, every cache restarts)."""
        self.version += 1
        log = self._log
        if rows is None:
            log.clear()
            self._base = self.version
            return
        log.append(rows)
        if len(log) > WRITE_LOG_SIZE:
            del log[: WRITE_LOG_SIZE // 2]
            self._base += WRITE_LOG_SIZE // 2

    def rows_since(self, version: int) -> list[int] | None:
        """Row ids created, updated or deleted after ``version`` (repeats possible), or None
        when the log no longer reaches back that far."""
        if version < self._base or version > self.version:
            return None
        rows: list[int] = []
        for entry in self._log[version - self._base :]:
            if type(entry) is range:
                rows.extend(entry)
            else:
                rows.append(entry)
        return rows
