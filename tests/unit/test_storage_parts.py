"""Each part of ``jobtask_engine/storage/`` on its own: liveness, the write log, the id index
(built lazily, once, under concurrent readers), one field's postings, and ``contain`` over a
code column against the joined-text search of the same values."""

from __future__ import annotations

import threading
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.columns import CodeColumn
from jobtask_engine.schema import MISSING
from jobtask_engine.storage import DensePosting, Postings, Table
from jobtask_engine.storage.changes import WriteLog
from jobtask_engine.storage.ids import IdIndex
from jobtask_engine.storage.liveness import Liveness
from jobtask_engine.storage.text import ContainText, coded_rows_containing
from jobtask_engine.thresholds import DENSE_FRACTION, WRITE_LOG_SIZE


def test_liveness_tracks_deletes_in_one_place() -> None:
    live = Liveness(5)
    assert list(live.rows) == [0, 1, 2, 3, 4] and type(live.rows) is range
    assert live.live_mask() is None and len(live) == 5 and not live.any_deleted
    live.delete(3)
    assert list(live.rows) == [0, 1, 2, 4] and live.mask == bytearray(b"\x01\x01\x01\x00\x01")
    assert live.mask[3] == 0 and live.mask[2] == 1 and len(live) == 4
    live.grow(2)
    assert list(live.rows) == [0, 1, 2, 4, 5, 6] and live.mask[5:] == b"\x01\x01" and live.capacity == 7
    sel = live.selection()
    assert sel.rows() == [0, 1, 2, 4, 5, 6]


def test_the_write_log_names_rows_and_forgets_old_writes() -> None:
    log = WriteLog()
    log.note(range(0, 3))
    start = log.version
    log.note(1)
    log.note(range(3, 5))
    assert log.rows_since(start) == [1, 3, 4] and log.rows_since(0) == [0, 1, 2, 1, 3, 4]
    assert log.rows_since(log.version) == [] and log.rows_since(log.version + 1) is None
    for r in range(WRITE_LOG_SIZE + 1):
        log.note(r)
    assert log.rows_since(start) is None
    log.note(None)
    assert log.rows_since(log.version - 1) is None and log.rows_since(log.version) == []


def test_the_id_index_is_built_once_on_first_use_under_concurrent_readers() -> None:
    ids = [f"id-{i}" for i in range(2000)]
    index = IdIndex(ids, threading.RLock(), built=False)
    assert not index.built
    seen: list[int | None] = []
    barrier = threading.Barrier(8)

    def read(i: int) -> None:
        barrier.wait()
        seen.append(index.row_of(f"id-{i * 100}"))

    threads = [threading.Thread(target=read, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert index.built and sorted(seen) == [i * 100 for i in range(8)]
    rows = index.rows
    assert index.rows is rows  # one dict, published whole
    ids.append("late")
    index.added(2000, 2001)
    index.removed("id-5")
    assert index.row_of("late") == 2000 and index.row_of("id-5") is None
    assert not index.isdisjoint(["nope", "late"]) and index.isdisjoint(["x", "y", "id-5"])


def test_an_id_index_built_after_deletes_leaves_them_out() -> None:
    ids = ["a", MISSING, "c"]  # a deleted row's id reads 'not stored'
    index = IdIndex(ids, threading.RLock(), built=False)
    assert index.rows == {"a": 0, "c": 2}


def test_an_opened_snapshot_builds_its_id_index_at_the_first_call_naming_a_record(tmp_path) -> None:
    store = JobTaskStore([{"job_task_id": f"t{i}", "domain_id": "d"} for i in range(10)])
    store.save(tmp_path / "s")
    opened = JobTaskStore.open(tmp_path / "s")
    assert not opened._table._ids.built
    assert opened.list({"domain_id": "d"})["total_count"] == 10
    assert not opened._table._ids.built  # list and stat answer without it
    assert opened.get("t3", "d")["job_task_id"] == "t3"
    assert opened._table._ids.built


def _rewrite(postings: Postings, col: CodeColumn, model: list, r: int, v: Any) -> None:
    """Row ``r`` set to ``v`` as the table writes it: its posting moved, the column and the
    model written, the postings told."""
    postings.discard(model[r], r)
    postings.add(v, r)
    col[r] = v
    model[r] = v
    postings.changed()


@given(st.lists(st.sampled_from(["a", "b", "c", None, MISSING]), max_size=3 * DENSE_FRACTION),
       st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["a", "b", "z", None])), max_size=12))
