"""Every way records get in builds the same store, and it stays the same under writes.

Paths: ``insert_many`` of freshly ``json.loads``-ed dicts, ``insert_many`` of the
caller's own Python objects (datetime objects included), ``create`` one by one,
``load_file`` of JSON Lines, of a gzip-compressed JSON array, and a snapshot of
the first store (``save`` then ``open``).  Equal means every column (with
types: null vs not stored), every index answer and the API's answers
(``store_checks``); then the same random writes go to every store and they
are compared again.  Also: the store never keeps a caller's object.
"""

from __future__ import annotations

import gc
import gzip
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import msgspec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.testing.store_checks import store_differences
from jobtask_engine.testing.strategies import record_lists

Builder = Callable[[list[dict], Path], JobTaskStore]


def _json_text(records: list[dict]) -> str:
    return msgspec.json.encode(records).decode()


def _insert_json_loads(records: list[dict], tmp: Path) -> JobTaskStore:
    store = JobTaskStore()
    store.insert_many(json.loads(_json_text(records)))
    return store


def _insert_objects(records: list[dict], tmp: Path) -> JobTaskStore:
    return JobTaskStore(records)


def _create_each(records: list[dict], tmp: Path) -> JobTaskStore:
    store = JobTaskStore()
    for rec in json.loads(_json_text(records)):
        store.create(rec)
    return store


def _load_jsonl(records: list[dict], tmp: Path) -> JobTaskStore:
    path = tmp / "records.jsonl"
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in records))
    return JobTaskStore.load(path)


def _load_gzip_array(records: list[dict], tmp: Path) -> JobTaskStore:
    path = tmp / "records.json.gz"
    with gzip.open(path, "wb") as fh:
        fh.write(msgspec.json.encode(records))
    return JobTaskStore.load(path)


def _snapshot(records: list[dict], tmp: Path) -> JobTaskStore:
    path = tmp / "store.snapshot"
    _insert_json_loads(records, tmp).save(path)
    return JobTaskStore.open(path)


BUILDERS: dict[str, Builder] = {
    "insert_many(json.loads)": _insert_json_loads,
    "insert_many(objects)": _insert_objects,
    "create": _create_each,
    "load_file(jsonl)": _load_jsonl,
    "load_file(json.gz)": _load_gzip_array,
    "snapshot": _snapshot,
}

STATUS = ("PENDING", "SUCCESS", "FAILURE", " CANCELED ")
PROVIDERS = ("aws", "google_cloud", None, "azure")


@st.composite
def writes(draw: Any, ids: list[str]) -> list[tuple]:
    """Updates, deletes and creates of records among ``ids`` (and new ones)."""
    ops: list[tuple] = []
    for i in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(("update", "update", "delete", "create")))
        if kind == "create":
            ops.append(("create", {"job_task_id": f"new-{i}", "domain_id": "domain-a",
                                   "created_at": "2022-02-02T00:00:00Z", "job_id": draw(st.sampled_from(("job-1", "job-x")))}))
        elif ids:
            target = draw(st.sampled_from(ids))
            if kind == "delete":
                ops.append(("delete", target))
            else:
                change = draw(st.sampled_from((
                    {"status": draw(st.sampled_from(STATUS))},
                    {"provider": draw(st.sampled_from(PROVIDERS))},
                    {"updated_count": draw(st.integers(0, 10**6))},
                    {"errors": [{"error_code": "E9", "message": "changed"}]},
                    {"errors": []},
                    {"finished_at": None},
                    {"started_at": "2023-03-03T03:03:03.333Z"},
                )))
                ops.append(("update", target, change))
    return ops


def _apply(store: JobTaskStore, ops: list[tuple]) -> None:
    for op in ops:
        domain_of = {info["job_task_id"]: info["domain_id"] for info in store}
        if op[0] == "create":
            if op[1]["job_task_id"] not in domain_of:
                store.create(json.loads(json.dumps(op[1])))
        elif op[1] in domain_of:
            if op[0] == "delete":
                store.delete(op[1], domain_of[op[1]])
            else:
                store.update(op[1], domain_of[op[1]], json.loads(json.dumps(op[2])))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), records=record_lists(max_size=10))
