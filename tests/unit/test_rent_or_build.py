"""Ranges and orders over a big table without a sorted index that is not built yet.

The planner's choices come from statistics alone (``rent_or_build``, ``plan_order``);
the answers of the passes it makes instead (candidate tests, the order view's top-k)
must be the index's, row for row: ties in row order, null and missing where the index
puts them, every page.  A small table counts as big here when the test lowers
``BUILD_AT_ONCE_ROWS`` (and raises ``COST_BUILD_ROW`` to never buy), which is how the
two paths are compared on the same records.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.query import build_ledger, planner
from jobtask_engine.query.order import view_top_k
from jobtask_engine.query.planner import (
    BUILD_AT_ONCE_ROWS,
    COST_BUILD_ROW,
    INDEX_WALK,
    RANGE_CODES,
    TEST,
    VIEW_SORT,
    VIEW_TOP_K,
    plan_filter,
    plan_order,
    rent_or_build,
)
from jobtask_engine.request import parse_list_request
from jobtask_engine.testing.strategies import list_requests, record_lists

NEG_INF = float("-inf")
BIG = 1_000_000


@contextlib.contextmanager
def renting(buy_at: float = float("inf")) -> Iterator[None]:
    """Every table counts as big; a build costs ``buy_at`` units a row (inf: never bought),
    merged from a field's runs or sorted."""
    saved = planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW, planner.MERGE_AT_ONCE_ROWS, planner.COST_MERGE_ROW
    planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW = -1, buy_at
    planner.MERGE_AT_ONCE_ROWS, planner.COST_MERGE_ROW = -1, buy_at
    try:
        yield
    finally:
        planner.BUILD_AT_ONCE_ROWS, planner.COST_BUILD_ROW, planner.MERGE_AT_ONCE_ROWS, planner.COST_MERGE_ROW = saved


def _sort_key(params: dict) -> list:
    return parse_list_request(params).sort


# -- the choice, from statistics alone ------------------------------------------------------


def test_an_index_that_exists_or_a_small_table_always_uses_the_index():
    assert rent_or_build(True, BIG, 0.0, 1.0)
    assert rent_or_build(False, BUILD_AT_ONCE_ROWS, 0.0, 1.0)


def test_a_big_table_rents_until_the_passes_reach_the_build():
    build = COST_BUILD_ROW * BIG
    assert not rent_or_build(False, BIG, 0.0, build / 10)
    assert not rent_or_build(False, BIG, build * 0.8, build / 10)
    assert rent_or_build(False, BIG, build * 0.9, build / 10)  # this pass would reach it
    assert rent_or_build(False, BIG, 0.0, build)  # one pass dearer than the build: build


SORT_DESC = _sort_key({"domain_id": "d", "query": {"sort": [{"key": "created_at", "desc": True}]}})
SORT_ASC_INT = _sort_key({"domain_id": "d", "query": {"sort": [{"key": "updated_count"}]}})


def test_order_of_a_few_matches_is_the_view_top_k_until_the_index_exists():
    # q1 at 1M rows: 65k matches, 100 rows wanted
    rented = plan_order(BIG, 65_000, SORT_DESC, 100, built=False, spent=0.0)
    assert (rented.strategy, rented.field, rented.desc) == (VIEW_TOP_K, "created_at", True)
    assert rented.rent > 0 and "created_at" in rented.note
    assert plan_order(BIG, 65_000, SORT_DESC, 100, built=True) == (INDEX_WALK, "created_at", True, 0.0, "")
    # once the passes made in its place reach the build, the request builds and walks
    bought = plan_order(BIG, 65_000, SORT_DESC, 100, built=False, spent=COST_BUILD_ROW * BIG)
    assert bought.strategy == INDEX_WALK and not bought.rent


def test_order_without_an_index_to_spare_charges_nothing():
    # every match wanted: the view sort, index or not
    assert plan_order(BIG, 65_000, SORT_ASC_INT, None, built=False) == (VIEW_SORT, "updated_count", False, 0.0, "")
    # a large share wanted: the view sort beats the walk anyway
    assert plan_order(BIG, 1_000, SORT_ASC_INT, 500, built=False).strategy == VIEW_SORT
    # a small table builds as before
    assert plan_order(10_000, 2_000, SORT_DESC, 10, built=False).strategy == INDEX_WALK


