"""Columns that arrive in order: the steps a table keeps of each, and the sorted index merged
from a column's runs instead of sorted.

The merged index must be the sorted one, part for part (permutation, keys, ranges, codes) and
answer for answer (range, range mask, range size, both walks, under writes after the build);
the steps the table keeps under appends, updates and deletes must be the steps a pass over
the live rows finds whenever they are known.  The rule: the live rows' sort keys in row order
(a datetime's raw milliseconds, null below not stored below every instant; a count's value,
null and not stored below every value) never step down but at the steps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from array import array
from typing import Any, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.columns import MISSING_MS, NULL_MS, TimeColumn
from jobtask_engine.query import planner
from jobtask_engine.query.planner import INDEX_WALK, VIEW_TOP_K, plan_order, rent_or_build
from jobtask_engine.request import parse_list_request
from jobtask_engine.schema import MISSING
from jobtask_engine.storage import NULL_KEY, SortedIndex
from jobtask_engine.storage import sorted_index as sorted_index_module
from jobtask_engine.storage.sorted_index import _identity, find_steps, steps_of

OPS = ("gt", "gte", "lt", "lte")


def _key(x: Any) -> int:
    return NULL_KEY if x is None or x is MISSING else x


def _brute_steps(keys: list[int]) -> list[int]:
    return [i for i in range(1, len(keys)) if keys[i - 1] > keys[i]]


@contextlib.contextmanager
def _merging_small_tables() -> Iterator[None]:
    """Small tables merge too (one step per row allowed, any overlap), so that hypothesis'
    small examples take the merge path."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "RUN_STEP_ROWS", 1)
        mp.setattr(sorted_index_module, "RUN_WINDOW_SHARE", 0.01)  # a budget of 100 windows of all rows
        yield


@contextlib.contextmanager
def _sorting() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "_merged_runs", lambda *args: None)
        yield


# -- the parts --------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 255, 256, 257, 65_535, 65_536, 65_537, 200_003])
def test_identity_is_the_range(n: int) -> None:
    assert _identity(n) == array("i", range(n))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-5, 5), max_size=80), st.integers(0, 100), st.one_of(st.none(), st.integers(-5, 5)),
       st.integers(1, 9))
def test_find_steps_names_every_step_down(keys: list[int], limit: int, before: int | None, chunk: int) -> None:
    expected = _brute_steps(keys)
    if before is not None and keys and before > keys[0]:
        expected = [0, *expected]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "STEP_SCAN_CHUNK", chunk)
        got = find_steps(keys, limit, before)
    assert got == (expected if len(expected) <= limit else None)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 5), st.none()), max_size=40), st.integers(0, 40), st.integers(0, 40), st.integers(1, 5))
def test_steps_of_a_range_of_rows_reads_them_in_place(values: list, a: int, b: int, chunk: int) -> None:
    a, b = min(a, b, len(values)), min(max(a, b), len(values))
    keys = [_key(x) for x in values[a:b]]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "STEP_SCAN_CHUNK", chunk)
        assert steps_of(values, range(a, b), 100, NULL_KEY) == _brute_steps(keys)
        assert steps_of(values, range(a, b), 100, 3) == ([0] if keys and keys[0] < 3 else []) + _brute_steps(keys)


def test_steps_of_counts_reads_null_and_not_stored_below_every_value() -> None:
    col = [None, MISSING, 0, 3, None, 3, MISSING, 2]
    assert steps_of(col, range(len(col))) == [4, 6]
    assert steps_of(col, [0, 1, 2, 3, 5, 7]) == [5]  # rows 4 and 6 left out (deleted)
    times = TimeColumn([None, MISSING, 5, None])  # raw: null below not stored below instants
    assert list(times.raw[:2]) == [NULL_MS, MISSING_MS]
    assert steps_of(times.raw, range(4)) == [3]
    assert steps_of(TimeColumn([MISSING, None, 5]).raw, range(3)) == [1]  # not stored, then null: a step


# -- the merged index is the sorted one ---------------------------------------------------------


@st.composite
def arriving_columns(draw) -> tuple[list, bool]:
    """(values, datetime): a few sorted runs of few values (ties), nulls and not-stored values
    among them, in front or anywhere."""
    datetime = draw(st.booleans())
    runs = draw(st.lists(st.lists(st.integers(0, 12), max_size=25), max_size=6))
    values: list[Any] = [v for run in runs for v in sorted(run)]
    absent = st.sampled_from([None, MISSING]) if datetime else st.sampled_from([None, MISSING])
    for _ in range(draw(st.integers(0, 4))):
        values.insert(draw(st.integers(0, len(values))), draw(absent))
    if draw(st.booleans()):
        values = [draw(absent) for _ in range(draw(st.integers(0, 3)))] + values
    return values, datetime


