"""``TimeColumn`` reads and writes like the list of ``int | None | MISSING`` it replaces,
with its sentinel count and raw array in step, whatever the writes."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from jobtask_engine.columns import MISSING_MS, NULL_MS, TimeColumn
from jobtask_engine.schema import MISSING
from jobtask_engine.timeutil import MAX_MS, MIN_MS

VALUES = st.one_of(st.integers(MIN_MS, MAX_MS), st.none(), st.just(MISSING))


def _typed(xs: Any) -> list:
    return [(type(x).__name__, x) for x in xs]


def _check(col: TimeColumn, model: list) -> None:
    assert len(col) == len(model)
    assert _typed(col) == _typed(model)
    assert _typed(col[r] for r in range(len(model))) == _typed(model)
    assert col.absent == sum(1 for x in model if x is None or x is MISSING)
    assert col.absent == col.raw.count(NULL_MS) + col.raw.count(MISSING_MS)
    assert col == model
    assert (None in col) == any(x is None for x in model)
    assert (MISSING in col) == any(x is MISSING for x in model)


@given(
    first=st.lists(VALUES, max_size=20),
    more=st.lists(VALUES, max_size=20),
    writes=st.lists(st.tuples(st.integers(0, 39), VALUES), max_size=10),
    as_generator=st.booleans(),
)
def test_time_column_behaves_like_its_list(first: list, more: list, writes: list, as_generator: bool) -> None:
    col = TimeColumn(first)
    model = list(first)
    _check(col, model)
    col.extend((x for x in more) if as_generator else more)
    model += more
    _check(col, model)
    for r, v in writes:
        if model:
            r %= len(model)
            col[r] = v
            model[r] = v
    _check(col, model)
    if len(model) > 1:
        rows = list(range(len(model)))[::-1]
        assert _typed(col.take(rows)) == _typed([model[r] for r in rows])
        assert _typed(col[1:]) == _typed(model[1:])
    copy = TimeColumn()
    copy.extend(col)
    _check(copy, model)
    assert _typed(TimeColumn.of_array(col.raw[:])) == _typed(model)