def _big_store(n: int = 3000) -> JobTaskStore:
    rng = random.Random(5)
    start = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    return JobTaskStore(
        {
            "job_task_id": f"job-task-{i:06d}",
            "domain_id": "d1" if i % 3 else "d2",
            "status": "FAILURE" if i % 7 == 0 else "SUCCESS",
            "updated_count": rng.randrange(4),
            "created_at": (start + dt.timedelta(minutes=rng.randrange(50))).isoformat(),
        }
        for i in range(n)
    )


RANGE = {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 2, "o": "gte"}], "count_only": True}}


def test_a_range_is_tested_while_its_index_is_not_built_then_bought():
    store = _big_store()
    table = store._table
    flt = parse_list_request(RANGE).filter
    with renting(buy_at=COST_BUILD_ROW):
        plan = plan_filter(flt, table)
        assert plan.ranges == () and plan.tests[-1].method == TEST and plan.tests[-1].estimate is None
        assert "updated_count" in plan.tests[-1].note
        assert not table.has_sorted_index("updated_count")
        spent = build_ledger.spent(table, "updated_count")
        assert spent > 0
        calls = 1
        while not table.has_sorted_index("updated_count"):
            plan = plan_filter(flt, table)
            calls += 1
            assert calls < 100
        # bought by the call whose pass would have reached the build's cost
        assert calls == -(-COST_BUILD_ROW * table.capacity // spent)
        assert [s.method for s in plan.ranges] == [RANGE_CODES]


def test_explain_shows_the_rented_paths_and_why():
    store = _big_store()
    params = {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 2, "o": "gte"}],
                                           "page": {"limit": 5}}}
    with renting():
        got = store.explain(params)
        (step,) = [c for c in got["conditions"] if c["condition"].startswith("updated_count")]
        assert step["access"] == "candidate test" and "no sorted index of updated_count" in step["note"]
        assert got["order"]["strategy"] == VIEW_TOP_K and "created_at" in got["order"]["note"]
        assert not store._table.has_sorted_index("created_at")
    got = store.explain(params)  # a small table again: the index, built now
    assert got["order"] == {"strategy": INDEX_WALK, "field": "created_at"}
    assert all("note" not in c for c in got["conditions"])


# -- the same answers ----------------------------------------------------------------------


def _answers(store: JobTaskStore, requests: list[dict]) -> list:
    out = []
    for params in requests:
        got = store.list(params)
        out.append((got["total_count"], [r["job_task_id"] for r in got["results"]]))
    return out


def _both_ways(records: list[dict], requests: list[dict], deletes: int = 0) -> None:
    rented, indexed = JobTaskStore(records), JobTaskStore(records)
    for store in (rented, indexed):
        for rec in records[:deletes]:
            store.delete(rec["job_task_id"], rec["domain_id"])
    with renting():
        by_pass = _answers(rented, requests)
        assert not rented._table.built_sorted_indexes()
    assert by_pass == _answers(indexed, requests)


DATES = [None, "2024-03-01T00:00:00Z", "2024-03-01T00:00:01Z", "2024-05-01T00:00:00Z"]


@st.composite
def tied_records(draw) -> list[dict]:
    """Many rows over few values: ties everywhere, null and not stored datetimes among them."""
    n = draw(st.integers(0, 150))
    out = []
    for i in range(n):
        rec = {"job_task_id": f"t-{i:04d}", "domain_id": draw(st.sampled_from(["d1", "d1", "d2"])),
               "status": draw(st.sampled_from(["SUCCESS", "FAILURE"])),
               "updated_count": draw(st.integers(0, 3)), "created_at": draw(st.sampled_from(DATES))}
        for key in ("started_at", "finished_at"):
            mode = draw(st.integers(0, 2))  # not stored, null, a value
            if mode:
                rec[key] = None if mode == 1 else draw(st.sampled_from(DATES[1:]))
        out.append(rec)
    return out


SORT_FIELDS = ["created_at", "started_at", "finished_at", "updated_count"]


