"""Selections: every form answers the same, and AND agrees with set intersection."""

from hypothesis import given
from hypothesis import strategies as st

from jobtask_engine.selection import Selection, mask_of, ones

N = 300
row_sets = st.sets(st.integers(0, N - 1), max_size=N)
forms = st.sampled_from(["rows", "mask", "bits"])


def make(rows: set[int], form: str) -> Selection:
    ordered = sorted(rows)
    if form == "mask":
        return Selection(N, mask=mask_of(ordered, N))
    if form == "bits":
        return Selection(N, bits=int.from_bytes(mask_of(ordered, N), "little"))
    return Selection(N, rows=ordered)


@given(row_sets, forms)
def test_forms_agree(rows, form):
    sel = make(rows, form)
    assert sel.count() == len(rows)
    assert list(sel.rows()) == sorted(rows)
    assert [i for i, b in enumerate(sel.mask()) if b] == sorted(rows)
    assert sel.bits() == int.from_bytes(mask_of(sorted(rows), N), "little")


@given(row_sets, row_sets, forms, forms)
def test_and_is_intersection(a, b, form_a, form_b):
    both = make(a, form_a) & make(b, form_b)
    assert list(both.rows()) == sorted(a & b)
    assert both.count() == len(a & b)


@given(st.integers(0, 2000), st.floats(0, 1), st.randoms(use_true_random=False))
def test_ones_lists_the_set_positions_at_any_density(n, density, rnd):
    mask = bytearray(rnd.random() < density for _ in range(n))
    expected = [i for i, b in enumerate(mask) if b]
    assert ones(mask, len(expected)) == expected
    assert ones(bytes(mask), len(expected)) == expected
