"""``distinct``: values of a field path over the matching rows, sorted when sortable, with paging."""

from __future__ import annotations

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many(sample_records())
    return s


def distinct(store: JobTaskStore, path: str, **query) -> dict:
    return store.stat({"domain_id": "d1", "query": {"distinct": path, **query}})


@pytest.mark.parametrize(
    "path, expected",
    [
        ("status", ["FAILURE", "PENDING", "SUCCESS"]),
        ("job_id", ["job-a", "job-b"]),
        ("updated_count", [0, 1, 3, 5]),
        ("created_at", ["2022-01-01T11:00:02.588Z", "2022-03-05T01:00:00.000Z", "2023-06-01T23:59:59.999Z"]),
        ("errors.error_code", ["E1", "E2"]),
        ("errors.message", ["m1", "m2", "m3", "only msg"]),
        ("errors.additional.a", [1, 2]),
        ("errors.additional.c", [1, 2]),
        ("errors.0.error_code", ["E1"]),
        ("nosuch", []),
        ("errors.nosuch", []),
        ("status.x", []),
    ],
)
def test_sorted_distinct_values(store, path, expected):
    assert distinct(store, path) == {"results": expected}


def test_null_is_a_value_and_unsortable_values_come_in_bson_order(store):
    assert distinct(store, "provider") == {"results": [None, "aws", "google"]}
    assert distinct(store, "started_at") == {"results": [None, "2022-01-02T00:00:00.000Z"]}


def test_documents(store):
    assert distinct(store, "errors.additional") == {"results": [{}, {"a": 1}, {"a": 2, "c": [1, 2]}, {"b": 2}]}
    assert distinct(store, "errors") == {"results": [
        {"error_code": "E1", "message": "m1", "additional": {"a": 1}},
        {"error_code": "E1", "message": "m3", "additional": {"a": 2, "c": [1, 2]}},
        {"error_code": "E2", "message": "m2", "additional": {}},
        {"message": "only msg", "additional": {"b": 2}},
    ]}


def test_filter_restricts_the_rows(store):
    params = {"domain_id": "d1", "query": {"distinct": "job_id", "filter": [{"k": "status", "v": "PENDING", "o": "eq"}]}}
    assert store.stat(params) == {"results": ["job-a"]}


@pytest.mark.parametrize(
    "page, expected",
    [
        ({"limit": 2}, {"results": [0, 1], "total_count": 4}),
        ({"start": 2, "limit": 2}, {"results": [1, 3], "total_count": 4}),
        ({"start": 0, "limit": 1}, {"results": [0], "total_count": 4}),
        ({"start": 4, "limit": 3}, {"results": [5], "total_count": 4}),
        ({"start": 9, "limit": 3}, {"results": [], "total_count": 4}),
        ({"limit": 0}, {"results": [0, 1, 3, 5]}),
        ({"start": 3}, {"results": [0, 1, 3, 5]}),
    ],
)
def test_paging(store, page, expected):
    assert distinct(store, "updated_count", page=page) == expected


def test_documents_differing_in_field_order_are_distinct_values():
    store = JobTaskStore()
    store.insert_many([
        {"job_task_id": "a", "domain_id": "d", "errors": [{"additional": {"x": 1, "s": "a"}}]},
        {"job_task_id": "b", "domain_id": "d", "errors": [{"additional": {"s": "a", "x": 1}}, {"additional": {"x": 1, "s": "a"}}]},
    ])
    values = store.stat({"domain_id": "d", "query": {"distinct": "errors.additional"}})["results"]
    # Two values; BSON order compares the first fields by type first: a number before a string.
    assert [list(v) for v in values] == [["x", "s"], ["s", "x"]]
