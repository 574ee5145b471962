"""``store.explain``: the access path, order and group strategy chosen for representative requests."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_no_escapes import RECORDS as FUZZ_RECORDS  # the fuzz requests of the other doors
from test_no_escapes import params as fuzzed_params
from test_no_escapes import stat_queries

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.query.planner import plan_filter
from jobtask_engine.request import parse_list_request
from jobtask_engine.stat import fast, group
from jobtask_engine.stat.accumulators import REDUCERS
from jobtask_engine.stat.parse import GROUP_OPERATORS
from jobtask_engine.testing.factories import DOMAIN_IDS, make_job_tasks
from jobtask_engine.testing.strategies import list_requests, record_lists

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
        ([_group([{"key": "status", "name": "s"}], [COUNT, {"operator": "max", "key": "updated_count", "name": "m"}])],
         "group", group.BIT_SLICES),
        # ``first`` is not among the bit slices' operators: the postings answer.
        ([_group([{"key": "status", "name": "s"}], [{"operator": "first", "key": "job_id", "name": "j"}])],
         "group", group.POSTINGS),
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
    for _ in range(10):
        store.stat(params)  # bit planes are built once postings answers paid for them (rent or build)
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


# -- explain is a door too: nothing but EngineError, nothing changed, and it agrees with the API

_SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same_outcome(call_api, call_explain) -> None:
    """Either both refuse with the same code, or explain's row counts are the API's."""
    try:
        answer = call_api()
    except EngineError as refused:
        with pytest.raises(EngineError) as explained:
            call_explain()
        assert explained.value.code == refused.code
        return
    plan = call_explain()
    assert plan["rows"]["returned"] == len(answer["results"])
    if "total_count" in answer and plan["request"]["kind"] == "list":
        assert plan["rows"]["matched"] == answer["total_count"]


@_SETTINGS
@given(fuzzed_params)
def test_explain_list_refuses_as_list_does(p):
    store = JobTaskStore(FUZZ_RECORDS)
    before = list(store)
    _same_outcome(lambda: store.list(p), lambda: store.explain(p, api="list"))
    assert list(store) == before


@_SETTINGS
@given(st.fixed_dictionaries({"domain_id": st.just("d1")}, optional={"query": stat_queries}))
def test_explain_stat_refuses_as_stat_does(p):
    store = JobTaskStore(FUZZ_RECORDS)
    before = list(store)
    _same_outcome(lambda: store.stat(p), lambda: store.explain(p, api="stat"))
    assert list(store) == before


DOMAINS = ("domain-a", "domain-b")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_explain_counts_what_list_answers(data):
    records = data.draw(record_lists(DOMAINS, max_size=10))
    store = JobTaskStore(records)
    p = data.draw(list_requests(DOMAINS, records))
    _same_outcome(lambda: store.list(p), lambda: store.explain(p, api="list"))


def test_the_parsed_request_names_each_conditions_test_and_index(store):
    got = store.explain(_list({"filter": [
        {"k": "status", "v": ["FAILURE", "CANCELED"], "o": "in"},
        {"k": "updated_count", "v": 3, "o": "gte"},
        {"k": "errors.message", "v": "x", "o": "not_contain"},
    ], "filter_or": [{"k": "job_id", "v": ["a", "b"], "o": "contain_in"}]}))
    parsed = {c["field"]: c for c in got["request"]["filter"]["all_of"]}
    assert parsed["status"]["test"] == "value" and parsed["status"]["index"] == "postings"
    assert parsed["updated_count"]["test"] == "integer comparison" and parsed["updated_count"]["index"] == "sorted_range"
    assert parsed["errors.message"]["negate"] and parsed["errors.message"]["index"] is None
    (either,) = got["request"]["filter"]["any_of"]
    assert either["test"] == "any of" and [p["index"] for p in either["parts"]] == ["text", "text"]


def test_a_range_method_is_the_planners_from_statistics(store):
    """The planner picks a range's method before anything is read, from the lookups' sizes."""
    table = store._table
    parsed = parse_list_request(_list({"filter": [{"k": "updated_count", "v": 0, "o": "gte"}]}, status="CANCELED"))
    plan = plan_filter(parsed.filter, table)
    assert [s.method for s in plan.ranges] == [] and plan.tests[-1].method == "candidate test"
    parsed = parse_list_request(_list({"filter": [{"k": "updated_count", "v": 0, "o": "gte"}], "count_only": True}))
    plan = plan_filter(parsed.filter, table)
    assert [s.method for s in plan.ranges] == ["range codes"]
