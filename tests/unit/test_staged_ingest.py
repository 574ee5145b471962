"""A load's code columns come as codes staged against the table (``records.LoadStage``) and
its datetimes straight as arrays (``records._time_array``): both build exactly what the
value lists of the general path build, and a refusal anywhere leaves the table untouched."""

from __future__ import annotations

import datetime as _dt
import json
from array import array
from pathlib import Path
from typing import Any
from unittest import mock

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore, ingest, records
from jobtask_engine.columns import CodeColumn, StagedCodes, TimeColumn
from jobtask_engine.records import LoadStage, decode_records, normalize_columns
from jobtask_engine.schema import FIELDS, MISSING
from jobtask_engine.storage import Table
from jobtask_engine.store import _concatenate
from jobtask_engine.testing.strategies import record_lists

NOW = 1_700_000_000_000


def _tagged(v: Any) -> Any:
    return ("MISSING",) if v is MISSING else ("None",) if v is None else (type(v).__name__, v)


def _state(table: Table) -> dict:
    out: dict[str, Any] = {}
    for name, col in table.columns.items():
        if type(col) is CodeColumn:
            assert col.code_of == {v: i for i, v in enumerate(col.values)}
            if col.codes.typecode != "B":
                assert list(col.code_list()) == list(col.codes)
            out[name] = (col.codes.typecode, col.codes.tobytes(), [_tagged(v) for v in col.values])
        elif type(col) is TimeColumn:
            out[name] = (col.raw.tobytes(), col.absent)
        else:
            out[name] = [_tagged(v) for v in col]
    out["pools"] = {name: sorted(map(repr, pool.items())) for name, pool in table.pools.items()}
    out["ids"] = list(table.id_rows().items())
    return out


def _with_ids(batches: list[list[dict]], prefix: str) -> list[list[dict]]:
    n = 0
    out = []
    for batch in batches:
        fixed = []
        for rec in batch:
            fixed.append({**rec, "job_task_id": f"{prefix}-{n}"})
            n += 1
        out.append(fixed)
    return out


def _by_lists(table: Table, batches: list[list[dict]]) -> None:
    """The general path: each batch's value lists appended as they come."""
    for batch in batches:
        table.append_columns(normalize_columns(decode_records(batch), table.pools))


def _staged(table: Table, batches: list[list[dict]]) -> None:
    """A load: every batch coded against one stage, then one append."""
    stage = LoadStage(table.columns, table.pools)
    parts = [normalize_columns(decode_records(b), table.pools, stage=stage) for b in batches]
    for name in stage.codes:
        assert type(parts[0][name]) is StagedCodes
    cols = parts[0] if len(parts) == 1 else _concatenate(parts)
    table.append_columns(cols)


@given(before=record_lists(max_size=6), batches=st.lists(record_lists(max_size=8), min_size=1, max_size=4))
@settings(max_examples=150, deadline=None)
def test_staged_codes_build_the_table_the_value_lists_build(before: list[dict], batches: list[list[dict]]) -> None:
    before = _with_ids([before], "old")[0]
    batches = _with_ids(batches, "new")
    with mock.patch.object(records, "now_ms", lambda: NOW):
        plain, staged = Table(), Table()
        _by_lists(plain, [before])
        _by_lists(staged, [before])
        _by_lists(plain, batches)
        _staged(staged, batches)
    assert _state(staged) == _state(plain)


@pytest.mark.parametrize("already", [0, 200, 300, 65_500])
def test_staged_codes_widen_as_the_value_lists_do(already: int) -> None:
    """Batches taking the table past 256 (or 65,536) codes, with the wide codes' shared ints
    (``code_list``) built before the load."""
    before = [{"job_task_id": f"b{i}", "job_id": f"job-{i}"} for i in range(already)]
    batches = [
        [{"job_task_id": f"n{k}-{i}", "job_id": f"new-{k}-{i % 70}", "status": " FAILURE "} for i in range(90)]
        for k in range(3)
    ]
    batches[1].append({"job_task_id": "again", "job_id": "job-0"})
    with mock.patch.object(records, "now_ms", lambda: NOW):
        plain, staged = Table(), Table()
        for table in (plain, staged):
            _by_lists(table, [before])
            table.columns["job_id"].code_list()
        _by_lists(plain, batches)
        _staged(staged, batches)
    assert _state(staged) == _state(plain)


def _refusal(table: Table, batches: list[list[dict]]) -> str:
    with pytest.raises(EngineError) as exc:
        stage = LoadStage(table.columns, table.pools)
        offset = 0
        for batch in batches:
            normalize_columns(decode_records(batch, offset), table.pools, offset=offset, stage=stage)
            offset += len(batch)
    return exc.value.message


BAD = [
    {"job_id": "x" * 41},
    {"job_id": " " + "x" * 41},
    {"status": "DONE"},
    {"status": " done "},
    {"status": ""},
    {"project_id": "p" * 256},
]