@st.composite
def ranged_requests(draw) -> dict:
    query: dict = {}
    conds = []
    for _ in range(draw(st.integers(0, 2))):
        field = draw(st.sampled_from(SORT_FIELDS))
        if field == "updated_count":
            conds.append({"k": field, "v": draw(st.integers(-1, 4)), "o": draw(st.sampled_from(["gt", "gte", "lt", "lte"]))})
        else:
            conds.append({"k": field, "v": draw(st.sampled_from(DATES[1:])),
                          "o": draw(st.sampled_from(["datetime_gt", "datetime_gte", "datetime_lt", "datetime_lte"]))})
    if conds:
        query["filter"] = conds
    if draw(st.booleans()):
        query["sort"] = [{"key": draw(st.sampled_from(SORT_FIELDS)), "desc": draw(st.booleans())}]
    query["page"] = {"start": draw(st.integers(1, 30)), "limit": draw(st.integers(1, 12))}
    params = {"domain_id": "d1", "query": query}
    if draw(st.booleans()):
        params["status"] = "SUCCESS"
    return params


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tied_records(), st.lists(ranged_requests(), min_size=1, max_size=6), st.integers(0, 10))
def test_passes_and_indexes_give_the_same_pages(records, requests, deletes):
    _both_ways(records, requests, deletes)


def _outcomes(store: JobTaskStore, requests: list[dict]) -> list:
    out = []
    for params in requests:
        try:
            out.append(store.list(params))
        except EngineError as exc:  # refused alike either way
            out.append(exc.code)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.data())
def test_generated_requests_answer_alike_either_way(data):
    records = data.draw(record_lists(max_size=40))
    requests = [data.draw(list_requests(records=records)) for _ in range(4)]
    rented = JobTaskStore(records)
    with renting():
        by_pass = _outcomes(rented, requests)
        assert not rented._table.built_sorted_indexes()
    assert by_pass == _outcomes(JobTaskStore(records), requests)


# -- the view's top-k ----------------------------------------------------------------------

KEYS = st.one_of(st.integers(0, 5), st.integers(-(2**63), 2**63 - 1), st.just(NEG_INF))


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, max_size=3000), st.integers(1, 400), st.booleans(), st.randoms(use_true_random=False))
def test_view_top_k_is_the_stable_sorts_prefix(view, need, desc, rnd):
    rows = sorted(rnd.sample(range(len(view)), rnd.randrange(len(view) + 1))) if view else []
    expected = sorted(rows, key=view.__getitem__, reverse=desc)[:need]
    assert view_top_k(view, rows, need, desc) == expected


def test_view_top_k_over_skewed_keys_falls_back_to_the_sort():
    # exactly the sampled rows hold the high key: the cut keeps too few rows, the sort answers
    n = 200_000
    step = n // 1024
    view = [10 if i % step == 0 else 0 for i in range(n)]
    rows = list(range(n))
    got = view_top_k(view, rows, 2000, True)
    assert got == sorted(rows, key=view.__getitem__, reverse=True)[:2000]


def test_the_ledger_sums_passes_per_table_and_field_and_goes_with_its_table():
    import gc
    import weakref

    first, second = JobTaskStore()._table, JobTaskStore()._table
    build_ledger.charge(first, "created_at", 5.0)
    build_ledger.charge(first, "created_at", 2.5)
    build_ledger.charge(first, "updated_count", 0.0)  # nothing spared: nothing recorded
    assert build_ledger.spent(first, "created_at") == 7.5
    assert build_ledger.spent(first, "updated_count") == 0.0
    assert build_ledger.spent(second, "created_at") == 0.0
    assert build_ledger._SPENT[first] == {"created_at": 7.5}
    assert build_ledger._SPENT[second] == {}
    gone = weakref.ref(first)
    del first
    gc.collect()
    assert gone() is None  # the ledger is held by the table alone


def test_view_top_k_takes_every_row_as_a_range():
    view = [i % 97 for i in range(5000)]
    for desc in (True, False):
        expected = sorted(range(5000), key=view.__getitem__, reverse=desc)[:30]
        assert view_top_k(view, range(5000), 30, desc) == expected
