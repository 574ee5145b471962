"""Selections: both forms answer the same, and AND agrees with set intersection."""

from hypothesis import given
from hypothesis import strategies as st

from jobtask_engine.selection import Selection, mask_of

N = 300
row_sets = st.sets(st.integers(0, N - 1), max_size=N)


def make(rows: set[int], dense: bool) -> Selection:
    ordered = sorted(rows)
    return Selection(N, mask=mask_of(ordered, N)) if dense else Selection(N, rows=ordered)


@given(row_sets, st.booleans())
def test_forms_agree(rows, dense):
    sel = make(rows, dense)
    assert sel.count() == len(rows)
    assert list(sel.rows()) == sorted(rows)
    assert [i for i, b in enumerate(sel.mask()) if b] == sorted(rows)


@given(row_sets, row_sets, st.booleans(), st.booleans())
def test_and_is_intersection(a, b, dense_a, dense_b):
    both = make(a, dense_a) & make(b, dense_b)
    assert list(both.rows()) == sorted(a & b)
    assert both.count() == len(a & b)
