"""Time to the first answer in a fresh process: a file in, the first q6 answer out.

Run by ``compare.py`` as a subprocess, once per measurement, so that no run
finds another's warm caches or heap:

    python benchmarks/first_answer.py MODE DATA [SNAPSHOT]

prints one JSON object ``{"mode", "seconds", "cpu_seconds", "rows"}``.  Modes:

- ``engine-file``: ``JobTaskStore.load(DATA)`` and the first q6 answer;
- ``engine-dicts``: each line of DATA decoded by ``json.loads``, the list handed
  to ``insert_many``, and the first q6 answer (the embedding path);
- ``duckdb``: DATA read by DuckDB's ``read_json`` into a table, and the same query;
- ``snapshot-save``: DATA loaded (not timed), then ``save(SNAPSHOT)`` timed;
- ``snapshot-open``: ``JobTaskStore.open(SNAPSHOT)`` and the first q6 answer.

Imports happen before the clock starts, on every side alike.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["first_answer", "MODES"]

Q6 = "q6_group_status"


def _q6_params() -> dict:
    from benchmarks.workload import QUERIES

    return next(q.params for q in QUERIES if q.name == Q6)


def _then_q6(build: Callable[[], "JobTaskStore"]) -> Callable[[], int]:
    """A run: the store ``build`` makes, then its first q6 answer."""
    params = _q6_params()

    def run() -> int:
        store = build()
        store.stat(params)
        return len(store)

    return run


def _engine_file(data: str, snapshot: str | None) -> Callable[[], int]:
    from jobtask_engine import JobTaskStore

    return _then_q6(lambda: JobTaskStore.load(data))


def _engine_dicts(data: str, snapshot: str | None) -> Callable[[], int]:
    from jobtask_engine import JobTaskStore

    def build() -> JobTaskStore:
        with open(data, "rb") as fh:
            records = [json.loads(line) for line in fh]
        store = JobTaskStore()
        store.insert_many(records)
        return store

    return _then_q6(build)


def _duckdb(data: str, snapshot: str | None) -> Callable[[], int]:
    from benchmarks import duckdb_side

    def run() -> int:
        con = duckdb_side.connect()
        rows = duckdb_side.load_jsonl(con, data)
        duckdb_side.RUNNERS[Q6](con)
        return rows

    return run


def _snapshot_save(data: str, snapshot: str | None) -> Callable[[], int]:
    from jobtask_engine import JobTaskStore

    assert snapshot, "snapshot-save needs a SNAPSHOT path"
    store = JobTaskStore.load(data)
    return lambda: store.save(snapshot)


def _snapshot_open(data: str, snapshot: str | None) -> Callable[[], int]:
    from jobtask_engine import JobTaskStore

    assert snapshot, "snapshot-open needs a SNAPSHOT path"
    return _then_q6(lambda: JobTaskStore.open(snapshot))


MODES: dict[str, Callable[[str, str | None], Callable[[], int]]] = {
    "engine-file": _engine_file,
    "engine-dicts": _engine_dicts,
    "duckdb": _duckdb,
    "snapshot-save": _snapshot_save,
    "snapshot-open": _snapshot_open,
}


def first_answer(mode: str, data: str, snapshot: str | None = None) -> dict:
    run = MODES[mode](data, snapshot)
    cpu = time.process_time()
    start = time.perf_counter()
    rows = run()
    seconds = time.perf_counter() - start
    # CPU time: steadier than wall time on a shared machine for the single-threaded engine
    # (not comparable for DuckDB, whose threads add up).
    return {"mode": mode, "seconds": seconds, "cpu_seconds": time.process_time() - cpu, "rows": rows}


if __name__ == "__main__":
    print(json.dumps(first_answer(sys.argv[1], sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)))
