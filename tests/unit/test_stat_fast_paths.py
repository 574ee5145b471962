"""The columnar fast paths give the same answers as the general ones.

When the request matches every live row (one domain), the group-by on an indexed field reads the
table's postings, distinct reads the index, match tests whole columns against the filter's 0/1
selection, and sort orders raw column values.  Each answer here is also computed through the
general path (by first putting the rows in another order or behind a stage that materialises them)
and with explicit expected values.
"""

from __future__ import annotations

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many([r for r in sample_records() if r["domain_id"] == "d1"])
    return s


def stat(store: JobTaskStore, query: dict) -> list:
    return store.stat({"domain_id": "d1", "query": query})["results"]


GROUP = {"group": {"keys": [{"key": "provider", "name": "p"}], "fields": [
    {"name": "n", "operator": "count"},
    {"key": "updated_count", "name": "u", "operator": "sum"},
    {"key": "updated_count", "name": "a", "operator": "average"},
    {"key": "job_task_id", "name": "ids", "operator": "push"},
    {"key": "created_at", "name": "last", "operator": "max"},
]}}
#: A stage that keeps every row but hands the group a materialised, re-read frame.
DETOUR = {"match": {"filter": [{"k": "job_task_id", "v": "jt", "o": "contain"}]}}


def test_group_on_postings(store):
    expected = [
        {"p": None, "n": 1, "u": 3, "a": 3.0, "ids": ["jt-2"], "last": "2022-03-05T01:00:00.000Z"},
        {"p": "aws", "n": 2, "u": 6, "a": 3.0, "ids": ["jt-1", "jt-4"], "last": "2022-01-01T11:00:02.588Z"},
        {"p": "google", "n": 1, "u": 0, "a": 0.0, "ids": ["jt-3"], "last": "2023-06-01T23:59:59.999Z"},
    ]
    assert stat(store, {"aggregate": [GROUP]}) == expected
    assert stat(store, {"aggregate": [DETOUR, GROUP]}) == expected


def test_group_on_postings_cut_to_a_filter(store):
    query = {"aggregate": [GROUP], "filter": [{"k": "status", "v": "SUCCESS", "o": "eq"}]}
    assert [(r["p"], r["ids"]) for r in stat(store, query)] == [("aws", ["jt-1"]), ("google", ["jt-3"])]


def test_distinct_from_the_index(store):
    assert stat(store, {"distinct": "provider"}) == [None, "aws", "google"]
    assert stat(store, {"distinct": "job_id"}) == ["job-a", "job-b"]
    assert stat(store, {"distinct": "status", "filter": [{"k": "provider", "v": "aws", "o": "eq"}]}) == [
        "PENDING", "SUCCESS"]


@pytest.mark.parametrize(
    "cond, expected",
    [
        ({"k": "status", "v": "SUCCESS", "o": "eq"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "SUCCESS", "o": "not"}, ["jt-2", "jt-4"]),
        ({"k": "updated_count", "v": 5.0, "o": "eq"}, ["jt-1"]),
        ({"k": "updated_count", "v": "5", "o": "eq"}, []),
        ({"k": "job_id", "v": [None, "job-b"], "o": "in"}, ["jt-2", "jt-3"]),
        ({"k": "provider", "v": [None], "o": "not_in"}, ["jt-1", "jt-3", "jt-4"]),
        ({"k": "workspace_id", "v": "w1", "o": "not"}, ["jt-2", "jt-3"]),
    ],
)
def test_match_on_the_selection(store, cond, expected):
    ids = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}
    assert [r["id"] for r in stat(store, {"aggregate": [{"match": {"filter": [cond]}}, ids]})] == expected
    detoured = stat(store, {"aggregate": [DETOUR, {"match": {"filter": [cond]}}, ids]})
    assert [r["id"] for r in detoured] == expected


def test_sort_on_raw_values_and_a_later_limit(store):
    ids = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}
    assert [r["id"] for r in stat(store, {"aggregate": [{"sort": [{"key": "updated_count", "desc": True}]}, {"limit": 2}, ids]})] == [
        "jt-1", "jt-2"]
    assert [r["id"] for r in stat(store, {"aggregate": [{"sort": [{"key": "created_at"}]}, {"skip": 1}, {"limit": 2}, ids]})] == [
        "jt-4", "jt-2"]
    paged = store.stat({"domain_id": "d1", "query": {"aggregate": [{"sort": [{"key": "job_task_id", "desc": True}]}],
                                                   "page": {"start": 2, "limit": 2}}})
    assert [r["job_task_id"] for r in paged["results"]] == ["jt-3", "jt-2"] and paged["total_count"] == 4