def _source(values: list, datetime: bool) -> Any:
    return TimeColumn(values).raw if datetime else list(values)


def _parts(index: SortedIndex) -> tuple:
    return (list(index.perm), list(index.keys), index.keys.typecode, index.bounds, bytes(index.codes))


def _answers(index: SortedIndex, capacity: int, sizes: bool = True) -> list:
    """Every answer of the index; ``sizes`` False: without ``range_size``, an estimate that
    counts the side parts' entries whatever their values (equal only between indexes whose
    side parts are alike)."""
    out: list = [list(index.ascending()), list(index.descending()), len(index)]
    for op in OPS:
        for v in range(-1, 14):
            size = index.range_size(op, v) if sizes else None
            out.append((op, v, sorted(index.range(op, v)), size, bytes(index.range_mask(op, v))[:capacity]))
    return out


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arriving_columns(), st.data())
def test_merged_index_is_the_sorted_index(column: tuple[list, bool], data) -> None:
    values, datetime = column
    n = len(values)
    rows: Any = range(n)
    if n and data.draw(st.booleans()):  # deleted rows left out
        rows = sorted(data.draw(st.sets(st.integers(0, n - 1))))
    part = data.draw(st.integers(1, 6))
    source = _source(values, datetime)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "DESC_PART", part)
        live = None
        if type(rows) is not range:  # the 0/1 vector of the rows, as a table with deletes passes it
            live = bytearray(n)
            for r in rows:
                live[r] = 1
        with _merging_small_tables():
            merged = SortedIndex(source, rows)
            told = SortedIndex(source, rows, steps_of(source, rows))
            masked = SortedIndex(source, rows, steps_of(source, rows), live=live)
        with _sorting():
            sorted_ = SortedIndex(source, rows)
        keys = [_key(source[r]) if not datetime else source[r] for r in rows]
        assert merged.runs == masked.runs == len(_brute_steps(keys)) + 1  # merged, never given up here
        assert sorted_.runs == 0
        assert _parts(merged) == _parts(told) == _parts(masked) == _parts(sorted_)
        assert _answers(merged, n) == _answers(sorted_, n)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arriving_columns(), st.lists(st.tuples(st.integers(0, 200), st.one_of(st.integers(0, 14), st.none())), max_size=30))
def test_merged_index_under_writes_answers_as_the_sorted_one(column: tuple[list, bool], writes: list) -> None:
    """Updates after the build (which break the order) go to the side parts and rebuilds,
    alike for a merged and a sorted index; a rebuild may merge or sort."""
    values, datetime = column
    if not values:
        return
    col = TimeColumn(values) if datetime else list(values)
    source = col.raw if datetime else col
    rows = range(len(values))
    with _merging_small_tables():
        merged = SortedIndex(source, rows)
    with _sorting():
        sorted_ = SortedIndex(source, rows)
    for i, (r, v) in enumerate(writes):
        r %= len(values)
        for index in (merged, sorted_):
            index.remove(r, col[r])
        col[r] = v
        for index in (merged, sorted_):
            index.insert(r, v)
        if i % 7 == 6:
            with _merging_small_tables():
                merged.rebuild(rows)
            with _sorting():
                sorted_.rebuild(rows)
    assert _answers(merged, len(values)) == _answers(sorted_, len(values))


def test_overlapping_runs_beyond_the_window_share_are_sorted() -> None:
    # two interleaved halves: one step, but every row of the second run overlaps the first
    values = list(range(0, 4000, 2)) + list(range(1, 4000, 2))
    index = SortedIndex(values, range(len(values)))
    assert index.runs == 0
    assert list(index.ascending()) == sorted(range(4000), key=lambda r: (values[r], r))


def test_workload_shaped_column_is_merged_not_sorted() -> None:
    # rising values with a few small steps back, as exported JobTasks' created_at
    values = [i * 10 for i in range(20_000)]
    for at in (3_000, 9_000, 15_000):
        values[at : at + 5] = [values[at] - 35 + j for j in range(5)]
    index = SortedIndex(TimeColumn(values).raw, range(len(values)))
    assert index.runs == 4
    with _sorting():
        sorted_ = SortedIndex(TimeColumn(values).raw, range(len(values)))
    assert _parts(index) == _parts(sorted_)


