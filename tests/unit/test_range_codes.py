"""Range codes of a sorted index: a range answered as a dense set, exact under writes.

``SortedIndex.range_mask`` answers most rows from their byte code (which
value range they fall in) and reads the rows of the one range the bound
falls in off the sorted keys and the side buffer.  The property: after any
mix of appends, updates, deletes and rebuilds, the mask is exactly the live
rows whose non-null value satisfies the comparison.
"""

from __future__ import annotations

import operator

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.schema import MISSING
from jobtask_engine.storage import SortedIndex

OPS = {"gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}

# Few distinct values (heavy duplicates), a wide spread, and null/missing.
values = st.one_of(
    st.integers(0, 6),
    st.integers(-(2**40), 2**40),
    st.sampled_from([None, MISSING]),
)
writes = st.lists(
    st.one_of(
        st.tuples(st.just("append"), values),
        st.tuples(st.just("update"), st.integers(0, 10**6), values),
        st.tuples(st.just("delete"), st.integers(0, 10**6)),
    ),
    max_size=60,
)


def expected(col: list, dead: set[int], op: str, v: int) -> bytearray:
    test = OPS[op]
    return bytearray(
        int(r not in dead and x is not None and x is not MISSING and test(x, v)) for r, x in enumerate(col)
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(values, max_size=400), writes, st.lists(st.integers(-8, 8), max_size=6))
def test_range_mask_is_exact_under_writes(initial, ops, probes):
    col = list(initial)
    dead: set[int] = set()
    index = SortedIndex(col, range(len(col)))
    for op in ops:
        live = [r for r in range(len(col)) if r not in dead]
        if op[0] == "append":
            col.append(op[1])
            index.insert(len(col) - 1, op[1])
        elif op[0] == "update" and live:
            r = live[op[1] % len(live)]
            index.remove(r, col[r])
            col[r] = op[2]
            index.insert(r, op[2])
        elif op[0] == "delete" and live:
            r = live[op[1] % len(live)]
            index.remove(r, col[r])
            col[r] = MISSING
            dead.add(r)
        if index.unsettled:
            index.rebuild([r for r in range(len(col)) if r not in dead])
    stored = sorted({x for x in col if type(x) is int})
    bounds = [-(2**64), 2**64] + stored + [x + 1 for x in stored] + [x - 1 for x in stored] + probes
    for v in bounds:
        for op in OPS:
            assert index.range_mask(op, v) == expected(col, dead, op, v), (op, v)


def test_a_value_that_fills_many_ranges_gets_its_own():
    col = [0] * 900 + list(range(1, 101))
    index = SortedIndex(col, range(len(col)))
    assert 0 in index.bounds and 1 in index.bounds
    assert index.range_mask("gte", 1).count(1) == 100
    assert index.range_mask("lte", 0).count(1) == 900


def _record(i: int) -> dict:
    return {
        "job_task_id": f"job-task-{i:06d}",
        "domain_id": "d1" if i % 2 else "d2",
        "status": "FAILURE" if i % 8 == 0 else "SUCCESS",
        "updated_count": i % 500,
        "created_at": f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}T00:00:00Z",
    }


def _range_access(store: JobTaskStore, params: dict, key: str) -> str:
    """The access path ``explain`` reports for the condition on ``key``."""
    steps = [c for c in store.explain(params)["conditions"] if c["condition"].startswith(key + " ")]
    assert len(steps) == 1, steps
    return steps[0]["access"]


def test_planner_takes_the_range_codes_for_a_wide_range_over_dense_candidates():
    store = JobTaskStore(_record(i) for i in range(4000))
    params = {
        "domain_id": "d1",
        "query": {
            "filter": [{"k": "created_at", "v": "2024-07-01T00:00:00Z", "o": "datetime_gte"}],
            "count_only": True,
        },
    }
    expected_count = sum(1 for i in range(4000) if i % 2 and 1 + i % 12 >= 7)
    assert store.list(params)["total_count"] == expected_count
    assert _range_access(store, params, "created_at") == "range codes"
    store.update("job-task-000001", "d1", {"updated_count": 499})
    store.delete("job-task-000003", "d1")
    narrow = {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 499, "o": "gte"}]}}
    got = [r["job_task_id"] for r in store.list(narrow)["results"]]
    assert _range_access(store, narrow, "updated_count") == "range index"  # listed, not coded
    wide = {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 10, "o": "gte"}], "count_only": True}}
    live = [r for r in store if r["domain_id"] == "d1" and r["updated_count"] >= 10]
    assert store.list(wide)["total_count"] == len(live) == 1961  # 1960 generated, + row 1 raised to 499
    assert _range_access(store, wide, "updated_count") == "range codes"
    assert "job-task-000001" in got


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 3), st.integers(0, 10**6), st.none()), max_size=300))
def test_descending_order_is_values_down_and_rows_up_at_any_tie_density(col):
    index = SortedIndex(col, range(len(col)))

    def key(r):
        return -(2**63) if col[r] is None else col[r]

    assert list(index.descending()) == sorted(range(len(col)), key=lambda r: (-key(r), r))
    assert list(index.ascending()) == sorted(range(len(col)), key=lambda r: (key(r), r))


@pytest.mark.parametrize("col", [
    [i % 3 for i in range(1000)],  # few values: copied run by run
    [None if i % 7 == 0 else i % 5 for i in range(1000)],
    [i // 2 for i in range(1000)][::-1],  # many values, every one tied once
    list(range(1000)),  # no ties
])
def test_descending_order_in_both_regimes(col):
    index = SortedIndex(col, range(len(col)))

    def key(r):
        return -(2**63) if col[r] is None else col[r]

    assert list(index.descending()) == sorted(range(len(col)), key=lambda r: (-key(r), r))


def test_not_stored_datetimes_stay_out_of_ranges_by_every_method():
    """created_at is not nullable: a record without one has it *not stored*, whose raw
    sentinel sits just above null's key; no range, index or codes, may take it for a value."""
    from jobtask_engine import JobTaskStore

    records = [{"job_task_id": f"t{i}", "domain_id": "d",
                "created_at": None if i % 3 == 0 else f"2021-01-{1 + i % 28:02d}T00:00:00Z"} for i in range(300)]
    store = JobTaskStore(records)
    store.create({"job_task_id": "late", "domain_id": "d"})  # stamped now: a pending write to the sorted index
    for op, bound, expected in (("datetime_lte", "2022-01-01", 200), ("datetime_lt", "2022-01-01", 200),
                                ("datetime_gte", "2000-01-01", 201), ("datetime_gt", "2022-01-01", 1)):
        params = {"domain_id": "d", "query": {"filter": [{"k": "created_at", "v": bound, "o": op}], "count_only": True}}
        assert store.list(params)["total_count"] == expected, op
    for method_probe in ("2021-01-05", "2021-01-20"):
        got = store.explain({"domain_id": "d", "query": {"filter": [{"k": "created_at", "v": method_probe, "o": "datetime_lte"}]}})
        step = [c for c in got["conditions"] if c["condition"].startswith("created_at")][0]
        brute = sum(1 for r in records if r["created_at"] is not None and r["created_at"][:10] <= method_probe)
        assert step["rows"] == brute, step
