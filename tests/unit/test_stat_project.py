"""The ``project`` stage: renames, only_keys, exclude_keys and every operator, end to end."""

from __future__ import annotations

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records

BY_STATUS = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [
    {"name": "n", "operator": "count"},
    {"key": "updated_count", "name": "u", "operator": "sum"},
    {"key": "created_count", "name": "c", "operator": "sum"},
    {"key": "updated_count", "name": "us", "operator": "push"},
    {"key": "created_at", "name": "first_at", "operator": "first"},
]}}


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many(sample_records())
    return s


def stat(store: JobTaskStore, *pipeline) -> list:
    return store.stat({"domain_id": "d1", "query": {"aggregate": list(pipeline)}})["results"]


def project(*fields, **options) -> dict:
    return {"project": {"fields": list(fields), **options}}


def test_renames_keep_group_keys_unless_excluded(store):
    assert stat(store, BY_STATUS, project({"key": "n", "name": "count"})) == [
        {"s": "FAILURE", "count": 1}, {"s": "PENDING", "count": 1}, {"s": "SUCCESS", "count": 2}]
    assert stat(store, BY_STATUS, project({"key": "s", "name": "status"}, {"key": "n", "name": "count"}, exclude_keys=True)) == [
        {"status": "FAILURE", "count": 1}, {"status": "PENDING", "count": 1}, {"status": "SUCCESS", "count": 2}]


def test_a_rename_of_a_missing_field_is_left_out(store):
    assert stat(store, BY_STATUS, project({"key": "nosuch", "name": "x"}, {"name": "y"}, exclude_keys=True)) == [{}, {}, {}]


def test_only_keys_keeps_fields_by_name(store):
    assert stat(store, BY_STATUS, project({"key": "ignored", "name": "n"}, {"name": "u"}, only_keys=True)) == [
        {"s": "FAILURE", "n": 1, "u": 3}, {"s": "PENDING", "n": 1, "u": 1}, {"s": "SUCCESS", "n": 2, "u": 5}]
    assert stat(store, BY_STATUS, project({"name": "n"}, only_keys=True, exclude_keys=True)) == [{"n": 1}, {"n": 1}, {"n": 2}]


def test_arithmetic(store):
    rows = stat(store, BY_STATUS, project(
        {"name": "ratio", "operator": "divide", "fields": ["u", "n"]},
        {"name": "sum", "operator": "add", "fields": ["u", "c", 1]},
        {"name": "diff", "operator": "subtract", "fields": ["u", "c"]},
        {"name": "prod", "operator": "multiply", "fields": ["u", 2, {"operator": "add", "fields": ["n", 0.5]}]},
        {"name": "nested", "o": "divide", "f": [{"o": "subtract", "f": ["u", 1]}, 2]},
        {"name": "s_sq", "operator": "multiply", "fields": ["n", "n"]},
        exclude_keys=True,
    ))
    assert rows == [
        {"ratio": 3.0, "sum": 4, "diff": 3, "prod": 9.0, "nested": 1.0, "s_sq": 1},
        {"ratio": 1.0, "sum": 9, "diff": -6, "prod": 3.0, "nested": 0.0, "s_sq": 1},
        {"ratio": 2.5, "sum": 9, "diff": 2, "prod": 25.0, "nested": 2.0, "s_sq": 4},
    ]
    assert type(rows[0]["ratio"]) is float and type(rows[0]["sum"]) is int


def test_arithmetic_with_missing_or_null_is_null(store):
    rows = stat(store, BY_STATUS, project(
        {"name": "a", "operator": "add", "fields": ["u", "nosuch"]},
        {"name": "d", "operator": "divide", "fields": ["nosuch", "n"]},
        exclude_keys=True,
    ))
    assert rows == [{"a": None, "d": None}] * 3


def test_divide_by_zero_is_refused(store):
    with pytest.raises(EngineError) as info:
        stat(store, BY_STATUS, project({"name": "r", "operator": "divide", "fields": ["u", "c"]}))
    assert info.value.code == "ERROR_DB_QUERY" and "divide by zero" in info.value.message


def test_arithmetic_on_strings_is_refused(store):
    with pytest.raises(EngineError) as info:
        stat(store, BY_STATUS, project({"name": "r", "operator": "add", "fields": ["s", 1]}))
    assert info.value.code == "ERROR_DB_QUERY" and "$add only supports numeric or date types" in info.value.message


