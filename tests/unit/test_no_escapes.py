"""No input makes anything but an EngineError escape, and a refused call changes nothing.

Requests are generated from the real shapes with arbitrary JSON values
spliced in anywhere, so they get past the first checks and reach the deeper
ones (condition values, sort items, pipeline stages).
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)

KEYS = ["status", "job_id", "created_count", "created_at", "errors", "errors.error_code", "errors.additional.x", "nosuch", "", None]
OPERATORS = [
    "eq", "not", "lt", "lte", "gt", "gte", "exists", "contain", "not_contain", "in", "not_in", "contain_in",
    "not_contain_in", "match", "regex", "regex_in", "datetime_lt", "datetime_gte", "timediff_gt", "EQ", None,
]

conditions = st.one_of(
    st.fixed_dictionaries({"k": st.sampled_from(KEYS), "v": json_values, "o": st.sampled_from(OPERATORS)}),
    json_values,
)
queries = st.fixed_dictionaries(
    {},
    optional={
        "filter": st.lists(conditions, max_size=3) | json_values,
        "filter_or": st.lists(conditions, max_size=2) | json_values,
        "sort": json_values | st.lists(st.fixed_dictionaries({"key": st.sampled_from(KEYS), "desc": json_values})),
        "page": json_values | st.fixed_dictionaries({}, optional={"start": json_values, "limit": json_values}),
        "only": json_values | st.lists(st.sampled_from(KEYS)),
        "minimal": json_values,
        "count_only": json_values,
        "keyword": json_values,
    },
)
stages = st.dictionaries(
    st.sampled_from(["group", "unwind", "count", "sort", "project", "limit", "skip", "match", "bogus"]),
    json_values,
    min_size=1,
    max_size=1,
)
stat_queries = st.fixed_dictionaries(
    {},
    optional={
        "aggregate": st.lists(stages, max_size=3) | json_values,
        "distinct": st.sampled_from(KEYS) | json_values,
        "filter": st.lists(conditions, max_size=2),
        "page": json_values,
    },
)
params = st.fixed_dictionaries(
    {"domain_id": st.sampled_from(["d1", None]) | json_values},
    optional={"query": queries | json_values, "status": json_values, "job_id": json_values},
)

RECORDS = [
    {"job_task_id": f"job-task-{i:012x}", "domain_id": "d1", "status": "FAILURE" if i % 3 else "SUCCESS",
     "job_id": f"job-{i % 2}", "updated_count": i, "created_at": f"2022-01-0{1 + i % 9}T00:00:00Z",
     "errors": [{"error_code": "E1", "additional": {"x": i}}] if i % 3 else []}
    for i in range(12)
]


def _snapshot(store: JobTaskStore) -> list[dict]:
    return list(store)


def _only_engine_errors(call) -> None:
    try:
        call()
    except EngineError as exc:
        assert exc.code.startswith("ERROR_") and exc.message


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(params)
def test_list_raises_only_engine_errors(p):
    store = JobTaskStore(RECORDS)
    before = _snapshot(store)
    _only_engine_errors(lambda: store.list(p))
    assert _snapshot(store) == before


@SETTINGS
@given(st.fixed_dictionaries({"domain_id": st.just("d1")}, optional={"query": stat_queries | json_values}))
def test_stat_raises_only_engine_errors(p):
    store = JobTaskStore(RECORDS)
    before = _snapshot(store)
    _only_engine_errors(lambda: store.stat(p))
    assert _snapshot(store) == before


@SETTINGS
@given(st.lists(st.dictionaries(st.sampled_from(["job_task_id", "status", "created_count", "errors", "created_at", "provider", "x"]), json_values), max_size=3) | json_values)
def test_writes_raise_only_engine_errors_and_are_all_or_nothing(records):
    store = JobTaskStore(RECORDS)
    before = _snapshot(store)
    try:
        store.insert_many(records)
    except EngineError:
        assert _snapshot(store) == before
    _only_engine_errors(lambda: store.create(records))
    _only_engine_errors(lambda: store.update("job-task-000000000001", "d1", records))
    _only_engine_errors(lambda: store.get(records, "d1"))
