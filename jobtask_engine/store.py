"""``JobTaskStore``: the embedded store and its JobTask API (list, stat, CRUD).

Each public call validates its whole input first and only then touches the
table, so a rejected call leaves the store exactly as it was.

Threads: every public method runs under the store's readers-writer lock
(``rwlock``): reads (list, stat, get, len, the start of an iteration) run
together, a write (create, insert_many, load_file, update, delete, clear) runs
alone, so each call happens entirely before or after every write.  Lazy index
builds inside reads are published whole under the table's build lock.
Iteration walks a copy of the columns taken under the read lock: a consistent
view, unaffected by writes made while it runs.
"""

from __future__ import annotations

import os
from collections import Counter
from contextlib import contextmanager
from typing import Any, Callable, Iterable, Iterator, Sequence, TypeVar

import msgspec

from . import errors as E
from .collector import collector_paused
from .columns import StagedCodes, TimeColumn
from .explain import explain_list, explain_stat
from .heap import return_freed_memory
from .ingest import plain_record_batches, read_record_batches
from .limits import Limits, active_limits, default_limits, using_limits
from .plans import PlanCache
from .query.order import order_rows
from .query.shape import make_row_shaper, make_shaper
from .records import JobTask, LoadStage, decode_one, normalize_changes, normalize_columns
from .request import parse_list_request, parse_stat_request
from .rwlock import RWLock
from .schema import MISSING, UPDATABLE
from .snapshot import read_snapshot, write_snapshot
from .stat import execute_stat
from .storage import Table
from .storage.table import Column
from .thresholds import KEPT_SHAPERS, TRIM_AFTER

__all__ = ["JobTaskStore"]

T = TypeVar("T")
#: A page shaper: rows -> their JobTaskInfo dicts (``query.shape.make_shaper``).
Shaper = Callable[[Sequence[int]], list[dict[str, Any]]]
#: Rows shaped per step of an iteration (bounds the dicts alive at once).
_ITER_CHUNK = 1000