# -- the steps a table keeps ----------------------------------------------------------------

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)


def _at(minute: int | None) -> str | None:
    return None if minute is None else (T0 + dt.timedelta(minutes=minute)).isoformat()


def _record(i: int, minute: int | None, count: int | None) -> dict:
    rec: dict = {"job_task_id": f"t-{i:05d}", "domain_id": "d1", "created_at": _at(i), "status": "FAILURE" if i % 3 else "SUCCESS"}
    if minute is not None or i % 5:
        rec["started_at"] = _at(minute)
    if count is not None:
        rec["updated_count"] = count
    return rec


def _live_keys(table, field: str) -> list[int]:
    src = table.sort_source(field)
    return [_key(src[r]) for r in table.alive]


def _check_steps(table) -> None:
    """Every known state is the truth over the live rows (as row ids); an unknown one is found
    so (and kept: the next writes start from it).  Out of order promises nothing."""
    alive = list(table.alive)
    for field in table._arrival.fields():
        state = table._arrival.state(field)
        truth = [alive[i] for i in _brute_steps(_live_keys(table, field))]
        if type(state) is list:
            assert state == truth, field
        elif state is None:
            assert table._arrival.steps(field, table.sort_source(field), table._live) == truth, field


WRITE = st.one_of(
    st.tuples(st.just("create"), st.one_of(st.none(), st.integers(0, 60)), st.one_of(st.none(), st.integers(0, 60))),
    st.tuples(st.just("update"), st.integers(0, 10_000), st.one_of(st.none(), st.integers(0, 60))),
    st.tuples(st.just("count"), st.integers(0, 10_000), st.integers(0, 60)),
    st.tuples(st.just("delete"), st.integers(0, 10_000), st.just(None)),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 40), st.lists(WRITE, max_size=25), st.booleans(), st.booleans(), st.booleans())
def test_steps_kept_under_writes_are_the_live_rows_steps(n: int, writes: list, build: bool, settle: bool, merge: bool) -> None:
    """``settle``: every write folds the side parts in (a rebuild, merged when the steps say
    so); ``merge``: small tables merge whatever their steps."""
    with pytest.MonkeyPatch.context() as mp:
        if settle:
            mp.setattr(sorted_index_module, "SETTLE_SLACK", -(10**6))
        if merge:
            mp.setattr(sorted_index_module, "RUN_STEP_ROWS", 1)
        _writes_keep_steps(n, writes, build)


