"""``JobTaskStore``: the embedded store and its JobTask API (list, stat, CRUD).

Each public call validates its whole input first and only then touches the
table, so a rejected call leaves the store exactly as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from contextlib import contextmanager
from typing import Any, Iterable, Iterator

import msgspec

from . import errors as E
from .query.order import order_rows
from .plans import PlanCache
from .query.shape import make_row_shaper, make_shaper
from .records import JobTask, decode_one, decode_records, normalize_changes, normalize_columns, shift_positions
from .request import parse_list_request, parse_stat_request
from .schema import UPDATABLE
from .table import Table

__all__ = ["JobTaskStore"]

#: Records validated and normalised per batch, bounding the temporaries a big load makes.
BATCH = 50_000
#: Loads at least this big give their freed temporaries back to the system afterwards.
TRIM_AFTER = 100_000
_JSON_DECODER = msgspec.json.Decoder(list[JobTask])
_LINE_DECODER = msgspec.json.Decoder(JobTask)


class JobTaskStore:
    """An in-memory JobTask collection answering the inventory API's list and stat."""

    def __init__(self, records: Iterable[dict] | None = None) -> None:
        self._reset(Table())
        if records is not None:
            self.insert_many(records)

    # -- loading ------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike) -> "JobTaskStore":
        """A new store holding the records of a JSON array or JSON Lines file."""
        store = cls()
        store.load_file(path)
        return store

    def load_file(self, path: str | os.PathLike) -> int:
        """Add the records of a JSON array or JSON Lines file; all or nothing."""
        with open(path, "rb") as fh:
            data = fh.read()
        return self._add_batches(_decode_file(data, str(path)))

    def insert_many(self, records: Iterable[dict]) -> int:
        """Add many records at once; one bad record rejects the batch and names its position."""
        if isinstance(records, (dict, str, bytes)):
            raise E.invalid_parameter_type("records", "list of dict")
        try:
            items = list(records)
        except TypeError:
            raise E.invalid_parameter_type("records", "list of dict") from None
        batches = (
            (i, decode_records(items[i : i + BATCH], offset=i)) for i in range(0, len(items), BATCH)
        )
        return self._add_batches(batches)

    def create(self, record: dict) -> dict:
        """Add one record and return it as JobTaskInfo."""
        if not isinstance(record, dict):
            raise E.invalid_parameter_type("record", "dict")
        self._add([decode_one(record)], positions=False)
        table = self._table
        return self._info(table.capacity - 1)

    def _add(self, tasks: list[JobTask], positions: bool = True) -> int:
        cols = normalize_columns(tasks, self._table.pools, positions)
        self._check_unique(cols["job_task_id"])
        self._table.append_columns(cols)
        return len(tasks)

    def _add_batches(self, batches: Iterable[tuple[int, list[JobTask]]]) -> int:
        """Validate and normalise batch by batch (bounded temporaries), then append all at once."""
        with _collector_paused():
            return self._add_batches_now(batches)

    def _add_batches_now(self, batches: Iterable[tuple[int, list[JobTask]]]) -> int:
        parts = [normalize_columns(tasks, self._table.pools, offset=offset) for offset, tasks in batches]
        if not parts:
            return 0
        cols = parts[0] if len(parts) == 1 else _concatenate(parts)
        del parts
        self._check_unique(cols["job_task_id"])
        self._table.append_columns(cols)
        count = len(cols["job_task_id"])
        if count >= TRIM_AFTER:
            _return_freed_memory()
        return count

    def _check_unique(self, ids: list[str]) -> None:
        seen = self._table.by_id
        if len(set(ids)) == len(ids) and seen.keys().isdisjoint(ids):
            return
        batch: set[str] = set()
        for i, tid in enumerate(ids):
            if tid in seen or tid in batch:
                raise E.save_unique_values(["job_task_id"], f", value = {tid!r}, position = {i}")
            batch.add(tid)

    # -- single records -------------------------------------------------------
    def _find(self, job_task_id: Any, domain_id: Any) -> int:
        for name, value in (("job_task_id", job_task_id), ("domain_id", domain_id)):
            if value is None:
                raise E.required_parameter(name)
            if not isinstance(value, str):
                raise E.invalid_parameter_type(name, "str")
        r = self._table.by_id.get(job_task_id)
        if r is None or self._table.columns["domain_id"][r] != domain_id:
            raise E.not_found("job_task_id", job_task_id)
        return r

    def get(self, job_task_id: str, domain_id: str) -> dict:
        return self._info(self._find(job_task_id, domain_id))

    def update(self, job_task_id: str, domain_id: str, changes: dict) -> dict:
        """Change updatable fields (status, provider, counts, errors, started_at, finished_at)."""
        r = self._find(job_task_id, domain_id)
        values = normalize_changes(changes, UPDATABLE)
        self._table.set_values(r, values)
        return self._info(r)

    def delete(self, job_task_id: str, domain_id: str) -> None:
        self._table.delete_row(self._find(job_task_id, domain_id))

    def clear(self) -> None:
        self._reset(Table())

    def _reset(self, table: Table) -> None:
        self._table = table
        self._shape_all = make_shaper(table, None)
        self._info = make_row_shaper(table)
        self._shapers = {None: self._shape_all}
        self._list_plans = PlanCache(parse_list_request, lambda query: query.filter.clock)

    def _shaper(self, projection: tuple[str, ...] | None):
        """Page shapers per projection (they read the table's column lists, which live as long as it)."""
        shaper = self._shapers.get(projection)
        if shaper is None:
            if len(self._shapers) >= 64:
                self._shapers = {None: self._shape_all}
            shaper = self._shapers[projection] = make_shaper(self._table, projection)
        return shaper

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[dict]:
        """Every record as JobTaskInfo, in insertion order."""
        table = self._table
        rows = list(table.alive)
        return (info for start in range(0, len(rows), 1000) for info in self._shape_all(rows[start : start + 1000]))

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
        from .stat import execute_stat

        request = parse_stat_request(params)
        matches = request.filter.execute(self._table)
        return execute_stat(self._table, matches, request.plan)