class JobTaskStore:
    """An in-memory JobTask collection answering the inventory API's list and stat."""

    def __init__(self, records: Iterable[dict] | None = None, *, limits: Limits | None = None) -> None:
        if limits is None:
            limits = default_limits()
        elif not isinstance(limits, Limits):
            raise E.invalid_parameter_type("limits", "Limits")
        self._limits = limits
        self._lock = RWLock()
        self._reset(Table())
        if records is not None:
            self.insert_many(records)

    @property
    def limits(self) -> Limits:
        """The bounds this store's requests are held to (``jobtask_engine.limits``)."""
        return self._limits

    def _reading(self, call: Callable[[], T]) -> T:
        if active_limits() is self._limits:  # the usual case: the defaults, already in force
            return self._lock.read(call)
        with using_limits(self._limits):
            return self._lock.read(call)

    def _writing(self, call: Callable[[], T]) -> T:
        if active_limits() is self._limits:
            return self._lock.write(call)
        with using_limits(self._limits):
            return self._lock.write(call)

    @contextmanager
    def exclusive(self) -> Iterator["JobTaskStore"]:
        """A block of calls (from this thread) that no other thread's call interleaves with:
        ``with store.exclusive(): info = store.get(...); store.update(...)``."""
        with self._lock.writing():
            yield self

    # -- loading ------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike) -> "JobTaskStore":
        """A new store holding the records of a JSON array or JSON Lines file."""
        store = cls()
        store.load_file(path)
        return store

    def load_file(self, path: str | os.PathLike, progress: bool = True) -> int:
        """Add the records of a JSON array, JSON Lines, or a saved list response
        (``{"results": [...]}``) file, gzip-compressed or not; all or nothing.

        ``progress``: show a progress line on stderr when the load takes a while and
        stderr is a terminal.  The file is decoded piece by piece under the write lock, so
        that a load holds the file's columns and one piece's records, never all its records
        at once (readers wait for a load, as for any write).
        """
        return self._writing(lambda: self._add_batches(read_record_batches(path, progress)))

    def save(self, path: str | os.PathLike) -> int:
        """Write every record to a snapshot file (atomically: a crash leaves the old file); returns the count."""
        return self._reading(lambda: write_snapshot(self._table, path))

    @classmethod
    def open(cls, path: str | os.PathLike) -> "JobTaskStore":
        """A new store holding a snapshot written by ``save``; a damaged or foreign file is refused whole."""
        store = cls()
        store._reset(read_snapshot(path))
        return store

    def insert_many(self, records: Iterable[dict]) -> int:
        """Add many records at once; one bad record rejects the batch and names its position."""
        if isinstance(records, (dict, str, bytes)):
            raise E.invalid_parameter_type("records", "list of dict")
        try:
            items = list(records)
        except TypeError:
            raise E.invalid_parameter_type("records", "list of dict") from None
        # decoded batch by batch as they are normalised (bounded temporaries, kept in the CPU
        # caches: ``ingest.BATCH_RECORDS``), under the write lock
        return self._writing(lambda: self._add_batches(plain_record_batches(items)))

    def create(self, record: dict) -> dict:
        """Add one record and return it as JobTaskInfo."""
        if not isinstance(record, dict):
            raise E.invalid_parameter_type("record", "dict")
        task = decode_one(record)

        def add() -> dict:
            self._add([task], positions=False)
            return self._info(self._table.capacity - 1)

        return self._writing(add)

    def _add(self, tasks: list[JobTask], positions: bool = True) -> int:
        cols = normalize_columns(tasks, self._table.pools, positions)
        self._table.append_columns(cols, self._check_unique(cols["job_task_id"]))
        return len(tasks)

    def _add_batches(self, batches: Iterable[tuple[int, list[JobTask]]]) -> int:
        """Validate and normalise batch by batch (bounded temporaries), then append all at once."""
        with collector_paused():
            return self._add_batches_now(batches)

    def _add_batches_now(self, batches: Iterable[tuple[int, list[JobTask]]]) -> int:
        table = self._table
        # The code columns' rows come as codes given in this load (``records.LoadStage``):
        # no value enters a column's table before every batch passed.
        stage = LoadStage(table.columns, table.pools)
        parts = [normalize_columns(tasks, table.pools, offset=offset, stage=stage) for offset, tasks in batches]
        if not parts:
            return 0
        cols = parts[0] if len(parts) == 1 else _concatenate(parts)
        del parts
        table.append_columns(cols, self._check_unique(cols["job_task_id"]))
        count = len(cols["job_task_id"])
        del cols  # the table copied them: freed before the trim, so that it hands them back too
        if count >= TRIM_AFTER:
            return_freed_memory()
        return count

    def _check_unique(self, ids: list[str]) -> dict[str, int] | None:
        """Refused when an id repeats in ``ids`` or is held already; else the rows the new
        ids will have, for the id index to take as they are (one dict made for both), or None
        for a table with no rows yet, whose id index is made at the first call naming a
        record (``IdIndex``: a set is all the check needs, 1M ids ~0.1 s against ~0.3)."""
        table = self._table
        start = table.capacity
        if not start:
            if len(set(ids)) == len(ids):
                return None
        else:
            rows = dict(zip(ids, range(start, start + len(ids))))
            if len(rows) == len(ids) and not table.ids_taken(rows):
                return rows
        batch: set[str] = set()
        for i, tid in enumerate(ids):
            if table.row_of(tid) is not None or tid in batch:
                raise E.save_unique_values(["job_task_id"], f", value = {tid!r}, position = {i}")
            batch.add(tid)
        raise AssertionError("a repeated id was not found")  # pragma: no cover

    # -- single records -------------------------------------------------------
    def _find(self, job_task_id: Any, domain_id: Any, workspace_id: Any = None) -> int:
        """The row of a job task, named in its domain (and, when given, its workspace: one of
        another workspace is as unknown as a missing one, as the API scopes get and delete)."""
        for name, value in (("job_task_id", job_task_id), ("domain_id", domain_id)):
            if value is None:
                raise E.required_parameter(name)
            if not isinstance(value, str):
                raise E.invalid_parameter_type(name, "str")
        if workspace_id is not None and not isinstance(workspace_id, str):
            raise E.invalid_parameter_type("workspace_id", "str")
        r = self._table.row_of(job_task_id)
        columns = self._table.columns
        if r is None or columns["domain_id"][r] != domain_id:
            raise E.not_found("job_task_id", job_task_id)
        if workspace_id is not None and columns["workspace_id"][r] != workspace_id:
            raise E.not_found("job_task_id", job_task_id)
        return r

    # The by-id calls take what a request carried: a missing id (None) or a value that is not
    # a string is refused by ``_find`` as the API refuses it (ERROR_REQUIRED_PARAMETER,
    # ERROR_INVALID_PARAMETER_TYPE), so the servers pass request values through unchecked.
    def get(self, job_task_id: str | None, domain_id: str | None, workspace_id: str | None = None) -> dict:
        return self._reading(lambda: self._info(self._find(job_task_id, domain_id, workspace_id)))

    def update(
        self, job_task_id: str | None, domain_id: str | None, changes: dict, *, workspace_id: str | None = None
    ) -> dict:
        """Change updatable fields (status, provider, counts, errors, started_at, finished_at)."""
        def change() -> dict:
            r = self._find(job_task_id, domain_id, workspace_id)
            values = normalize_changes(changes, UPDATABLE, self._table.pools)
            self._table.set_values(r, values)
            return self._info(r)

        return self._writing(change)

    def delete(self, job_task_id: str | None, domain_id: str | None, workspace_id: str | None = None) -> None:
        self._writing(lambda: self._table.delete_row(self._find(job_task_id, domain_id, workspace_id)))

    def clear(self) -> None:
        self._writing(lambda: self._reset(Table()))

    def _reset(self, table: Table) -> None:
        self._table = table
        self._shape_all = make_shaper(table.columns, None)
        self._info = make_row_shaper(table)
        self._shapers: dict[tuple[str, ...] | None, Shaper] = {None: self._shape_all}
        self._list_plans = PlanCache(
            parse_list_request, lambda query: query.filter.clock, max_bytes=self._limits.plan_cache_bytes
        )

    def _shaper(self, projection: tuple[str, ...] | None) -> Shaper:
        """Page shapers per projection (they read the table's column lists, which live as long as it)."""
        shaper = self._shapers.get(projection)
        if shaper is None:
            if len(self._shapers) >= KEPT_SHAPERS:
                self._shapers = {None: self._shape_all}
            shaper = self._shapers[projection] = make_shaper(self._table.columns, projection)
        return shaper

    def domains(self) -> dict[str, int]:
        """Records per ``domain_id``, most first (tools use it to pick a default domain)."""
        def count() -> dict[str, int]:
            counts = Counter(self._table.columns["domain_id"])
            counts.pop(MISSING, None)
            return dict(counts.most_common())

        return self._reading(count)

    def __len__(self) -> int:
        return self._reading(lambda: len(self._table))

    def count_now(self) -> int:
        """The number of records without waiting for the lock (a health check's count):
        exact when no write is under way, else from just before or after it."""
        return len(self._table)

    def __iter__(self) -> Iterator[dict]:
        """Every record as JobTaskInfo, in insertion order, as of the moment iteration starts.

        The live rows and a shallow copy of each column are taken under the read
        lock (a pointer per value: values are never changed in place, only
        replaced), so writes during the loop — from this thread or another —
        neither show up in it nor leave deleted rows behind.
        """

        def snapshot() -> tuple[list[int], Callable]:
            table = self._table
            copies: dict[str, Column] = {name: list(col) for name, col in table.columns.items()}
            return list(table.alive), make_shaper(copies, None)

        rows, shape = self._reading(snapshot)
        return (info for start in range(0, len(rows), _ITER_CHUNK) for info in shape(rows[start : start + _ITER_CHUNK]))

    def dump(self, path: str | os.PathLike) -> int:
        """Write every record to a JSON Lines file (the format ``load_file`` reads)."""
        encoder = msgspec.json.Encoder()
        n = 0
        with open(path, "wb") as fh:
            for info in self:
                fh.write(encoder.encode(info) + b"\n")
                n += 1
        return n

    def to_parquet(self, path: str | os.PathLike) -> int:
        """Write every record to a Parquet file in the SQL backends' schema (needs the duckdb extra)."""
        from .backends.export import to_parquet

        return to_parquet(self, path)

    # -- the API --------------------------------------------------------------
    def list(self, params: dict) -> dict:
        """The JobTask API's ``list``: ``{"results": [...], "total_count": N}``."""
        return self._reading(lambda: self._list(params))

    def _list(self, params: dict) -> dict:
        query = self._list_plans(params)
        table = self._table
        matches = query.filter.execute(table)
        total = matches.count()
        if query.count_only:
            return {"results": [], "total_count": total}
        need = None if query.limit is None else query.start + query.limit
        page = order_rows(table, matches, query.sort, need)[query.start :]
        return {"results": self._shaper(query.projection)(page), "total_count": total}

    def stat(self, params: dict) -> dict:
        """The JobTask API's ``stat``: ``{"results": [...]}`` (+ ``total_count`` when paged)."""
        def run() -> dict:
            request = parse_stat_request(params)
            table = self._table
            return execute_stat(table, request.filter.execute(table), request.plan)

        return self._reading(run)

    def explain(self, params: dict, api: str | None = None) -> dict:
        """How ``list`` or ``stat`` (``api``; by default ``stat`` when the query has ``aggregate``
        or ``distinct``) answers ``params``: the parsed request, each condition's access path
        with estimated and actual rows, the order or group strategies, times per phase."""
        if api is None:
            query = params.get("query") if isinstance(params, dict) else None
            api = "stat" if isinstance(query, dict) and ("aggregate" in query or "distinct" in query) else "list"
        if api == "list":
            return self._reading(lambda: explain_list(self._table, params, self._shaper))
        if api == "stat":
            return self._reading(lambda: explain_stat(self._table, params))
        raise E.invalid_parameter("api", "explain answers 'list' or 'stat'")


def _concatenate(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """Columns of all batches, each allocated once at its final size (no regrowth).

    A batch's columns are ``normalize_columns``'s (a list, a ``TimeColumn`` or ``StagedCodes``
    by field); each is set to None once taken, so it is freed as the load goes."""
    total = sum(len(p["job_task_id"]) for p in parts)
    cols: dict[str, Any] = {}
    for name in parts[0]:
        if type(parts[0][name]) is StagedCodes:
            cols[name] = StagedCodes.joined([part[name] for part in parts])
            for part in parts:
                part[name] = None
            continue
        if type(parts[0][name]) is TimeColumn:  # typed arrays: appended at C speed
            cols[name] = TimeColumn()
            for part in parts:
                cols[name].extend(part[name])
                part[name] = None
            continue
        col: list = [None] * total
        at = 0
        for part in parts:
            values = part[name]
            col[at : at + len(values)] = values
            at += len(values)
            part[name] = None
        cols[name] = col
    return cols
