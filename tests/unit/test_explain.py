"""``store.explain``: the access path, order and group strategy chosen for representative requests."""

from __future__ import annotations

import copy

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.stat import fast, group
from jobtask_engine.stat.accumulators import REDUCERS
from jobtask_engine.stat.parse import GROUP_OPERATORS
from jobtask_engine.testing.factories import DOMAIN_IDS, make_job_tasks

BIG = DOMAIN_IDS[0]  # the largest domain of the factory's mix


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore(make_job_tasks(5000, seed=3))


def _access(explained: dict, key: str) -> dict:
    steps = [c for c in explained["conditions"] if c["condition"].startswith(key + " ")]
    assert len(steps) == 1, explained["conditions"]
    return steps[0]


def _list(query: dict, **params) -> dict:
    return {"domain_id": BIG, "query": query, **params}


def test_equality_on_an_indexed_field_is_an_index_lookup_with_an_exact_estimate(store):
    got = store.explain(_list({}, status="FAILURE"))
    step = _access(got, "status")
    assert step["access"] == "index lookup"
    assert step["estimated_rows"] == step["rows"] > 0
    assert got["rows"]["matched"] == store.list(_list({}, status="FAILURE"))["total_count"]


def test_ranges_by_width_and_candidates(store):
    wide = store.explain(_list({"filter": [{"k": "updated_count", "v": 0, "o": "gte"}], "count_only": True}))
    assert _access(wide, "updated_count")["access"] == "range codes"
    narrow = store.explain(_list({"filter": [{"k": "updated_count", "v": 10**6, "o": "gte"}]}))
    assert _access(narrow, "updated_count")["access"] == "range index"
    # After a selective lookup, testing the few candidates beats any index read.
    few = store.explain(_list({"filter": [{"k": "updated_count", "v": 0, "o": "gte"}]}, status="CANCELED"))
    assert _access(few, "updated_count")["access"] == "candidate test"
    for explained in (wide, narrow, few):
        step = _access(explained, "updated_count")
        assert isinstance(step["estimated_rows"], int)


def test_text_negations_arrays_and_or_conditions(store):
    got = store.explain(_list({"filter": [
        {"k": "job_id", "v": "JOB-", "o": "contain"},
        {"k": "provider", "v": "aws", "o": "not"},
        {"k": "errors.error_code", "v": "ERROR", "o": "contain"},
    ], "filter_or": [{"k": "status", "v": "SUCCESS", "o": "eq"}, {"k": "status", "v": "FAILURE", "o": "eq"}]}))
    text = _access(got, "job_id")
    assert text["access"] == "index lookup" and text["estimated_rows"] is None
    assert _access(got, "provider")["access"] == "candidate test"
    assert _access(got, "errors.error_code")["access"] == "candidate test"
    assert got["conditions"][-1]["access"] == "candidate test (any of)"
    assert got["conditions"][-1]["rows"] == got["rows"]["matched"]


def test_an_empty_lookup_ends_the_filter(store):
    got = store.explain(_list({"filter": [{"k": "updated_count", "v": 1, "o": "gt"}]}, status="NO-SUCH"))
    assert _access(got, "status")["rows"] == 0
    assert _access(got, "updated_count")["access"].startswith("not needed")
    assert got["order"]["strategy"] == "nothing to order"


@pytest.mark.parametrize(
    ("query", "strategy"),
    [
        ({"page": {"limit": 10}}, "sorted index walk"),
        ({"sort": [{"key": "updated_count"}], "filter": [{"k": "status", "v": "FAILURE", "o": "eq"}]},
         "order view sort"),
        ({"sort": [{"key": "job_id"}], "page": {"limit": 5}}, "top-k"),
        ({"sort": [{"key": "job_id"}]}, "key sort"),
        ({"sort": [{"key": "job_id"}, {"key": "provider", "desc": True}]}, "stable sort per key"),
    ],
)
def test_order_strategies(store, query, strategy):
    got = store.explain(_list(query))
    assert got["order"]["strategy"] == strategy
    expected = store.list(_list(query))
    assert got["rows"] == {"matched": expected["total_count"], "returned": len(expected["results"])}