def test_postings_answer_as_the_column_does_through_writes(values: list, writes: list) -> None:
    col = CodeColumn(values)
    postings = Postings.of_column(col, range(len(col)), None, len(col))
    model = list(values)
    for r, v in writes:
        if not model:
            break
        _rewrite(postings, col, model, r % len(model), v)
    more = ["a", "b", None]
    col.extend(more)
    model += more
    postings.grow(col, len(model) - len(more), len(model))
    for v in ("a", "b", "c", "z", None, MISSING):
        assert list(postings.get(v)) == [r for r, x in enumerate(model) if x is v or (type(x) is str and x == v)]
    assert postings.values() == sorted({x for x in model if type(x) is str}) + [
        v for v in (None, MISSING) if any(x is v for x in model)
    ]
    assert postings.count(["a", None]) == sum(1 for x in model if x == "a" or x is None)
    assert postings.selection(["a", "b"]).rows() == [r for r, x in enumerate(model) if x in ("a", "b")]
    assert sorted(postings.string_range("gte", "b")) == [r for r, x in enumerate(model) if type(x) is str and x >= "b"]


def test_a_frequent_value_is_a_dense_vector_and_deleted_rows_are_not_posted() -> None:
    n = DENSE_FRACTION * 4
    col = CodeColumn(["many"] * (n - 2) + ["rare", MISSING])
    col[5] = MISSING  # a deleted row (it reads 'not stored')
    mask = bytearray(b"\x01") * n
    mask[5] = 0
    live = [r for r in range(n) if r != 5]
    postings = Postings.of_column(col, live, mask, n)
    assert type(postings.get("many")) is DensePosting and type(postings.get("rare")) is not DensePosting
    assert list(postings.get(MISSING)) == [n - 1]
    wide = CodeColumn([f"v{i % 300}" for i in range(n * 3)])  # 2-byte codes: grouped by a pass
    wide_postings = Postings.of_column(wide, range(len(wide)), None, len(wide))
    assert list(wide_postings.get("v7")) == [r for r in range(len(wide)) if r % 300 == 7]


TEXTS = st.one_of(st.sampled_from(["Job-1", "job-22", "AWS", "", "x\ny", "dömain"]), st.text("abJ-1", max_size=4), st.none())


@given(st.lists(TEXTS, max_size=20), st.sampled_from(["j", "job", "-1", "a", "zz", "ö", "\n"]))
def test_contain_over_codes_answers_as_the_joined_text_does(values: list, needle: str) -> None:
    coded = coded_rows_containing(CodeColumn(values), needle)
    if not values:  # the joined text of no rows refuses (None: tested row by row, no rows)
        assert coded == (None if "\n" in needle else [])
        return
    assert coded == ContainText(values, 0).rows_containing(values, needle)


def test_table_parts_answer_through_the_one_interface() -> None:
    table = Table()
    table.append_columns(_columns([("a", "FAILURE"), ("b", "SUCCESS"), ("c", "FAILURE")]))
    assert list(table.posting("status", "FAILURE")) == [0, 2] and table.posted_values("status") == ["FAILURE", "SUCCESS"]
    assert table.row_of("b") == 1 and table.ids_taken(["x", "c"]) and not table.ids_taken(["x"])
    assert table.value_count("status", ["FAILURE", "SUCCESS"]) == 3
    assert table.rows_containing("job_task_id", "b") == [1] and table.rows_containing("status", "fail") == [0, 2]
    version = table.version
    table.delete_row(0)
    assert list(table.posting("status", "FAILURE")) == [2] and table.row_of("a") is None and len(table) == 2
    assert table.rows_written_since(version) == [0] and table.live_mask() == bytearray(b"\x00\x01\x01")
    assert table.built_sorted_indexes() == {}
    assert list(table.sorted_index("created_count").ascending()) == [1, 2]


def _columns(rows: list[tuple[str, str]]) -> dict[str, list]:
    from jobtask_engine.records import decode_records, normalize_columns

    return normalize_columns(decode_records([{"job_task_id": i, "domain_id": "d", "status": s} for i, s in rows]))


@given(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=3 * DENSE_FRACTION),
       st.lists(st.tuples(st.integers(0, 200), st.sampled_from(["a", "b", "c", None])), max_size=6),
       st.lists(st.lists(st.sampled_from(["a", "b", "c", None]), min_size=2, max_size=3), min_size=1, max_size=4))
def test_a_kept_union_of_values_answers_as_the_column_does_through_writes(values: list, writes: list, asks: list) -> None:
    col = CodeColumn(values)
    postings = Postings.of_column(col, range(len(col)), None, len(col))
    model = list(values)

    def check() -> None:
        for ask in asks:
            for _ in range(2):  # the second ask is answered by the kept union
                want = [r for r, x in enumerate(model) if any(x is v or x == v for v in ask)]
                assert postings.selection(ask).rows() == want
                assert postings.selection(list(reversed(ask))).rows() == want

    check()
    for r, v in writes:
        _rewrite(postings, col, model, r % len(model), v)
        check()
    col.extend(["a", "b"])
    model += ["a", "b"]
    postings.grow(col, len(model) - 2, len(model))
    postings.changed()
    check()
