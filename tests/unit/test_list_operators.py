"""Filter operators on every field kind, with explicit expected answers.

One row per (key, value, operator): the ids of the matching records of domain
d1 in the default order (created_at descending, ties in insertion order), or
the error code the request is refused with.  The answers were read off the
executed reference and are written out here so that a change in the engine's
behaviour shows up as a plain, readable diff.  Rows where the engine follows
MongoDB rather than mongomock (KNOWN_DIFFERENCES.md) are in their own tests at
the end, with MongoDB's answer.
"""

from __future__ import annotations

import pytest

from jobtask_engine import EngineError, JobTaskStore
from tests.probe_records import PROBE_RECORDS

#: a: two errors, all fields set.  b: errors [], provider set.  c: provider null, job_id missing.
#: d: created at the same instant as a (given with an offset), error without error_code.
#: E-upper: padded provider, nested additional, regex metacharacters in its message.
RECORDS = PROBE_RECORDS

ALL_D1 = ["b", "E-upper", "a", "d", "c"]


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore(RECORDS)


def answer(store: JobTaskStore, key, value, operator):
    """Matching ids in order, or the refusal's error code."""
    try:
        out = store.list({"domain_id": "d1", "query": {"filter": [{"k": key, "v": value, "o": operator}]}})
    except EngineError as exc:
        return exc.code
    ids = [r["job_task_id"] for r in out["results"]]
    assert out["total_count"] == len(ids)
    return ids


