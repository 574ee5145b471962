"""A sorted index's descending order, made part by part (``thresholds.DESC_PART`` rows at a
time), is the order of its values descending with equal values in ascending row id,
for any part size, with nulls, ties and writes pending; on integer lists and datetime arrays."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine.storage import sorted_index as sorted_index_module
from jobtask_engine.columns import TimeColumn
from jobtask_engine.schema import MISSING
from jobtask_engine.storage import NULL_KEY, SortedIndex


def _key(x: Any) -> int:
    return NULL_KEY if x is None or x is MISSING else x


def _expected(values: list, rows: list[int]) -> list[int]:
    return sorted(rows, key=lambda r: (-_key(values[r]), r))


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.one_of(st.integers(-3, 6), st.none()), max_size=60),
    part=st.integers(1, 8),
    datetime_array=st.booleans(),
)
def test_descending_parts_give_the_whole_order(values: list, part: int, datetime_array: bool) -> None:
    if not datetime_array:
        values = [0 if v is None else v for v in values]  # integer columns are never null
    col = TimeColumn(values) if datetime_array else list(values)
    source = col.raw if datetime_array else col
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "DESC_PART", part)
        index = SortedIndex(source, range(len(values)))
        rows = list(range(len(values)))
        assert list(index.descending()) == _expected(values, rows)
        assert list(index.descending()) == _expected(values, rows)  # the parts kept, read again
        assert list(index.ascending()) == sorted(rows, key=lambda r: (_key(values[r]), r))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.integers(0, 4), min_size=1, max_size=40),
    part=st.integers(1, 5),
    writes=st.lists(st.tuples(st.integers(0, 39), st.integers(0, 4)), max_size=6),
)
def test_descending_parts_with_pending_writes(values: list, part: int, writes: list) -> None:
    col = list(values)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sorted_index_module, "DESC_PART", part)
        index = SortedIndex(col, range(len(col)))
        next(iter(index.descending()), None)  # the first part made before the writes
        for r, v in writes:
            r %= len(col)
            index.remove(r, col[r])
            col[r] = v
            index.insert(r, v)
        assert list(index.descending()) == _expected(col, list(range(len(col))))