@pytest.mark.parametrize("bad", BAD)
def test_a_refused_value_is_worded_as_by_the_value_lists(bad: dict) -> None:
    good = [{"job_task_id": f"g{i}", "job_id": f"job-{i % 3}", "status": "SUCCESS"} for i in range(5)]
    batches = [good, good[:2] + [{"job_task_id": "bad", **bad}] + good[2:]]
    staged = _refusal(Table(), batches)
    table = Table()
    with pytest.raises(EngineError) as exc:
        for at, batch in ((0, batches[0]), (5, batches[1])):
            normalize_columns(decode_records(batch, at), table.pools, offset=at)
    assert staged == exc.value.message
    assert "$[7]." in staged


def test_a_refusal_in_a_late_piece_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 300)
    store = JobTaskStore([{"job_task_id": "kept", "domain_id": "d", "job_id": "job-kept"}])
    lines = [{"job_task_id": f"t{i}", "domain_id": "d", "job_id": f"job-{i}", "provider": f"p{i}"} for i in range(40)]
    lines[33]["status"] = "NOT-A-STATUS"
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"".join(msgspec.json.encode(r) + b"\n" for r in lines))
    before = _state(store._table)
    with pytest.raises(EngineError) as exc:
        store.load_file(path)
    assert "$[33].status" in exc.value.message
    after = _state(store._table)
    after_pools = after.pop("pools")
    before_pools = before.pop("pools")
    assert after == before  # no row, and no value in any column's table
    assert set(before_pools["job_id"]) <= set(after_pools["job_id"])  # (the pools only share strings)
    assert len(store) == 1 and store.get("kept", "d")["job_id"] == "job-kept"


# -- datetimes ---------------------------------------------------------------------------------

OFFSETS = st.sampled_from([None, _dt.timezone.utc, _dt.timezone(_dt.timedelta(hours=9)), _dt.timezone(-_dt.timedelta(hours=14))])
DATETIMES = st.builds(lambda d, tz: d.replace(tzinfo=tz), st.datetimes(), OFFSETS)
TIME_INPUTS = st.lists(st.one_of(DATETIMES, st.none(), st.just(msgspec.UNSET)), max_size=12)


@given(raw=TIME_INPUTS, name=st.sampled_from(["created_at", "started_at", "finished_at"]))
@settings(max_examples=400, deadline=None)
def test_time_arrays_hold_what_the_value_lists_hold(raw: list, name: str) -> None:
    f = FIELDS[name]
    where = lambda i: f"$[{i}]."  # noqa: E731
    try:
        expected = TimeColumn(records._checked_times(f, records._time_column(f, raw, NOW), where))
    except EngineError as exc:
        with pytest.raises(EngineError) as got:
            records._time_array(f, tuple(raw), NOW, where)
        assert got.value.message == exc.message
        return
    col = records._time_array(f, tuple(raw), NOW, where)
    assert col.raw == expected.raw and col.absent == expected.absent
    assert col.raw.typecode == "q"


def test_the_batch_order_of_first_appearance_is_the_table_order(tmp_path: Path, monkeypatch) -> None:
    """Every path (a load in pieces, insert_many in batches, create one by one) numbers the
    same values the same way."""
    monkeypatch.setattr(ingest, "CHUNK_BYTES", 200)
    monkeypatch.setattr(ingest, "BATCH_RECORDS", 3)
    recs = [{"job_task_id": f"t{i}", "job_id": f"job-{(i * 7) % 11}", "provider": [None, "aws", " gcp"][i % 3]}
            for i in range(30)]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    loaded = JobTaskStore.load(path)
    inserted = JobTaskStore(recs)
    created = JobTaskStore()
    for r in recs:
        created.create(r)
    for name in ("job_id", "provider", "status"):
        tables = [s._table.columns[name] for s in (loaded, inserted, created)]
        assert tables[0].values == tables[1].values == tables[2].values
        assert tables[0].codes == tables[1].codes == tables[2].codes == array(tables[0].codes.typecode, tables[2].codes)


def test_a_first_load_leaves_the_id_index_to_its_first_use(tmp_path: Path) -> None:
    recs = [{"job_task_id": f"t{i}", "domain_id": "d"} for i in range(10)]
    path = tmp_path / "a.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs))
    store = JobTaskStore.load(path)
    assert not store._table._ids.built
    assert store.list({"domain_id": "d"})["total_count"] == 10
    assert not store._table._ids.built  # list and stat answer without it
    with pytest.raises(EngineError) as exc:
        store.insert_many([{"job_task_id": "new", "domain_id": "d"}, {"job_task_id": "t4", "domain_id": "d"}])
    assert exc.value.code == "ERROR_SAVE_UNIQUE_VALUES" and "position = 1" in exc.value.message
    assert store._table._ids.built and len(store) == 10
    store.insert_many([{"job_task_id": "new", "domain_id": "d"}])
    assert store.get("new", "d")["job_task_id"] == "new" and store.get("t9", "d")["job_task_id"] == "t9"
    with pytest.raises(EngineError):
        JobTaskStore().insert_many(recs + recs[3:4])
