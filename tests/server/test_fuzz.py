"""Arbitrary bodies never get a 500, and a rejected request changes nothing."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import API, snapshot

json_scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=12)
json_values = st.recursive(json_scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)

KEYS = st.sampled_from(["domain_id", "query", "status", "job_id", "job_task_id", "workspace_id", "filter", "aggregate", "distinct", "page", "sort", "only", "keyword"])
OPERATORS = st.sampled_from(["eq", "not", "in", "not_in", "lt", "gte", "contain", "exists", "regex", "datetime_gt", "timediff_lt", "match", "bogus"])
FIELDS = st.sampled_from(["status", "job_id", "failure_count", "created_at", "errors", "errors.error_code", "provider", "nope"])
conditions = st.fixed_dictionaries({"k": FIELDS, "v": json_values, "o": OPERATORS})
queries = st.fixed_dictionaries(
    {},
    optional={
        "filter": st.lists(conditions, max_size=3) | json_values,
        "filter_or": st.lists(conditions, max_size=2),
        "sort": json_values,
        "page": st.fixed_dictionaries({}, optional={"start": json_values, "limit": json_values}) | json_values,
        "only": st.lists(FIELDS, max_size=3) | json_values,
        "keyword": json_values,
        "count_only": json_values,
        "distinct": FIELDS | json_values,
        "aggregate": json_values,
    },
)
bodies = st.fixed_dictionaries({}, optional={"domain_id": st.sampled_from(["d", "domain-x"]) | json_values, "query": queries | json_values}) | st.dictionaries(KEYS, json_values, max_size=4) | json_values

# job-task/list and job-task/stat run the same operations as these two
READ_ROUTES = [f"{API}/job-tasks/search", f"{API}/job-tasks/stat", f"{API}/job-task/get"]
WRITE_ROUTES = [f"{API}/job-task/delete", "/_engine/job-tasks", "/_engine/job-tasks/update"]

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _check(response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["code"].startswith("ERROR_")


@pytest.mark.parametrize("route", READ_ROUTES)
@FUZZ
@given(body=bodies)
def test_read_routes_never_fail_with_500(client, seeded, route, body):
    before = len(seeded.store)
    _check(client.post(route, content=json.dumps(body)))
    assert len(seeded.store) == before


@pytest.mark.parametrize("route", WRITE_ROUTES)
@FUZZ
@given(body=bodies)
def test_rejected_writes_change_nothing(client, seeded, route, body):
    before = snapshot(seeded)
    response = client.post(route, content=json.dumps(body))
    _check(response)
    if response.status_code >= 400:
        assert snapshot(seeded) == before


@FUZZ
@given(params=st.lists(st.tuples(st.sampled_from(["domain_id", "status", "query", "job_id"]), st.text(max_size=20) | json_values.map(json.dumps)), max_size=4))
def test_query_string_never_fails_with_500(client, seeded, params):
    _check(client.get(f"{API}/job-tasks", params=params))
