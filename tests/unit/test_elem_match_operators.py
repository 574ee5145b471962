"""``match`` on ``errors`` with MongoDB operator documents: each operator, and what is refused."""

from __future__ import annotations

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.query.elem_match import compile_elem_match, is_operator_document

RECORDS = [
    {"job_task_id": "a", "domain_id": "d", "created_at": "2022-01-01T00:00:00Z",
     "errors": [{"error_code": "E1", "message": "Access denied", "additional": {"x": 1}},
                {"error_code": "E2", "message": "timeout"}]},
    {"job_task_id": "b", "domain_id": "d", "created_at": "2022-01-02T00:00:00Z",
     "errors": [{"error_code": "E3", "message": "no access", "additional": {"x": 5}}]},
    {"job_task_id": "c", "domain_id": "d", "created_at": "2022-01-03T00:00:00Z", "errors": [{"message": "m"}]},
    {"job_task_id": "e", "domain_id": "d", "created_at": "2022-01-04T00:00:00Z", "errors": []},
]


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore(RECORDS)


def _ids(store: JobTaskStore, value: dict) -> list[str]:
    params = {"domain_id": "d", "query": {"filter": [{"k": "errors", "v": value, "o": "match"}], "sort": [{"key": "job_task_id"}]}}
    return [r["job_task_id"] for r in store.list(params)["results"]]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"message": {"$regex": "^Access"}}, ["a"]),
        ({"message": {"$regex": "access", "$options": "i"}}, ["a", "b"]),
        ({"message": {"$regex": "ACCESS$", "$options": "im"}}, ["b"]),
        ({"error_code": {"$in": ["E1", "E3"]}}, ["a", "b"]),
        ({"error_code": {"$in": [None]}}, ["c"]),  # null also matches a missing field
        ({"error_code": {"$nin": ["E1", "E2"]}}, ["b", "c"]),
        ({"error_code": {"$ne": "E1"}}, ["a", "b", "c"]),  # some element of a differs
        ({"error_code": {"$eq": "E2"}, "message": {"$regex": "time"}}, ["a"]),  # the same element
        ({"error_code": {"$eq": "E2"}, "message": {"$regex": "Access"}}, []),  # not the same element
        ({"error_code": {"$gt": "E1", "$lt": "E3"}}, ["a"]),
        ({"error_code": {"$gte": 1}}, []),  # type bracketing: strings never compare with numbers
        ({"error_code": {"$exists": False}}, ["c"]),
        ({"additional": {"$exists": True}}, ["a", "b", "c"]),  # stored errors always have additional
        ({"additional__x": {"$gte": 2}}, ["b"]),
        ({"additional": {"$eq": {"x": 1}}}, ["a"]),
        ({"message": {"$not": {"$regex": "^Access"}}}, ["a", "b", "c"]),
        ({"error_code": {"$all": ["E1"]}}, ["a"]),
        ({"error_code": {"$all": []}}, []),  # KD20: mongomock matches every element
        ({"error_code": {"$type": "string"}}, ["a", "b"]),
        ({"error_code": {"$type": ["null", 2]}}, ["a", "b"]),  # KD20: mongomock fails on both
        ({"additional__x": {"$type": "int"}}, ["a", "b"]),
        ({"additional__x": {"$mod": [2, 1]}}, ["a", "b"]),
        ({"additional__x": {"$size": 1}}, []),
        ({"error_code": "E1", "message": {"$regex": "denied"}}, ["a"]),  # plain and operator keys together
    ],
)
def test_operator_documents(store, value, expected):
    assert _ids(store, value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"error_code": {"$foo": 1}},  # KD20: unknown operator
        {"error_code": {"$in": "E1"}},  # KD20: $in needs an array
        {"message": {"$options": "i"}},  # KD20: $options needs a $regex
        {"message": {"$regex": "("}},
        {"message": {"$regex": 5}},
        {"message": {"$regex": "a", "$options": "q"}},
        {"error_code": {"$gt": 1, "plain": 2}},  # an operator document holds operators only
        {"error_code": {"$not": "E1"}},
        {"error_code": {"$type": "nosuch"}},
        {"additional__x": {"$mod": [0, 1]}},
        {"additional__x": {"$size": -1}},
        {"additional.x": {"$gt": 1}},  # mongoengine cannot resolve a dotted key
        {"$or": [{"error_code": "E1"}]},
    ],
)
def test_what_mongodb_refuses_is_refused_before_any_row_is_read(store, value):
    with pytest.raises(EngineError) as refused:
        _ids(store, value)
    assert refused.value.code == "ERROR_DB_QUERY"
    with pytest.raises(EngineError):
        compile_elem_match(value)


def test_what_counts_as_an_operator_document():
    assert is_operator_document({"$in": [1]}) and is_operator_document({"$gt": 1, "$lt": 3})
    assert not is_operator_document({}) and not is_operator_document({"x": {"$gt": 1}})
    assert not is_operator_document("$in")
