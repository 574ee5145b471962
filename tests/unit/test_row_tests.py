"""The executor's row tests: one per test kind a parsed condition can name."""

from __future__ import annotations

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.query import predicates
from jobtask_engine.query.conditions import parse_condition
from jobtask_engine.query.predicates import compile_condition
from jobtask_engine.query.row_tests import ROW_TESTS, filter_rows

RECORDS = [
    {"job_task_id": "t0", "domain_id": "d", "status": "FAILURE", "created_count": 3,
     "created_at": "2024-01-01T00:00:00Z", "errors": [{"error_code": "E1", "message": "Access denied", "additional": {"n": [1, 2]}}]},
    {"job_task_id": "t1", "domain_id": "d", "status": "SUCCESS", "created_count": 0,
     "created_at": "2024-02-01T00:00:00Z", "started_at": "2024-02-01T00:00:01Z"},
    {"job_task_id": "t2", "domain_id": "d", "status": "CANCELED", "created_count": 7,
     "created_at": "2024-03-01T00:00:00Z", "errors": [{"error_code": "E2", "message": "timeout"}]},
]


def _kinds() -> set[str]:
    return {getattr(predicates, name) for name in predicates.__all__ if name.isupper() and name != "FALSE"}


def test_every_test_kind_has_a_row_test():
    assert _kinds() == set(ROW_TESTS)


@pytest.fixture(scope="module")
def table():
    return JobTaskStore(RECORDS)._table


CASES = [
    ({"k": "status", "v": "FAILURE", "o": "eq"}, predicates.STR_EQ, [0]),
    ({"k": "status", "v": "FAILURE", "o": "not"}, predicates.STR_EQ, [1, 2]),
    ({"k": "created_count", "v": 3, "o": "gte"}, predicates.INT_COMPARE, [0, 2]),
    ({"k": "created_count", "v": 3, "o": "not"}, predicates.VALUE, [1, 2]),
    ({"k": "created_at", "v": "2024-02-01", "o": "datetime_lt"}, predicates.DATE_RANGE, [0]),
    ({"k": "started_at", "v": None, "o": "eq"}, predicates.DATE_VALUE, [0, 2]),
    ({"k": "started_at", "v": "2024-02-01T00:00:01Z", "o": "not"}, predicates.DATE_VALUE, [0, 2]),
    ({"k": "status", "v": ["FAILURE", "SUCCESS"], "o": "in"}, predicates.VALUE, [0, 1]),
    ({"k": "errors.error_code", "v": ["E2"], "o": "in"}, predicates.VALUE, [2]),
    ({"k": "errors.additional.n", "v": 2, "o": "eq"}, predicates.VALUE, [0]),
    ({"k": "errors.message", "v": "access", "o": "contain"}, predicates.SEARCH, [0]),
    ({"k": "errors.message", "v": "access", "o": "not_contain"}, predicates.SEARCH, [1, 2]),
    ({"k": "job_task_id", "v": "^T[12]$", "o": "regex"}, predicates.SEARCH, [1, 2]),
    ({"k": "started_at", "v": True, "o": "exists"}, predicates.EXISTS, [0, 1, 2]),  # stored as null
    ({"k": "errors.additional.n", "v": True, "o": "exists"}, predicates.EXISTS, [0]),
    ({"k": "errors.additional.n", "v": False, "o": "exists"}, predicates.EXISTS, [1, 2]),
    ({"k": "errors", "v": {"error_code": "E2", "message": "timeout"}, "o": "contain"}, predicates.ERRORS_WHOLE, [2]),
    ({"k": "errors", "v": [{"error_code": "E2", "message": "timeout"}], "o": "not_in"}, predicates.ERRORS_WHOLE, [0, 1]),
    ({"k": "errors", "v": None, "o": "not"}, predicates.ALL, [0, 1, 2]),
    ({"k": "errors", "v": None, "o": "eq"}, predicates.NONE, []),
    ({"k": "errors", "v": {"message__icontains": "TIME"}, "o": "match"}, predicates.ELEM_MATCH, [2]),
    ({"k": "job_task_id", "v": ["t0", "t2"], "o": "contain_in"}, predicates.ANY_OF, [0, 2]),
]


@pytest.mark.parametrize("condition, kind, expected", CASES, ids=[f"{c['k']} {c['o']}" for c, _, _ in CASES])
def test_each_row_test_keeps_the_rows_that_meet_it(table, condition, kind, expected):
    pred = compile_condition(parse_condition(condition, "filter[0]"))
    assert pred.test == kind
    assert filter_rows(pred, table, range(3)) == expected
    assert filter_rows(pred, table, [r for r in range(3) if r != 1]) == [r for r in expected if r != 1]


def test_the_cases_cover_every_kind():
    assert {kind for _, kind, _ in CASES} == _kinds()