def test_dates_in_arithmetic(store):
    rows = stat(store, BY_STATUS, project(
        {"name": "later", "operator": "add", "fields": ["first_at", 1000]},
        {"name": "earlier", "operator": "subtract", "fields": ["first_at", 60000]},
        {"name": "ms", "operator": "subtract", "fields": ["first_at", "first_at"]},
        exclude_keys=True,
    ))
    assert rows[0] == {"later": "2022-03-05T01:00:01.000Z", "earlier": "2022-03-05T00:59:00.000Z", "ms": 0}


def test_size_and_sum_of_arrays(store):
    rows = stat(store, BY_STATUS, project(
        {"key": "us", "name": "size", "operator": "size"},
        {"key": "us", "name": "total", "operator": "sum"},
        exclude_keys=True,
    ))
    assert rows == [{"size": 1, "total": 3}, {"size": 1, "total": 1}, {"size": 2, "total": 5}]


def test_sum_of_a_scalar_is_the_scalar_and_of_nothing_zero(store):
    rows = stat(store, BY_STATUS, project(
        {"key": "u", "name": "u_sum", "operator": "sum"},
        {"key": "nosuch", "name": "none_sum", "operator": "sum"},
        exclude_keys=True,
    ))
    assert rows == [{"u_sum": 3, "none_sum": 0}, {"u_sum": 1, "none_sum": 0}, {"u_sum": 5, "none_sum": 0}]


def test_size_of_a_non_array_is_refused(store):
    with pytest.raises(EngineError) as info:
        stat(store, BY_STATUS, project({"key": "n", "name": "x", "operator": "size"}))
    assert info.value.code == "ERROR_DB_QUERY" and "$size must be an array" in info.value.message


def test_object_to_array_and_back(store):
    rows = stat(
        store,
        {"unwind": {"path": "errors"}},
        {"match": {"filter": [{"k": "errors.error_code", "v": "E1", "o": "eq"}]}},
        project({"key": "errors.additional", "name": "kv", "operator": "object_to_array"}, exclude_keys=True),
        project({"key": "kv", "name": "kv"}, {"key": "kv", "name": "obj", "operator": "array_to_object"}),
    )
    assert rows == [
        {"kv": [{"k": "a", "v": 1}], "obj": {"a": 1}},
        {"kv": [{"k": "a", "v": 2}, {"k": "c", "v": [1, 2]}], "obj": {"a": 2, "c": [1, 2]}},
    ]


def test_array_to_object_of_pairs_and_refusals(store):
    rows = stat(store, BY_STATUS, project({"key": "nosuch", "name": "o", "operator": "array_to_object"}, exclude_keys=True))
    assert rows == [{"o": None}] * 3
    with pytest.raises(EngineError) as info:
        stat(store, BY_STATUS, project({"key": "us", "name": "o", "operator": "array_to_object"}))
    assert info.value.code == "ERROR_DB_QUERY" and "$arrayToObject" in info.value.message
    with pytest.raises(EngineError) as info:
        stat(store, BY_STATUS, project({"key": "s", "name": "o", "operator": "object_to_array"}))
    assert info.value.code == "ERROR_DB_QUERY" and "$objectToArray requires a document input" in info.value.message


def test_dotted_output_names_build_documents(store):
    rows = stat(store, BY_STATUS, project({"key": "n", "name": "stats.count"}, {"key": "u", "name": "stats.updated"},
                                          exclude_keys=True))
    assert rows == [{"stats": {"count": 1, "updated": 3}}, {"stats": {"count": 1, "updated": 1}},
                    {"stats": {"count": 2, "updated": 5}}]


def test_only_keys_of_a_dotted_path_keeps_that_part(store):
    rows = stat(store, {"unwind": {"path": "errors"}}, project({"name": "errors.error_code"}, {"name": "job_task_id"},
                                                              only_keys=True, exclude_keys=True))
    assert rows == [
        {"errors": {"error_code": "E1"}, "job_task_id": "jt-1"},
        {"errors": {"error_code": "E2"}, "job_task_id": "jt-1"},
        {"errors": {}, "job_task_id": "jt-3"},
        {"errors": {"error_code": "E1"}, "job_task_id": "jt-4"},
    ]


def test_project_of_stored_documents_keeps_their_id(store):
    rows = stat(store, {"limit": 1}, project({"key": "status", "name": "st"}))
    assert set(rows[0]) == {"_id", "st"} and rows[0]["st"] == "SUCCESS"


def test_later_stages_see_projected_names(store):
    rows = stat(store, BY_STATUS, project({"key": "s", "name": "status"}, {"key": "u", "name": "u"}, exclude_keys=True),
                {"sort": [{"key": "u", "desc": True}]}, {"limit": 2})
    assert rows == [{"status": "SUCCESS", "u": 5}, {"status": "FAILURE", "u": 3}]