def test_count_only_orders_nothing(store):
    assert store.explain(_list({"count_only": True}))["order"] is None


def _stat(aggregate: list, **query) -> dict:
    return {"domain_id": BIG, "query": {"aggregate": aggregate, **query}}


def _group(keys: list, fields: list) -> dict:
    return {"group": {"keys": keys, "fields": fields}}


COUNT = {"operator": "count", "name": "n"}


@pytest.mark.parametrize(
    ("aggregate", "stage", "strategy"),
    [
        ([_group([{"key": "status", "name": "s"}], [COUNT])], "group", group.POSTINGS),
        ([_group([{"key": "created_at", "name": "d", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "p"}],
                 [COUNT, {"operator": "sum", "key": "updated_count", "name": "u"}])], "group", group.KEY_CODES),
        # ``first`` is not among the key codes' operators: the explicit fallback.
        ([_group([{"key": "created_at", "name": "d", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "p"}],
                 [{"operator": "first", "key": "job_id", "name": "j"}])], "group", group.COMPUTED_KEYS),
        ([_group([{"key": "job_id", "name": "j"}], [COUNT])], "group", group.COMPUTED_KEYS),
        ([{"unwind": {"path": "errors"}}, _group([{"key": "errors.error_code", "name": "c"}], [COUNT])],
         "unwind + group", group.UNWOUND_COUNTS),
    ],
)
def test_group_strategies(store, aggregate, stage, strategy):
    params = _stat(aggregate)
    got = store.explain(params)
    entry = next(s for s in got["stages"] if s["stage"] == stage)
    assert entry["strategy"] == strategy
    assert got["rows"]["returned"] == len(store.stat(params)["results"])


def test_a_group_without_input_and_a_sort_that_keeps_a_page(store):
    empty = store.explain({"domain_id": "nobody", "query": {"aggregate": [_group([{"key": "status", "name": "s"}], [COUNT])]}})
    assert empty["stages"][0]["strategy"] == group.NO_INPUT
    paged = store.explain(_stat([_group([{"key": "job_id", "name": "j"}], [COUNT]), {"sort": [{"key": "n", "desc": True}]}],
                                page={"start": 1, "limit": 3}))
    assert paged["stages"][-1]["strategy"] == "sort, first 3 kept"
    assert paged["rows"]["returned"] == 3


def test_distinct_and_the_phases(store):
    got = store.explain({"domain_id": BIG, "query": {"distinct": "provider"}})
    assert got["request"]["distinct"] == "provider" and got["stages"][0]["stage"] == "distinct"
    assert set(got["times_ms"]) == {"parse", "plan", "execute", "shape"}
    assert all(t >= 0 for t in got["times_ms"].values())


def test_explain_refuses_what_the_api_refuses_and_changes_nothing(store):
    bad = _list({"filter": [{"k": "status", "v": "x", "o": "in"}]})
    with pytest.raises(EngineError) as listed:
        store.list(bad)
    with pytest.raises(EngineError) as explained:
        store.explain(bad)
    assert explained.value.code == listed.value.code == "ERROR_OPERATOR_LIST_VALUE_TYPE"
    with pytest.raises(EngineError) as wrong:
        store.explain(_list({}), api="delete")
    assert wrong.value.code == "ERROR_INVALID_PARAMETER"
    params = _list({"sort": [{"key": "job_id"}]}, status="FAILURE")
    kept = copy.deepcopy(params)
    before = store.list(params)
    store.explain(params)
    assert params == kept and store.list(params) == before


def test_every_group_operator_is_served_by_the_general_strategy_and_the_rest_name_theirs():
    assert set(GROUP_OPERATORS) == set(REDUCERS)
    assert fast.CODES_SERVE <= set(REDUCERS) and fast.UNWIND_COUNTS_SERVE <= set(REDUCERS)