def _concatenate(parts: list[dict[str, list]]) -> dict[str, list]:
    """Columns of all batches, each allocated once at its final size (no regrowth)."""
    total = sum(len(p["job_task_id"]) for p in parts)
    cols: dict[str, list] = {}
    for name in parts[0]:
        col: list = [None] * total
        at = 0
        for part in parts:
            values = part[name]
            col[at : at + len(values)] = values
            at += len(values)
            part[name] = None
        cols[name] = col
    return cols


def _return_freed_memory() -> None:
    """Hand the heap a big load freed back to the system (glibc keeps it otherwise).

    A big load's temporaries leave hundreds of bytes per record of free heap
    that glibc does not return by itself; ``malloc_trim`` does.  Elsewhere
    (no glibc) this does nothing.
    """
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Bulk loads make millions of objects and no reference cycles: the cyclic GC
    would only rescan them (about a third of the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decode_file(data: bytes, name: str) -> Iterator[tuple[int, list[JobTask]]]:
    """(offset, records) batches of a JSON array or JSON Lines file."""
    offset = 0
    try:
        if data.lstrip()[:1] == b"[":
            yield 0, _JSON_DECODER.decode(data)
            return
        for chunk in _line_chunks(data):
            tasks = _LINE_DECODER.decode_lines(chunk)
            yield offset, tasks
            offset += len(tasks)
    except msgspec.ValidationError as exc:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"Invalid record in {name}: {shift_positions(exc, offset)}"
        ) from None
    except msgspec.DecodeError as exc:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER", f"Malformed JSON in {name} (after record {offset}): {exc}"
        ) from None


def _line_chunks(data: bytes, size: int = 1 << 23) -> Iterator[memoryview]:
    """Pieces of about ``size`` bytes that end on a line break."""
    view = memoryview(data)
    start = 0
    while start < len(data):
        end = data.find(b"\n", start + size)
        end = len(data) if end < 0 else end + 1
        yield view[start:end]
        start = end
