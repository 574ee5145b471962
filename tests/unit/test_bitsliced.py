"""Packed bitmaps and bit-sliced columns give what plain Python gives over the same rows.

Each structure is checked over random values (negative, zero, the int64 extremes, rows that
hold no int) and random selections (sparse and dense), built fresh and after catching up
with writes (create, update, delete) through a table, against sums, counts and extremes
computed row by row.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.schema import MISSING
from jobtask_engine.selection import Selection
from jobtask_engine.storage.bitmaps import byte_planes, pack_mask, rewrite_bits
from jobtask_engine.storage.bitsliced import BitSlices, _of_ints
from jobtask_engine.testing.stat_strategies import sample_records

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1


def _bits(rows) -> int:
    out = 0
    for r in rows:
        out |= 1 << r
    return out


def _mask(rows, n: int) -> bytes:
    m = bytearray(n)
    for r in rows:
        m[r] = 1
    return bytes(m)


@given(st.integers(0, 70).flatmap(lambda n: st.tuples(st.just(n), st.sets(st.integers(0, max(n - 1, 0)), max_size=n))))
def test_pack_mask_is_one_bit_a_row(case):
    n, rows = case
    rows = {r for r in rows if r < n}
    assert pack_mask(_mask(rows, n)) == _bits(rows)


@given(st.lists(st.integers(0, 255), max_size=70))
def test_byte_planes_hold_each_bit(values):
    planes, zeros = byte_planes([bytes(values), bytes(len(values))])
    assert zeros == []
    if not any(values):
        assert planes == []
    else:
        assert planes == [_bits(r for r, v in enumerate(values) if (v >> b) & 1) for b in range(8)]


def test_rewrite_bits_sets_and_clears():
    assert rewrite_bits(0b1010, 2, on=[0, 9], off=[3]) == 0b1000000011
    assert rewrite_bits(0, 1, on=[], off=[5]) == 0


_VALUES = st.one_of(
    st.integers(-3, 3),
    st.integers(0, 5000),
    st.integers(INT64_MIN, INT64_MAX),
    st.sampled_from([INT64_MIN, INT64_MAX, 0, -1]),
)
_CELLS = st.one_of(_VALUES, _VALUES, _VALUES, st.sampled_from([MISSING, None, "7", 1.5]))


def _expected(values, rows):
    picked = [values[r] for r in rows]
    return len(picked), sum(picked), max(picked, default=None), min(picked, default=None)


def _check(sliced: BitSlices, values, rows):
    good = [r for r in rows if type(values[r]) is int]
    sel = _bits(good)
    assert sliced.bad & sel == 0
    assert (sliced.bad & _bits(rows) != 0) == (len(good) != len(rows))
    count, total, top, bottom = _expected(values, good)
    assert sel.bit_count() == count
    assert sliced.total(sel) == total
    if good:
        assert sliced.extreme(sel, largest=True) == top
        assert sliced.extreme(sel, largest=False) == bottom


@settings(max_examples=150)
@given(st.lists(_CELLS, min_size=1, max_size=60), st.data())
def test_sums_counts_and_extremes_over_any_rows(values, data):
    sliced = _of_ints(values, 0)
    n = len(values)
    for density in (0.05, 0.5, 1.0):
        rng = random.Random(data.draw(st.integers(0, 1 << 30)))
        rows = [r for r in range(n) if rng.random() < density]
        _check(sliced, values, rows)


@settings(max_examples=100)
@given(st.lists(_VALUES, min_size=1, max_size=40), st.lists(st.tuples(st.integers(0, 50), _CELLS), max_size=12))
def test_catch_up_equals_a_fresh_build(values, writes):
    sliced = _of_ints(values, 0)
    values = list(values)
    changed = {}
    for r, v in writes:
        if r >= len(values):
            values.append(v)  # a created row
            r = len(values) - 1
        else:
            values[r] = v
        changed[r] = v & ((1 << 64) - 1) if type(v) is int else None
    sliced.catch_up(1, changed, len(values))
    fresh = _of_ints(values, 1)
    assert sliced.planes == fresh.planes and sliced.bad == fresh.bad
    _check(sliced, values, range(len(values)))


def test_equal_codes_among_capacity():
    codes = [0, 3, 3, 2, 7, 3, 0]
    sliced = BitSlices(0, byte_planes([bytes(codes)])[0], False, 0)
    for c in range(9):
        assert sliced.equal(c, len(codes)) == _bits(r for r, x in enumerate(codes) if x == c)
    assert sliced.equal(256, len(codes)) == 0


# -- through a table, under writes ------------------------------------------------------------

def _table_answers(store: JobTaskStore, field: str) -> None:
    table = store._table
    col = table.columns[field]
    sliced = table.bit_slices(field)
    assert sliced is not None and sliced.version == table.version
    live = list(table.alive)
    sel = table.packed_rows(table.all_rows())
    assert sel == _bits(live)
    _check(sliced, col, live)
    rng = random.Random(len(live))
    some = [r for r in live if rng.random() < 0.4]
    _check(sliced, col, some)
    codes = table.bit_slices("status")
    status = table.columns["status"]
    for code, value in enumerate(status.values):
        assert sel & codes.equal(code, table.capacity) == _bits(r for r in live if status[r] is value or status[r] == value)


def test_table_slices_follow_create_update_delete():
    store = JobTaskStore()
    records = [dict(r, domain_id="d1") for r in sample_records()]
    store.insert_many(records[:-2])
    _table_answers(store, "updated_count")
    store.insert_many(records[-2:])
    _table_answers(store, "updated_count")
    ids = store._table.columns["job_task_id"]
    store.update(ids[0], "d1", {"updated_count": INT64_MAX, "status": "FAILURE"})
    store.update(ids[1], "d1", {"updated_count": INT64_MIN})
    store.update(ids[2], "d1", {"updated_count": 0, "status": "CANCELED"})
    _table_answers(store, "updated_count")
    store.delete(ids[3], "d1")
    _table_answers(store, "updated_count")
    assert store._table.bit_slices("updated_count").bad  # the deleted row reads MISSING
    assert store._table.bit_slices("job_task_id") is None


def test_packed_rows_of_selections():
    store = JobTaskStore()
    store.insert_many([dict(r, domain_id="d1") for r in sample_records()])
    table = store._table
    n = table.capacity
    mask = _mask([1, 2, n - 1], n)
    dense = Selection(n, mask=mask)
    assert table.packed_rows(dense) == _bits([1, 2, n - 1])
    assert table.packed_rows(dense) == _bits([1, 2, n - 1])  # the kept one
    assert table.packed_rows(Selection(n, bits=int.from_bytes(mask, "little"))) == _bits([1, 2, n - 1])
    assert table.packed_rows(Selection(n, rows=[1, 2])) is None
    assert table.packed_rows(Selection(n, rows=range(n))) == (1 << n) - 1


def test_planes_kept_per_table_are_bounded(monkeypatch):
    from jobtask_engine.storage import bitsliced

    store = JobTaskStore()
    store.insert_many([dict(r, domain_id="d1", created_count=-1 - i) for i, r in enumerate(sample_records())])
    table = store._table
    monkeypatch.setattr(bitsliced, "BIT_PLANES_KEPT", 64)
    assert table.bit_slices("created_count").live_planes() == 64  # negative values fill them all
    assert list(bitsliced._SLICES[table]) == ["created_count"]  # one field is always kept
    assert table.bit_slices("updated_count").live_planes()
    assert list(bitsliced._SLICES[table]) == ["updated_count"]  # the least recently used dropped


def test_values_past_int64_are_not_sliced():
    values = [1, 1 << 70, -(1 << 64), None, 5, MISSING]
    sliced = _of_ints(values, 0)
    assert sliced.bad == _bits([1, 2, 3, 5])
    assert sliced.total(_bits([0, 4])) == 6
    assert sliced.extreme(_bits([0, 4]), largest=True) == 5


def test_a_few_writes_are_caught_up_many_rebuild():
    store = JobTaskStore()
    records = [dict(r, domain_id="d1", job_task_id=f"{r['job_task_id']}-{i}") for i in range(4) for r in sample_records()]
    store.insert_many(records)
    table = store._table
    first = table.bit_slices("updated_count")
    ids = table.columns["job_task_id"]
    store.update(ids[0], "d1", {"updated_count": 12345})
    assert table.bit_slices("updated_count") is first  # caught up in place
    for i in range(1, len(ids)):
        store.update(ids[i], "d1", {"updated_count": i})
    again = table.bit_slices("updated_count")
    assert again is not first and again.version == table.version  # too many rows written: rebuilt
    _table_answers(store, "updated_count")


def test_a_posting_vector_packed_then_written_is_caught_up():
    store = JobTaskStore()
    records = [dict(r, domain_id="d1" if i % 2 else "d2", job_task_id=f"{r['job_task_id']}-{i}")
               for i in range(4) for r in sample_records()]
    store.insert_many(records)
    table = store._table

    def domain_rows() -> Selection:
        return table.value_selection("domain_id", ["d1"])

    def live_d1() -> int:
        return _bits(r for r in table.alive if table.columns["domain_id"][r] == "d1")

    assert table.packed_rows(domain_rows()) == live_d1()
    d1 = [i for i, d in zip(table.columns["job_task_id"], table.columns["domain_id"]) if d == "d1"]
    store.delete(d1[0], "d1")
    assert table.packed_rows(domain_rows()) == live_d1()
    store.create({"job_task_id": "jt-late", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z"})
    store.create({"job_task_id": "jt-later", "domain_id": "d2", "created_at": "2022-01-01T00:00:00Z"})
    assert table.packed_rows(domain_rows()) == live_d1()


def test_held_counts_while_another_reader_adds_to_the_memo():
    """``equal`` memoises outside the build lock, so the memo may grow while ``held`` (under
    the lock, weighing the kept planes) counts it: a reader adding to it mid-count (here the
    count's own truth test of a value stands in for that reader) must not break the count."""
    sliced = BitSlices(0, [0b1010, 0b0110] + [0] * 6, False, 0)

    class Racing:
        def __bool__(self) -> bool:
            sliced._equal[len(sliced._equal) + 100] = 1  # another reader's memo, mid-count
            return True

    sliced._equal[0] = Racing()
    assert sliced.held() == 2 + 1
