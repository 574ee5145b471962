"""A sorted index built by counting (a column of few values: ``sorted_index._counted``) is the
index the sort builds, part for part: the permutation (ties in row order), the keys and their
width, the range bounds and every row's range code; over integer lists with null and not
stored values, datetime arrays, deleted rows (given as a list, with or without the live
vector), after writes folded in by a rebuild; and a table picks it for a few-valued column."""

from __future__ import annotations

import contextlib
import random
from typing import Any, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.columns import TimeColumn
from jobtask_engine.schema import MISSING
from jobtask_engine.storage import NULL_KEY, SortedIndex
from jobtask_engine.storage import sorted_index as sorted_index_module
from jobtask_engine.storage.sorted_index import builds_by_counting
from jobtask_engine.thresholds import COUNT_SORT_SHARE


@contextlib.contextmanager
def built_by(counting: bool) -> Iterator[None]:
    """Every index built in the block is counted (True) or sorted (False), whatever its values."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "builds_by_counting", lambda col, rows: counting)
        yield


def _parts(index: SortedIndex) -> tuple:
    return (index.perm.typecode, list(index.perm), index.keys.typecode, list(index.keys), index.bounds, bytes(index.codes), index.runs)


def _both(col: Any, rows: Any, live: bytearray | None = None) -> tuple[SortedIndex, SortedIndex]:
    with built_by(True):
        counted = SortedIndex(col, rows, None, False, live)
    with built_by(False):
        sorted_ = SortedIndex(col, rows, None, False, live)
    return counted, sorted_


def _key(x: Any) -> int:
    return NULL_KEY if x is None or x is MISSING else x


int_values = st.one_of(
    st.integers(-3, 5),  # few values
    st.integers(-(2**40), 2**40),  # many, some past 4-byte keys
    st.none(),
    st.just(MISSING),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(int_values, max_size=80),
    deleted=st.sets(st.integers(0, 79)),
    as_list=st.booleans(),
    with_live=st.booleans(),
    datetime_array=st.booleans(),
)
def test_counted_parts_equal_the_sorted(values: list, deleted: set, as_list: bool, with_live: bool, datetime_array: bool) -> None:
    n = len(values)
    deleted = {r for r in deleted if r < n}
    for r in deleted:
        values[r] = MISSING  # a deleted row holds not stored, as in a table
    if datetime_array:
        col: Any = TimeColumn(values).raw  # raw milliseconds: null and not stored two keys below all
    else:
        col = list(values)
    live_rows = [r for r in range(n) if r not in deleted]
    rows: Any = range(n) if not deleted and not as_list else live_rows
    live = bytearray(r not in deleted for r in range(n)) if deleted and with_live else None
    counted, sorted_ = _both(col, rows, live)
    assert _parts(counted) == _parts(sorted_)
    assert list(counted.ascending()) == sorted(live_rows, key=lambda r: (_key(col[r]), r))
    assert list(counted.descending()) == list(sorted_.descending())


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(0, 3), st.none()), min_size=1, max_size=60),
    writes=st.lists(st.tuples(st.integers(0, 59), st.one_of(st.integers(0, 3), st.none())), max_size=8),
)
def test_a_counted_rebuild_folds_writes_in_as_the_sort_does(values: list, writes: list) -> None:
    col = list(values)
    with built_by(True):
        index = SortedIndex(col, range(len(col)))
        for r, v in writes:
            r %= len(col)
            index.remove(r, col[r])
            col[r] = v
            index.insert(r, v)
        index.rebuild(range(len(col)))
    with built_by(False):
        fresh = SortedIndex(col, range(len(col)))
    assert _parts(index) == _parts(fresh)
    for op in ("gt", "gte", "lt", "lte"):
        for v in range(-1, 5):
            assert index.range_mask(op, v) == fresh.range_mask(op, v)
            assert sorted(index.range(op, v)) == sorted(fresh.range(op, v))


def test_a_few_valued_column_is_counted_a_column_of_distinct_values_is_not():
    n = 64 * COUNT_SORT_SHARE
    assert builds_by_counting([r % 7 for r in range(n)], n)
    assert builds_by_counting([None if r % 3 else MISSING for r in range(n)], n)
    assert not builds_by_counting(list(range(n)), n)
    assert not builds_by_counting([r % 7 for r in range(COUNT_SORT_SHARE - 1)], COUNT_SORT_SHARE - 1)  # too few rows
    # at most rows // COUNT_SORT_SHARE distinct values in the sample
    assert builds_by_counting([r % 64 for r in range(n)], n)
    rng = random.Random(7)
    assert not builds_by_counting([rng.randrange(n // 4) for _ in range(n)], n)  # a value per 4 rows


def test_many_rows_of_few_values_counted_as_sorted():
    rng = random.Random(11)
    n = 20_000
    col = [rng.choice((None, MISSING, 0, 1, 2, 5, 2**33)) if rng.random() < 0.1 else rng.randrange(40) for _ in range(n)]
    assert builds_by_counting(col, n)
    counted, sorted_ = _both(col, range(n))
    assert _parts(counted) == _parts(sorted_)
    live_rows = [r for r in range(n) if r % 5]
    live = bytearray(r % 5 != 0 for r in range(n))
    for r in range(0, n, 5):
        col[r] = MISSING
    counted, sorted_ = _both(col, live_rows, live)
    assert _parts(counted) == _parts(sorted_)


def test_a_table_counts_a_few_valued_field_and_answers_as_before():
    rng = random.Random(3)
    n = 64 * COUNT_SORT_SHARE  # 30 values: at most rows // COUNT_SORT_SHARE
    records = [
        {"job_task_id": f"job-task-{i:06d}", "domain_id": "d1", "updated_count": rng.randrange(30)}
        for i in range(n)
    ]
    store = JobTaskStore(records)
    table = store._table
    source = table.sort_source("updated_count")
    assert builds_by_counting(source, len(table))
    index = table.sorted_index("updated_count")
    with built_by(False):
        sorted_ = SortedIndex(source, table.alive, None, False, table._live.live_mask())
    assert _parts(index) == _parts(sorted_)
    page = store.list({"domain_id": "d1", "query": {"sort": [{"key": "updated_count", "desc": True}], "page": {"start": 7, "limit": 20}}})
    want = sorted(range(n), key=lambda r: (-records[r]["updated_count"], r))[6:26]
    assert [t["job_task_id"] for t in page["results"]] == [records[r]["job_task_id"] for r in want]
