"""Refusals: every bad list request gets the reference's error code, an HTTP status, and a message that names
the key, operator or value at fault (so a caller can fix the request without reading engine code)."""

from __future__ import annotations

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.errors import db_query, not_found, required_parameter, save_unique_values


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore([
        {"job_task_id": "a", "domain_id": "d1", "provider": "aws", "created_count": 1,
         "errors": [{"error_code": "E"}], "created_at": "2022-01-01T00:00:00Z"},
    ])


def refusal(store: JobTaskStore, query: dict | None = None, **top) -> EngineError:
    params = {"domain_id": "d1", **top}
    if query is not None:
        params["query"] = query
    with pytest.raises(EngineError) as exc:
        store.list(params)
    return exc.value


def one(key, value, operator) -> dict:
    return {"filter": [{"k": key, "v": value, "o": operator}]}


#: (query, code, words the message must contain)
CASES = [
    (one("provider", "x", "EQ"), "ERROR_DB_QUERY", ["EQ"]),
    (one("provider", "x", "nope"), "ERROR_DB_QUERY", ["nope"]),
    ({"filter": [{"k": "provider", "v": "x"}]}, "ERROR_DB_QUERY", []),
    ({"filter": [{"v": "x", "o": "eq"}]}, "ERROR_DB_QUERY", []),
    (one("provider", "x", "in"), "ERROR_OPERATOR_LIST_VALUE_TYPE", ["in"]),
    (one("provider", None, "not_in"), "ERROR_OPERATOR_LIST_VALUE_TYPE", ["not_in"]),
    (one("provider", "x", "contain_in"), "ERROR_OPERATOR_LIST_VALUE_TYPE", ["contain_in"]),
    (one("provider", "x", "not_contain_in"), "ERROR_OPERATOR_LIST_VALUE_TYPE", ["not_contain_in"]),
    (one("provider", "x", "regex_in"), "ERROR_OPERATOR_LIST_VALUE_TYPE", ["regex_in"]),
    (one("provider", ["x"], "eq"), "ERROR_OPERATOR_VALUE_TYPE", ["eq"]),
    (one("created_count", [1], "gt"), "ERROR_OPERATOR_VALUE_TYPE", ["gt"]),
    (one("provider", ["x"], "contain"), "ERROR_OPERATOR_VALUE_TYPE", ["contain"]),
    (one("created_at", ["2022"], "datetime_gt"), "ERROR_OPERATOR_VALUE_TYPE", ["datetime_gt"]),
    (one("provider", 1, "exists"), "ERROR_OPERATOR_BOOLEAN_TYPE", ["exists"]),
    (one("nosuch", "true", "exists"), "ERROR_OPERATOR_BOOLEAN_TYPE", ["exists"]),
    (one("errors", "E", "match"), "ERROR_OPERATOR_DICT_VALUE_TYPE", ["match"]),
    (one("nosuch", "x", "eq"), "ERROR_DB_QUERY", ["nosuch"]),
    (one("created_count", "abc", "eq"), "ERROR_DB_QUERY", ["abc"]),
    (one("created_count", 1, "not_contain"), "ERROR_DB_QUERY", []),
    (one("provider", 1, "contain"), "ERROR_DB_QUERY", []),
    (one("provider", "[", "regex"), "ERROR_DB_QUERY", []),
    (one("created_at", "Jan 1 2022", "datetime_gt"), "ERROR_DB_QUERY", ["datetime_gt"]),
    (one("created_at", "now-1y", "timediff_lt"), "ERROR_DB_QUERY", ["now-1y"]),
    (one("errors", {"nosuch": 1}, "match"), "ERROR_DB_QUERY", ["nosuch"]),
    ({"only": ["nosuch"]}, "ERROR_DB_QUERY", ["nosuch"]),
    ({"only": ["provider"], "sort": [{"key": "nosuch"}]}, "ERROR_DB_QUERY", ["nosuch"]),
    ({"page": {"start": "2", "limit": 2}}, "ERROR_DB_QUERY", []),
]


@pytest.mark.parametrize("query, code, words", CASES, ids=[f"{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_refusal(store: JobTaskStore, query: dict, code: str, words: list[str]) -> None:
    err = refusal(store, query)
    assert err.code == code
    assert err.status == 400
    for word in words:
        assert word in err.message, (word, err.message)


def test_missing_domain_id(store: JobTaskStore) -> None:
    for params in ({}, {"domain_id": None}, {"query": {}}):
        with pytest.raises(EngineError) as exc:
            store.list(params)
        assert exc.value.code == "ERROR_REQUIRED_PARAMETER"
        assert "domain_id" in exc.value.message


def test_first_bad_condition_is_reported(store: JobTaskStore) -> None:
    """Conditions are checked in order, filter before filter_or."""
    err = refusal(store, {"filter": [{"k": "provider", "v": "x", "o": "in"}],
                          "filter_or": [{"k": "provider", "v": 1, "o": "exists"}]})
    assert err.code == "ERROR_OPERATOR_LIST_VALUE_TYPE"
    err = refusal(store, {"filter_or": [{"k": "provider", "v": "x", "o": "eq"}, {"k": "provider", "v": 1, "o": "exists"}]})
    assert err.code == "ERROR_OPERATOR_BOOLEAN_TYPE"


def test_operator_checks_come_before_the_key_check(store: JobTaskStore) -> None:
    """The reference checks the operator, then the value's shape, then that a key was given."""
    assert refusal(store, {"filter": [{"v": "x", "o": "in"}]}).code == "ERROR_OPERATOR_LIST_VALUE_TYPE"
    assert refusal(store, {"filter": [{"v": ["x"], "o": "nope"}]}).code == "ERROR_DB_QUERY"


@pytest.mark.parametrize("query", [
    {"filter": {"k": "provider", "v": "x", "o": "eq"}},
    {"filter": [None]},
    {"filter": [{"k": "provider", "v": [], "o": "contain_in"}]},
    {"sort": [{"desc": True}]},
    {"sort": "provider"},
    {"page": {"limit": "2"}},
    {"page": "abc"},
    {"keyword": 1},
])
def test_reference_crashes_become_typed_refusals(store: JobTaskStore, query: dict) -> None:
    """KD13: where the reference crashes (ERROR_UNKNOWN), the engine refuses with a typed, client-side error."""
    err = refusal(store, query)
    assert err.code in {"ERROR_INVALID_PARAMETER_TYPE", "ERROR_INVALID_PARAMETER", "ERROR_REQUIRED_PARAMETER",
                        "ERROR_DB_QUERY"}
    assert err.status == 400


def test_error_helpers() -> None:
    err = not_found("job_task_id", "x")
    assert (err.code, err.status) == ("ERROR_NOT_FOUND", 404) and "job_task_id" in err.message
    err = save_unique_values(["job_task_id"])
    assert (err.code, err.status) == ("ERROR_SAVE_UNIQUE_VALUES", 409)
    err = required_parameter("domain_id")
    assert err.to_dict() == {"code": "ERROR_REQUIRED_PARAMETER", "message": "Required parameter. (key = domain_id)"}
    assert isinstance(db_query("x"), Exception) and db_query("why").code == "ERROR_DB_QUERY"
    assert str(db_query("why")).startswith("ERROR_DB_QUERY")