#: (key, value, operator, expected ids or error code)
CASES = [
    # eq
    ('provider', 'aws-dev', 'eq', ['b']),
    ('provider', 'AWS-DEV', 'eq', []),
    ('provider', 'padded', 'eq', ['E-upper']),
    ('provider', None, 'eq', ['c']),
    ('job_id', None, 'eq', ['d', 'c']),
    ('provider', 1, 'eq', []),
    ('created_count', 1, 'eq', ['d']),
    ('created_count', '1', 'eq', ['d']),
    ('created_count', 1.5, 'eq', ['d']),
    ('created_count', True, 'eq', ['d']),
    ('created_count', 'abc', 'eq', 'ERROR_DB_QUERY'),
    ('created_count', None, 'eq', []),
    ('created_at', '2022-01-01T00:00:00Z', 'eq', ['a', 'd']),
    ('created_at', '2022-01-01T09:00:00+09:00', 'eq', ['a', 'd']),
    ('created_at', 'garbage', 'eq', []),
    ('started_at', None, 'eq', ['b', 'E-upper', 'c']),
    ('errors', None, 'eq', []),
    ('errors', 'x', 'eq', 'ERROR_DB_QUERY'),
    ('errors.error_code', 'ERR_B', 'eq', ['a']),
    ('errors.error_code', None, 'eq', ['d']),
    ('errors.message', None, 'eq', ['c']),
    ('errors.additional.x', 2, 'eq', ['a']),
    ('errors.additional.x', 1.0, 'eq', ['a']),
    ('errors.additional', {'x': 1, 's': 'str'}, 'eq', ['a']),
    ('errors.additional.n.k', 'v', 'eq', ['E-upper']),
    ('nosuch', 'x', 'eq', 'ERROR_DB_QUERY'),
    ('provider.x', 'a', 'eq', 'ERROR_DB_QUERY'),
    ('provider', ['x'], 'eq', 'ERROR_OPERATOR_VALUE_TYPE'),
    # not
    ('provider', 'aws-dev', 'not', ['E-upper', 'a', 'd', 'c']),
    ('provider', None, 'not', ['b', 'E-upper', 'a', 'd']),
    ('job_id', None, 'not', ['b', 'E-upper', 'a']),
    ('created_count', 1, 'not', ['b', 'E-upper', 'a', 'c']),
    ('created_count', None, 'not', ['b', 'E-upper', 'a', 'd', 'c']),
    ('errors.error_code', 'ERR_A', 'not', ['b', 'E-upper', 'd']),
    ('errors.error_code', None, 'not', ['b', 'E-upper', 'a', 'c']),
    ('started_at', 'garbage', 'not', ['a', 'd']),
    # lt
    ('provider', 'aws-dev', 'lt', ['a']),
    ('provider', None, 'lt', []),
    ('provider', 1, 'lt', []),
    ('created_count', 5, 'lt', ['b', 'E-upper', 'd']),
    ('created_at', '2022-01-01T00:00:00Z', 'lt', ['c']),
    ('errors.error_code', 'ERR_B', 'lt', ['a', 'c']),
    ('errors.additional.x', 2, 'lt', ['a']),
    # lte
    ('provider', 'aws-dev', 'lte', ['b', 'a']),
    ('provider', None, 'lte', ['c']),
    ('created_count', '5', 'lte', ['b', 'E-upper', 'a', 'd']),
    ('created_at', '2022-01-01T00:00:00Z', 'lte', ['a', 'd', 'c']),
    # gt
    ('provider', 'aws-dev', 'gt', ['E-upper', 'd']),
    ('created_count', False, 'gt', ['a', 'd', 'c']),
    ('created_count', 1099511627776, 'gt', []),
    ('started_at', None, 'gt', []),
    ('errors.error_code', 'ERR_A', 'gt', ['E-upper', 'a']),
    ('errors.additional.s', 'a', 'gt', ['a']),
    # gte
    ('provider', 'aws-dev', 'gte', ['b', 'E-upper', 'd']),
    ('provider', None, 'gte', ['c']),
    ('created_count', 1, 'gte', ['a', 'd', 'c']),
    ('created_at', '2022-01-01T09:00:00+09:00', 'gte', ['b', 'E-upper', 'a', 'd']),
    # exists
    ('provider', True, 'exists', ['b', 'E-upper', 'a', 'd', 'c']),
    ('provider', False, 'exists', []),
    ('job_id', True, 'exists', ['b', 'E-upper', 'a']),
    ('job_id', False, 'exists', ['d', 'c']),
    ('errors', True, 'exists', ['b', 'E-upper', 'a', 'd', 'c']),
    ('errors.error_code', True, 'exists', ['E-upper', 'a', 'c']),
    ('errors.additional.x', True, 'exists', ['a']),
    ('provider', 1, 'exists', 'ERROR_OPERATOR_BOOLEAN_TYPE'),
    ('provider', 'true', 'exists', 'ERROR_OPERATOR_BOOLEAN_TYPE'),
    ('provider', None, 'exists', 'ERROR_OPERATOR_BOOLEAN_TYPE'),
    ('nosuch', True, 'exists', 'ERROR_DB_QUERY'),
    # in
    ('provider', ['aws-dev', 'google_cloud'], 'in', ['b', 'd']),
    ('provider', [None], 'in', ['c']),
    ('job_id', [None], 'in', ['d', 'c']),
    ('provider', [], 'in', []),
    ('created_count', [1, '5'], 'in', ['a', 'd']),
    ('created_count', ['x'], 'in', 'ERROR_DB_QUERY'),
    ('created_at', ['2022-01-01T00:00:00Z', 'garbage'], 'in', ['a', 'd']),
    ('errors.error_code', ['ERR_B', 'ERR_C'], 'in', ['E-upper', 'a']),
    ('errors.error_code', [None], 'in', ['d']),
    ('errors', [{'error_code': 'ERR_A'}], 'in', ['c']),
    ('errors', ['x'], 'in', 'ERROR_DB_QUERY'),
    ('provider', 'aws', 'in', 'ERROR_OPERATOR_LIST_VALUE_TYPE'),
    # not_in
    ('provider', ['aws-dev'], 'not_in', ['E-upper', 'a', 'd', 'c']),
    ('provider', [None], 'not_in', ['b', 'E-upper', 'a', 'd']),
    ('job_id', [None], 'not_in', ['b', 'E-upper', 'a']),
    ('provider', [], 'not_in', ['b', 'E-upper', 'a', 'd', 'c']),
    ('errors.error_code', ['ERR_A'], 'not_in', ['b', 'E-upper', 'd']),
    ('errors.error_code', [None], 'not_in', ['b', 'E-upper', 'a', 'c']),
    ('provider', None, 'not_in', 'ERROR_OPERATOR_LIST_VALUE_TYPE'),
    # contain
    ('provider', 'aws', 'contain', ['b', 'a']),
    ('provider', 'AWS', 'contain', ['b', 'a']),
    ('errors.message', '.', 'contain', ['d']),
    ('errors.message', 'y*z', 'contain', ['d']),
    ('errors.message', '(paren)', 'contain', ['E-upper']),
    ('provider', '', 'contain', ['b', 'E-upper', 'a', 'd']),
    ('job_id', 'job', 'contain', ['b', 'E-upper', 'a']),
    ('provider', 1, 'contain', 'ERROR_DB_QUERY'),
    ('provider', None, 'contain', 'ERROR_DB_QUERY'),
    ('created_count', 1, 'contain', ['d']),
    ('created_count', 'aws', 'contain', 'ERROR_DB_QUERY'),
    ('created_at', '2022-01-01T00:00:00Z', 'contain', ['a', 'd']),
    ('created_at', 'aws', 'contain', []),
    ('errors', None, 'contain', []),
    ('errors', 'ERR', 'contain', 'ERROR_DB_QUERY'),
    ('errors', {'error_code': 'ERR_A'}, 'contain', ['c']),
    ('errors.additional.s', 'st', 'contain', ['E-upper', 'a']),
    ('errors.additional.s', None, 'contain', ['a', 'd', 'c']),
    ('errors.additional.x', 2, 'contain', ['a']),
    ('nosuch', 'x', 'contain', 'ERROR_DB_QUERY'),
    # not_contain
    ('provider', 'aws', 'not_contain', ['E-upper', 'd', 'c']),
    ('provider', '', 'not_contain', ['c']),
    ('job_id', 'job', 'not_contain', ['d', 'c']),
    ('created_count', 1, 'not_contain', 'ERROR_DB_QUERY'),
    ('created_at', '2022', 'not_contain', 'ERROR_DB_QUERY'),
    ('errors', 'x', 'not_contain', 'ERROR_DB_QUERY'),
    ('provider', 1, 'not_contain', 'ERROR_DB_QUERY'),
    # contain_in
    ('provider', ['dev', 'GOOGLE'], 'contain_in', ['b', 'd']),
    ('job_id', ['A1'], 'contain_in', ['a']),
    ('provider', ['aws', 1], 'contain_in', 'ERROR_DB_QUERY'),
    ('provider', [], 'contain_in', 'ERROR_INVALID_PARAMETER'),
    ('provider', 'aws', 'contain_in', 'ERROR_OPERATOR_LIST_VALUE_TYPE'),
    # not_contain_in
    ('provider', ['aws', 'goo'], 'not_contain_in', ['b', 'E-upper', 'a', 'd', 'c']),
    ('provider', ['aws', 'dev'], 'not_contain_in', ['E-upper', 'a', 'd', 'c']),
    ('provider', [], 'not_contain_in', 'ERROR_INVALID_PARAMETER'),
    ('provider', 'x', 'not_contain_in', 'ERROR_OPERATOR_LIST_VALUE_TYPE'),
    # match
    ('errors', {'error_code': 'ERR_A'}, 'match', ['a', 'c']),
    ('errors', {'error_code': 'ERR_A', 'message': 'Alpha fail'}, 'match', ['a']),
    ('errors', {'error_code': 'ERR_A', 'message': 'beta'}, 'match', []),
    ('errors', {'error_code': None}, 'match', ['d']),
    ('errors', {'message': None}, 'match', ['c']),
    ('errors', {}, 'match', ['E-upper', 'a', 'd', 'c']),
    ('errors', {'error_code__icontains': 'err_b'}, 'match', ['a']),
    ('errors', {'error_code__in': ['ERR_B', 'ERR_C']}, 'match', ['E-upper', 'a']),
    ('errors', {'additional__x': 2}, 'match', ['a']),
    ('errors', {'error_code': 1}, 'match', []),
    ('errors', {'nosuch': 1}, 'match', 'ERROR_DB_QUERY'),
    ('errors', {'additional.x': 1}, 'match', 'ERROR_DB_QUERY'),
    ('errors', 'ERR_A', 'match', 'ERROR_OPERATOR_DICT_VALUE_TYPE'),
    ('errors', None, 'match', 'ERROR_OPERATOR_DICT_VALUE_TYPE'),
    ('provider', {'a': 1}, 'match', []),
    ('created_count', {'a': 1}, 'match', 'ERROR_DB_QUERY'),
    # regex
    ('provider', 'aws', 'regex', ['b', 'a']),
    ('provider', '^aws', 'regex', ['b', 'a']),
    ('provider', 'AWS.P', 'regex', ['a']),
    ('provider', 'dev|google', 'regex', ['b', 'd']),
    ('provider', '', 'regex', ['b', 'E-upper', 'a', 'd']),
    ('job_id', '.', 'regex', ['b', 'E-upper', 'a']),
    ('errors.error_code', 'ERR_[AB]$', 'regex', ['a', 'c']),
    ('created_count', '.', 'regex', []),
    ('created_at', '2022', 'regex', []),
    ('errors', '.', 'regex', []),
    ('nosuch', '.', 'regex', []),
    ('errors.additional.s', '^s', 'regex', ['E-upper', 'a']),
    ('provider', '[', 'regex', 'ERROR_DB_QUERY'),
    ('provider', None, 'regex', 'ERROR_DB_QUERY'),
    ('provider', 1, 'regex', 'ERROR_DB_QUERY'),
    ('provider', ['aws'], 'regex', 'ERROR_OPERATOR_VALUE_TYPE'),
    # regex_in
    ('provider', ['^aws', 'goo'], 'regex_in', ['b', 'a', 'd']),
    ('provider', ['['], 'regex_in', 'ERROR_DB_QUERY'),
    ('provider', [], 'regex_in', 'ERROR_INVALID_PARAMETER'),
    ('provider', 'aws', 'regex_in', 'ERROR_OPERATOR_LIST_VALUE_TYPE'),
    # datetime_gte
    ('created_at', '2022-01-01T00:00:00Z', 'datetime_gte', ['b', 'E-upper', 'a', 'd']),
    ('created_at', '2022-05', 'datetime_gte', ['b', 'E-upper']),
    ('created_at', '2022', 'datetime_gte', ['b', 'E-upper', 'a', 'd']),
    ('created_at', '2022-125', 'datetime_gte', ['b', 'E-upper']),
    ('created_at', '2022-W01-1', 'datetime_gte', ['b', 'E-upper']),
    ('created_at', '2022-01-01T09:00:00+09:00', 'datetime_gte', ['b', 'E-upper', 'a', 'd']),
    ('created_at', '2022-01-01T09:00:00+0900', 'datetime_gte', ['b', 'E-upper', 'a', 'd']),
    ('created_at', '2021-12-31T23:59:59.9995Z', 'datetime_gte', ['b', 'E-upper', 'a', 'd', 'c']),
    ('started_at', '2022-01-15T00:00:00Z', 'datetime_gte', ['d']),
    ('created_at', '2022-1-1', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('created_at', 'Jan 1 2022', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('created_at', '', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('created_at', ' 2022-01-01', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('provider', '2022-01-01', 'datetime_gte', []),
    ('created_count', '2022-01-01', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('errors', '2022-01-01', 'datetime_gte', 'ERROR_DB_QUERY'),
    ('created_at', ['2022-01-01'], 'datetime_gte', 'ERROR_OPERATOR_VALUE_TYPE'),
    # datetime_gt
    ('created_at', '2022-01-01T00:00:00Z', 'datetime_gt', ['b', 'E-upper']),
    ('created_at', '2022-01-01', 'datetime_gt', ['b', 'E-upper']),
    ('created_at', '20220101T000000Z', 'datetime_gt', ['b', 'E-upper']),
    ('created_at', '2022-01-01T00', 'datetime_gt', ['b', 'E-upper']),
    ('created_at', '2022-01-01 00:00:00', 'datetime_gt', ['b', 'E-upper']),
    ('created_at', '2022-01-01T00:00:00z', 'datetime_gt', ['b', 'E-upper']),
    ('started_at', 1, 'datetime_gt', []),
    # datetime_lt
    ('created_at', '2022-01-01T00:00:00Z', 'datetime_lt', ['c']),
    ('created_at', '2022-01-01T24:00:00Z', 'datetime_lt', ['a', 'd', 'c']),
    ('created_at', None, 'datetime_lt', []),
    # datetime_lte
    ('created_at', '2022-01-01T00:00:00Z', 'datetime_lte', ['a', 'd', 'c']),
    # timediff_lt
    ('created_at', 'now', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now/w', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now - 1h', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now+1w', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now/d-1h', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now/m+2d', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('started_at', 'now-10s', 'timediff_lt', ['a', 'd']),
    ('created_at', 'now|1d', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', ' now ', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now-1d\n', 'timediff_lt', ['b', 'E-upper', 'a', 'd', 'c']),
    ('created_at', 'now-1y', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 'NOW', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 'now-1.5d', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 'now-1', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 'now-1|', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 'now-1d  ', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', '', 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', None, 'timediff_lt', 'ERROR_DB_QUERY'),
    ('created_at', 7, 'timediff_lt', 'ERROR_DB_QUERY'),
    ('provider', 'now', 'timediff_lt', []),
    ('created_count', 'now', 'timediff_lt', 'ERROR_DB_QUERY'),
    # timediff_gte
    ('created_at', 'now/d', 'timediff_gte', []),
    ('created_at', 'now-9999w', 'timediff_gte', ['b', 'E-upper', 'a', 'd', 'c']),
    # timediff_gt
    ('created_at', 'now-1000d', 'timediff_gt', []),
    # timediff_lte
    ('created_at', 'now/m', 'timediff_lte', ['b', 'E-upper', 'a', 'd', 'c']),
]


@pytest.mark.parametrize("key, value, operator, expected", CASES, ids=[f"{c[2]}-{c[0]}-{c[1]!r}" for c in CASES])
def test_operator(store: JobTaskStore, key, value, operator, expected) -> None:
    assert answer(store, key, value, operator) == expected


# --- where the engine follows MongoDB (KNOWN_DIFFERENCES.md; the reference, on mongomock, answers otherwise)

def test_kd1_lte_null_matches_missing(store: JobTaskStore) -> None:
    """KD1: a null bound on lte/gte behaves like eq null: null and missing (mongomock: missing never)."""
    assert answer(store, "job_id", None, "lte") == ["d", "c"]
    assert answer(store, "job_id", None, "gte") == ["d", "c"]
    assert answer(store, "job_id", None, "lt") == []


def test_kd1_datetime_op_with_non_string_is_a_null_bound() -> None:
    records = [
        {"job_task_id": "with", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z"},
        {"job_task_id": "without", "domain_id": "d1", "created_at": None},
    ]
    assert answer(JobTaskStore(records), "created_at", 5, "datetime_lte") == ["without"]


KD_RECORDS = [
    {"job_task_id": "mixed", "domain_id": "d1", "created_at": "2022-01-03T00:00:00Z",
     "errors": [{"error_code": "E2", "additional": {"x": 1}}, {"error_code": "E1", "additional": {}}]},
    {"job_task_id": "empty", "domain_id": "d1", "created_at": "2022-01-02T00:00:00Z", "errors": []},
    {"job_task_id": "all", "domain_id": "d1", "created_at": "2022-01-01T00:00:00Z",
     "errors": [{"error_code": "E3", "additional": {"x": 2}}]},
    {"job_task_id": "nocode", "domain_id": "d1", "created_at": "2021-12-31T00:00:00Z", "errors": [{"message": "m"}]},
]


@pytest.fixture(scope="module")
def kd_store() -> JobTaskStore:
    return JobTaskStore(KD_RECORDS)


def test_kd3_exists_false_means_no_element_has_it(kd_store: JobTaskStore) -> None:
    """KD3: 'mixed' has x in one element only: MongoDB does not match it (mongomock would)."""
    assert answer(kd_store, "errors.additional.x", False, "exists") == ["empty", "nocode"]
    assert answer(kd_store, "errors.additional.x", True, "exists") == ["mixed", "all"]


def test_kd4_not_contain_matches_empty_errors(kd_store: JobTaskStore) -> None:
    """KD4: $not matches a document without candidates (errors []), like MongoDB (mongomock: no)."""
    assert answer(kd_store, "errors.error_code", "e1", "not_contain") == ["empty", "all", "nocode"]
    assert answer(kd_store, "errors.error_code", ["e1", "e3"], "not_contain_in") == ["mixed", "empty", "all", "nocode"]


def sort_ids(store: JobTaskStore, key: str, desc: bool) -> list[str]:
    out = store.list({"domain_id": "d1", "query": {"sort": [{"key": key, "desc": desc}]}})
    return [r["job_task_id"] for r in out["results"]]


def test_kd2_array_sort_uses_min_ascending_max_descending(kd_store: JobTaskStore) -> None:
    """KD2: 'mixed' sorts by E1 ascending and by E2 descending; [] sorts before null; null before strings."""
    assert sort_ids(kd_store, "errors.error_code", False) == ["empty", "nocode", "mixed", "all"]
    assert sort_ids(kd_store, "errors.error_code", True) == ["all", "mixed", "nocode", "empty"]


def test_kd2_array_sort_on_the_probe_data(store: JobTaskStore) -> None:
    assert sort_ids(store, "errors.error_code", False) == ["b", "d", "a", "c", "E-upper"]
    assert sort_ids(store, "errors.error_code", True) == ["E-upper", "a", "c", "d", "b"]


def test_kd12_invalid_pattern_is_refused_without_data() -> None:
    """KD12: refused whatever the data (mongomock only fails when a document reaches the pattern)."""
    empty = JobTaskStore()
    assert answer(empty, "provider", "[", "regex") == "ERROR_DB_QUERY"
    assert answer(empty, "created_count", 1, "not_contain") == "ERROR_DB_QUERY"


def test_kd13_empty_lists_for_or_operators_are_refused(store: JobTaskStore) -> None:
    for operator in ("contain_in", "not_contain_in", "regex_in"):
        assert answer(store, "provider", [], operator) == "ERROR_INVALID_PARAMETER"


# --- embedded documents and arrays inside errors elements (BSON object order; nested arrays traversed)
NESTED_RECORDS = [
    {"job_task_id": "L", "domain_id": "d3", "created_at": "2021-01-01T00:00:00Z",
     "errors": [{"error_code": "E", "additional": {"s": ["a", 3], "x": []}}, {"error_code": "F", "additional": {}}]},
    {"job_task_id": "N", "domain_id": "d3", "created_at": "2021-01-02T00:00:00Z",
     "errors": [{"error_code": "G", "additional": {"s": "b", "x": {"k": 1}}}]},
]


def nested_answer(key, value, operator):
    try:
        out = JobTaskStore(NESTED_RECORDS).list({"domain_id": "d3", "query": {"filter": [{"k": key, "v": value, "o": operator}]}})
    except EngineError as exc:
        return exc.code
    return [r["job_task_id"] for r in out["results"]]


@pytest.mark.parametrize("key, value, operator, expected", [
    ("errors.additional.s", "abc", "lt", ["L"]),
    ("errors.additional.s", "a", "eq", ["L"]),
    ("errors.additional.s", 3, "gte", ["L"]),
    ("errors.additional.s", ["a"], "in", ["L"]),
    ("errors.additional.s", "A", "contain", ["L"]),
    ("errors.additional.s", "a", "not", ["N"]),
    ("errors.additional", {}, "lte", ["L"]),
    ("errors.additional", {}, "gt", ["N", "L"]),
    ("errors.additional.x", {"k": 2}, "lt", ["N"]),
    ("errors.additional.x", {"k": 1}, "gte", ["N"]),
    ("errors.additional.x", {"j": 9}, "lt", []),  # keys compare before values: 'k' > 'j'
    ("errors.additional.x", {"j": 9}, "gt", ["N"]),
])
def test_nested_values(key, value, operator, expected) -> None:
    """Arrays inside elements are traversed; dicts order as BSON objects ((type, key, value) pairs, then length)."""
    assert nested_answer(key, value, operator) == expected