def _writes_keep_steps(n: int, writes: list, build: bool) -> None:
    store = JobTaskStore([_record(i, i, i // 3) for i in range(n)])
    table = store._table
    if build:
        for field in ("created_at", "started_at", "updated_count"):
            table.sorted_index(field)
    _check_steps(table)
    made = n
    for kind, a, b in writes:
        ids = [info["job_task_id"] for info in store]
        if kind == "create":
            store.create(_record(made, a, b))
            made += 1
        elif not ids:
            continue
        elif kind == "update":
            store.update(ids[a % len(ids)], "d1", {"started_at": _at(b)})
        elif kind == "count":
            store.update(ids[a % len(ids)], "d1", {"updated_count": b})
        else:
            store.delete(ids[a % len(ids)], "d1")
        _check_steps(table)
    # whatever the writes did, the indexes answer as freshly sorted ones
    for field in table.built_sorted_indexes():
        index = table.sorted_index(field)
        with _sorting():
            fresh = SortedIndex(table.sort_source(field), table.alive)
        assert _answers(index, table.capacity, sizes=index.settled) == _answers(fresh, table.capacity, sizes=index.settled)


def test_a_step_appended_is_kept_and_an_update_undoing_it_drops_it() -> None:
    store = JobTaskStore([_record(i, i, 0) for i in range(6)])
    table = store._table
    assert table._arrival.state("started_at") == []
    store.create(_record(6, 2, 0))  # started before row 5: a step at row 6
    assert table._arrival.state("started_at") == [6]
    store.update("t-00006", "d1", {"started_at": _at(9)})
    assert table._arrival.state("started_at") == []
    store.update("t-00003", "d1", {"started_at": None})  # a null after values: a step
    assert table._arrival.state("started_at") == [3]  # row 4 (minute 4) is above row 3's null
    store.delete("t-00003", "d1")
    assert table._arrival.state("started_at") == []
    store.delete("t-00004", "d1")  # a neighbour already deleted: unknown, found again on asking
    assert table._arrival.state("started_at") is None
    assert table.arrival_runs("started_at") == 1
    assert table._arrival.state("started_at") == []


def test_snapshot_keeps_the_steps_and_the_index_merges_after_open(tmp_path) -> None:
    records = [_record(i, i, i % 7) for i in range(3000)]
    records[1500]["created_at"] = _at(1490)  # one step down
    store = JobTaskStore(records)
    store.delete("t-00010", "d1")
    store.save(tmp_path / "s")
    opened = JobTaskStore.open(tmp_path / "s")
    table = opened._table
    assert table._arrival.state("created_at") == [1499]  # renumbered past the deleted row
    assert table._arrival.state("updated_count") is False
    assert table._arrival.saved(table._live) == store._table._arrival.saved(store._table._live)
    # a snapshot without them (an older writer): found at open, the same
    monkey = pytest.MonkeyPatch()
    monkey.setattr(type(store._table), "arrival_steps", lambda self: {})
    store.save(tmp_path / "old")
    monkey.undo()
    older = JobTaskStore.open(tmp_path / "old")._table
    assert older._arrival.state("created_at") == [1499] and older._arrival.state("updated_count") is False
    assert table.arrival_runs("created_at") == 2
    assert table.sorted_index("created_at").runs == 2
    assert list(opened) == list(store)


# -- the planner ------------------------------------------------------------------------------

BIG = 1_000_000
SORT_DESC = parse_list_request({"domain_id": "d", "query": {"sort": [{"key": "created_at", "desc": True}]}}).sort


def test_an_index_merged_from_runs_is_built_at_once_up_to_its_size_then_rented_at_its_cost() -> None:
    assert rent_or_build(False, BIG, 0.0, 1.0, in_order=True)
    assert not rent_or_build(False, BIG, 0.0, 1.0)
    beyond = planner.MERGE_AT_ONCE_ROWS + 1
    assert not rent_or_build(False, beyond, 0.0, 1.0, in_order=True)
    assert rent_or_build(False, beyond, 0.0, planner.COST_MERGE_ROW * beyond, in_order=True)
    got = plan_order(BIG, 65_000, SORT_DESC, 100, built=False, in_order=True)
    assert (got.strategy, got.field, got.rent) == (INDEX_WALK, "created_at", 0.0) and "merged" in got.note
    assert plan_order(BIG, 65_000, SORT_DESC, 100, built=False).strategy == VIEW_TOP_K


@contextlib.contextmanager
def _big_table() -> Iterator[None]:
    """Every table counts as too big to sort an index at once, and a sort is never bought."""
    saved = planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW
    planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW = -1, float("inf")
    try:
        yield
    finally:
        planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW = saved


Q1 = {"domain_id": "d1", "status": "FAILURE", "query": {"sort": [{"key": "created_at", "desc": True}], "page": {"limit": 5}}}
Q5 = {"domain_id": "d1", "query": {"filter": [{"k": "created_at", "v": _at(2500), "o": "datetime_gte"}], "count_only": True}}


def test_explain_shows_the_merged_index_chosen_where_a_sorted_one_is_rented() -> None:
    records = [_record(i, i, i % 7) for i in range(3000)]
    shuffled = [dict(r, created_at=_at((i * 7919) % 3000)) for i, r in enumerate(records)]
    in_order, out_of_order, reference = JobTaskStore(records), JobTaskStore(shuffled), JobTaskStore(records)
    with _big_table():
        got = in_order.explain(Q1)
        assert got["order"]["strategy"] == INDEX_WALK and "merged from the runs" in got["order"]["note"]
        assert in_order._table.sorted_index_runs("created_at") == 1
        again = in_order.explain(Q1)  # built: walked, and still said how it was made
        assert again["order"] == got["order"]
        rented = out_of_order.explain(Q1)
        assert rented["order"]["strategy"] == VIEW_TOP_K and not out_of_order._table.has_sorted_index("created_at")
        fresh = JobTaskStore(records)
        (step,) = [c for c in fresh.explain(Q5)["conditions"] if c["condition"].startswith("created_at")]
        assert step["access"] != "candidate test" and "note" not in step
        assert fresh._table.sorted_index_runs("created_at") == 1
        assert in_order.list(Q1) == reference.list(Q1) and in_order.list(Q5) == reference.list(Q5)