def test_every_ingest_path_builds_the_same_store_under_writes(data: Any, records: list[dict]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stores = {name: build(records, Path(tmp)) for name, build in BUILDERS.items()}
    ids = [info["job_task_id"] for info in stores["create"]]
    first = data.draw(writes(ids))
    then = data.draw(writes(ids))
    for store in stores.values():
        _apply(store, first)
    base = stores.pop("insert_many(json.loads)")
    for name, store in stores.items():
        assert store_differences(base, store) == [], name
    # indexes built by the comparison are kept current by the next writes
    _apply(base, then)
    for name, store in stores.items():
        _apply(store, then)
        assert store_differences(base, store) == [], name


def test_snapshot_of_a_snapshot_after_writes_is_the_same_store(tmp_path: Path) -> None:
    from jobtask_engine.testing.factories import make_job_tasks

    store = JobTaskStore(make_job_tasks(400, seed=3))
    victims = [info for info in store][::7]
    for info in victims[::2]:
        store.delete(info["job_task_id"], info["domain_id"])
    for info in victims[1::2]:
        store.update(info["job_task_id"], info["domain_id"], {"status": "CANCELED", "errors": []})
    store.save(tmp_path / "a")
    opened = JobTaskStore.open(tmp_path / "a")
    opened.save(tmp_path / "b")
    assert store_differences(store, opened) == []
    assert store_differences(store, JobTaskStore.open(tmp_path / "b")) == []


def test_the_store_keeps_none_of_the_callers_objects() -> None:
    """After insert_many, no string, int or error document of the caller's dicts is in a column."""
    records = json.loads(json.dumps([
        {"job_task_id": f"job-task-{i:06d}", "domain_id": f"domain-{i % 3}", "job_id": f"job-{i % 5}",
         "status": "FAILURE", "provider": "aws", "updated_count": 1000 + i, "created_at": "2022-01-01T00:00:00Z",
         "errors": [{"error_code": "E1", "message": f"m{i % 2}", "additional": {"k": i}}]}
        for i in range(50)
    ]))
    store = JobTaskStore()
    store.insert_many(records)
    store.create(json.loads('{"job_task_id": "solo-task", "domain_id": "domain-9", "updated_count": 123456}'))
    theirs = set()
    for rec in records:
        for value in rec.values():
            theirs.add(id(value))
            for err in value if isinstance(value, list) else ():
                theirs.add(id(err))
                theirs.update(id(x) for x in err.values())
    ours = [x for col in store._table.columns.values() for x in col]
    kept = [x for x in ours if id(x) in theirs and not _shared_constant(x)]
    assert kept == []


def _shared_constant(x: Any) -> bool:
    """Objects CPython shares process-wide (small ints, one-character strings): no one's own."""
    return (type(x) is int and -5 <= x <= 256) or (type(x) is str and len(x) <= 1) or x is None or x is True or x is False


def test_a_caller_dropping_its_records_frees_them() -> None:
    """The caller's dicts are not referenced by the store (their refcount falls back)."""
    records = json.loads(json.dumps([{"job_task_id": f"t{i}", "domain_id": "d", "job_id": f"job-{i}"} for i in range(20)]))
    before = [sys.getrefcount(r["job_task_id"]) for r in records]
    store = JobTaskStore()
    store.insert_many(records)
    gc.collect()
    assert [sys.getrefcount(r["job_task_id"]) for r in records] == before
    assert len(store) == 20


EDGE = [
    {"job_task_id": " ", "domain_id": "", "job_id": "", "provider": "", "project_id": "p" * 255,
     "created_at": "2022-01-01T00:00:00.001Z"},  # an absent created_at would be each build's "now"
    {"job_task_id": "x" * 40, "domain_id": "dömain ☃", "status": " SUCCESS ", "updated_count": 2**63 - 1,
     "created_count": -(2**63), "created_at": "0001-01-01T00:00:00Z", "finished_at": "9999-12-31T23:59:59.999Z",
     "errors": [{"message": "only a message"}, {"error_code": "", "additional": {"big": 10**30, "nested": [{"a": None}]}}]},
    {"job_task_id": "\t tabbed\n", "domain_id": "d", "started_at": None, "created_at": None, "errors": None},
    {"job_task_id": "same-errors", "domain_id": "d", "created_at": "2022-01-01T00:00:00+09:00",
     "errors": [{"message": "only a message"}, {"error_code": "", "additional": {"big": 10**30, "nested": [{"a": None}]}}]},
]


def test_edge_records_build_the_same_store_every_way(tmp_path: Path) -> None:
    stores = {name: build(EDGE, tmp_path) for name, build in BUILDERS.items()}
    base = stores.pop("insert_many(json.loads)")
    for name, store in stores.items():
        assert store_differences(base, store) == [], name


def test_datetime_columns_are_typed_arrays_on_every_path(tmp_path: Path) -> None:
    """Every ingest path holds datetimes in a TimeColumn (no int object per row) whose raw
    sentinels say null and 'not stored' as the schema does, also after writes."""
    from jobtask_engine.columns import MISSING_MS, NULL_MS, TimeColumn
    from jobtask_engine.schema import MISSING
    from jobtask_engine.testing.factories import make_job_tasks
    from jobtask_engine.testing.store_checks import layout_faults

    records = make_job_tasks(60, seed=5)
    records[3].pop("started_at", None)  # nullable: stored as null
    records[4]["finished_at"] = None
    for name, build in BUILDERS.items():
        where = tmp_path / name.replace("(", "_").replace(")", "_")
        where.mkdir()
        store = build(records, where)
        table = store._table
        assert layout_faults(store) == [], name
        started = table.columns["started_at"]
        assert type(started) is TimeColumn
        row = table.row_of(records[3]["job_task_id"])
        assert started[row] is None and started.raw[row] == NULL_MS, name
        victim = records[7]
        r = table.row_of(victim["job_task_id"])
        store.delete(victim["job_task_id"], victim["domain_id"])
        assert table.columns["created_at"].raw[r] == MISSING_MS and table.columns["created_at"][r] is MISSING, name
        store.update(records[4]["job_task_id"], records[4]["domain_id"], {"finished_at": "2024-02-02T00:00:00Z"})
        assert layout_faults(store) == [], name


def test_repeated_strings_are_code_columns_on_every_path_past_a_byte_of_codes(tmp_path: Path) -> None:
    """Every ingest path holds the repeated strings as CodeColumns with the same value table
    and code width — here job_id with 300 distinct values (2-byte codes) — and writes keep
    them so: an update to a never-seen value, a null provider, a delete."""
    from jobtask_engine.columns import CODE_MISSING, CodeColumn
    from jobtask_engine.testing.factories import make_job_tasks
    from jobtask_engine.testing.store_checks import layout_faults

    records = make_job_tasks(320, seed=8)
    for i, rec in enumerate(records):
        rec["job_id"] = f"job-{i % 300}"
    stores = {}
    for name, build in BUILDERS.items():
        where = tmp_path / name.replace("(", "_").replace(")", "_")
        where.mkdir()
        stores[name] = store = build(records, where)
        table = store._table
        job_ids = table.columns["job_id"]
        assert type(job_ids) is CodeColumn and job_ids.codes.typecode == "H", name
        assert type(table.columns["status"]) is CodeColumn and table.columns["status"].codes.typecode == "B", name
        victim, changed = records[5], records[6]
        store.update(changed["job_task_id"], changed["domain_id"], {"provider": "brand-new-cloud", "status": "CANCELED"})
        store.update(records[7]["job_task_id"], records[7]["domain_id"], {"provider": None})
        r = table.row_of(victim["job_task_id"])
        store.delete(victim["job_task_id"], victim["domain_id"])
        assert job_ids.codes[r] == CODE_MISSING and table.columns["provider"].codes[r] == CODE_MISSING, name
        assert table.columns["provider"][table.row_of(changed["job_task_id"])] == "brand-new-cloud", name
        assert table.columns["provider"][table.row_of(records[7]["job_task_id"])] is None, name
        assert layout_faults(store) == [], name
    base = stores.pop("insert_many(json.loads)")
    for name, store in stores.items():
        assert store_differences(base, store) == [], name
    base.save(tmp_path / "after-writes")
    assert store_differences(base, JobTaskStore.open(tmp_path / "after-writes")) == []
