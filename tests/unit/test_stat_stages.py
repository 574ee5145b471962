"""unwind, count, sort, skip, limit, match, raw documents and paging, end to end on sample_records()."""

from __future__ import annotations

import re

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many(sample_records())
    return s


def run(store: JobTaskStore, *pipeline, **query) -> dict:
    return store.stat({"domain_id": "d1", "query": {"aggregate": list(pipeline), **query}})


def stat(store: JobTaskStore, *pipeline, **query) -> list:
    return run(store, *pipeline, **query)["results"]


IDS = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}


def ids(rows: list) -> list:
    return [r["id"] for r in rows]


# --------------------------------------------------------------------------- raw documents
def test_stored_documents_flow_through_with_an_object_id():
    store = JobTaskStore()
    store.insert_many(sample_records()[1:2])
    (doc,) = stat(store, {"limit": 5})
    assert re.fullmatch(r"[0-9a-f]{24}", doc.pop("_id"))
    assert doc == {
        "job_task_id": "jt-2", "status": "FAILURE", "provider": None, "created_count": 0, "updated_count": 3,
        "failure_count": 0, "deleted_count": 0, "disconnected_count": 0, "errors": [],
        "service_account_id": None, "project_id": None, "domain_id": "d1",
        "created_at": "2022-03-05T01:00:00.000Z", "started_at": None, "finished_at": None,
    }


# --------------------------------------------------------------------------- unwind
def test_unwind_one_document_per_element_and_drops_empty(store):
    rows = stat(store, {"unwind": {"path": "errors"}}, {"project": {"fields": [
        {"key": "job_task_id", "name": "id"}, {"key": "errors.error_code", "name": "code"}], "exclude_keys": True}})
    assert rows == [{"id": "jt-1", "code": "E1"}, {"id": "jt-1", "code": "E2"}, {"id": "jt-3"}, {"id": "jt-4", "code": "E1"}]


def test_unwind_a_scalar_keeps_the_document_and_drops_null_and_missing(store):
    assert ids(stat(store, {"unwind": {"path": "status"}}, IDS)) == ["jt-1", "jt-2", "jt-3", "jt-4"]
    assert ids(stat(store, {"unwind": {"path": "job_id"}}, IDS)) == ["jt-1", "jt-3", "jt-4"]
    assert ids(stat(store, {"unwind": {"path": "provider"}}, IDS)) == ["jt-1", "jt-3", "jt-4"]
    assert stat(store, {"unwind": {"path": "nosuch"}}, IDS) == []


def test_unwind_a_nested_array_after_unwinding_errors(store):
    rows = stat(store, {"unwind": {"path": "errors"}}, {"unwind": {"path": "errors.additional.c"}},
                {"project": {"fields": [{"key": "errors.additional", "name": "add"}], "exclude_keys": True}})
    assert rows == [{"add": {"a": 2, "c": 1}}, {"add": {"a": 2, "c": 2}}]


def test_unwind_through_an_array_finds_nothing(store):
    assert stat(store, {"unwind": {"path": "errors.error_code"}}, IDS) == []


def test_unwind_filter_is_a_match_right_after(store):
    rows = stat(store, {"unwind": {"path": "errors", "filter": [{"k": "errors.error_code", "v": "E1", "o": "eq"}]}},
                {"count": {"name": "n"}})
    assert rows == [{"n": 2}]


# --------------------------------------------------------------------------- count
def test_count(store):
    assert stat(store, {"count": {"name": "total"}}) == [{"total": 4}]


def test_count_of_nothing_is_no_row(store):
    assert stat(store, {"match": {"filter": [{"k": "status", "v": "X", "o": "eq"}]}}, {"count": {"name": "n"}}) == []


# --------------------------------------------------------------------------- sort / skip / limit
def test_sort_on_stored_fields_ties_in_insertion_order(store):
    assert ids(stat(store, {"sort": [{"key": "created_at"}]}, IDS)) == ["jt-1", "jt-4", "jt-2", "jt-3"]
    assert ids(stat(store, {"sort": [{"key": "created_at", "desc": True}]}, IDS)) == ["jt-3", "jt-2", "jt-1", "jt-4"]
    assert ids(stat(store, {"sort": [{"key": "provider"}, {"key": "updated_count", "desc": True}]}, IDS)) == [
        "jt-2", "jt-1", "jt-4", "jt-3"]


def test_sort_missing_and_null_first_ascending(store):
    assert ids(stat(store, {"sort": [{"key": "job_id"}]}, IDS)) == ["jt-2", "jt-1", "jt-4", "jt-3"]
    assert ids(stat(store, {"sort": [{"key": "started_at", "desc": True}]}, IDS)) == ["jt-1", "jt-2", "jt-3", "jt-4"]


def test_sort_on_a_path_into_arrays_uses_the_smallest_or_largest_element(store):
    assert ids(stat(store, {"sort": [{"key": "errors.error_code"}]}, IDS)) == ["jt-2", "jt-3", "jt-1", "jt-4"]
    assert ids(stat(store, {"sort": [{"key": "errors.error_code", "desc": True}]}, IDS)) == ["jt-1", "jt-4", "jt-3", "jt-2"]


def test_sort_group_output_by_key_name_and_field(store):
    grouped = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [
        {"key": "updated_count", "name": "u", "operator": "sum"}]}}
    assert [r["s"] for r in stat(store, grouped, {"sort": [{"key": "s", "desc": True}]})] == ["SUCCESS", "PENDING", "FAILURE"]
    assert [r["s"] for r in stat(store, grouped, {"sort": [{"key": "u"}]})] == ["PENDING", "FAILURE", "SUCCESS"]


def test_skip_and_limit(store):
    by_date = {"sort": [{"key": "created_at"}]}
    assert ids(stat(store, by_date, {"skip": 1}, {"limit": 2}, IDS)) == ["jt-4", "jt-2"]
    assert ids(stat(store, by_date, {"limit": 2}, {"skip": 1}, IDS)) == ["jt-4"]
    assert ids(stat(store, by_date, {"skip": 10}, IDS)) == []
    assert ids(stat(store, {"skip": 0}, {"limit": 100}, IDS)) == ["jt-1", "jt-2", "jt-3", "jt-4"]


# --------------------------------------------------------------------------- match
@pytest.mark.parametrize(
    "cond, expected",
    [
        ({"k": "status", "v": "SUCCESS", "o": "eq"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "SUCCESS", "o": "not"}, ["jt-2", "jt-4"]),
        ({"k": "job_id", "v": "job-a", "o": "not"}, ["jt-2", "jt-3"]),
        ({"k": "provider", "v": ["aws", None], "o": "in"}, ["jt-1", "jt-2", "jt-4"]),
        ({"k": "job_id", "v": [None], "o": "in"}, ["jt-2"]),
        ({"k": "provider", "v": ["aws"], "o": "not_in"}, ["jt-2", "jt-3"]),
        ({"k": "status", "v": "CESS", "o": "contain"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "cess", "o": "contain"}, []),
        ({"k": "status", "v": "S.C", "o": "contain"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "X.C", "o": "contain"}, []),
        ({"k": "status", "v": "U.C", "o": "contain"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "^P", "o": "contain"}, ["jt-4"]),
        ({"k": "provider", "v": "aws", "o": "not_contain"}, ["jt-2", "jt-3"]),
        ({"k": "status", "v": ["FAIL", "PEND"], "o": "contain_in"}, ["jt-2", "jt-4"]),
        ({"k": "status", "v": ["FAIL", "PEND"], "o": "not_contain_in"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "FP", "o": "contain_in"}, ["jt-2", "jt-4"]),
        ({"k": "updated_count", "v": 5, "o": "eq"}, ["jt-1"]),
        ({"k": "updated_count", "v": 5.0, "o": "eq"}, ["jt-1"]),
        ({"k": "updated_count", "v": "5", "o": "eq"}, []),
        ({"k": "updated_count", "v": 5, "o": "contain"}, []),
        ({"k": "errors.error_code", "v": "E2", "o": "eq"}, ["jt-1"]),
        ({"k": "errors.error_code", "v": "E1", "o": "not"}, ["jt-2", "jt-3"]),
        ({"k": "errors.additional.c", "v": 2, "o": "eq"}, ["jt-4"]),
        ({"k": "errors.message", "v": "m", "o": "contain"}, ["jt-1", "jt-3", "jt-4"]),
        ({"k": "errors.message", "v": "msg", "o": "not_contain"}, ["jt-1", "jt-2", "jt-4"]),
        ({"k": "errors", "v": {"error_code": "E2", "message": "m2", "additional": {}}, "o": "eq"}, ["jt-1"]),
        ({"k": "errors.0.error_code", "v": "E1", "o": "eq"}, ["jt-1", "jt-4"]),
    ],
)
def test_match_operators(store, cond, expected):
    assert ids(stat(store, {"match": {"filter": [cond]}}, IDS)) == expected


def test_match_conditions_are_anded(store):
    rows = stat(store, {"match": {"filter": [{"k": "status", "v": "SUCCESS", "o": "eq"},
                                             {"key": "provider", "value": "aws", "operator": "eq"}]}}, IDS)
    assert ids(rows) == ["jt-1"]


def test_match_after_group_needs_the_id_path(store):
    grouped = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"name": "n", "operator": "count"}]}}
    assert stat(store, grouped, {"match": {"filter": [{"k": "s", "v": "SUCCESS", "o": "eq"}]}}) == []
    assert stat(store, grouped, {"match": {"filter": [{"k": "_id.s", "v": "SUCCESS", "o": "eq"}]}}) == [{"s": "SUCCESS", "n": 2}]
    assert stat(store, grouped, {"match": {"filter": [{"k": "n", "v": 1, "o": "eq"}]}}) == [
        {"s": "FAILURE", "n": 1}, {"s": "PENDING", "n": 1}]


# --------------------------------------------------------------------------- paging
def test_page_counts_the_whole_result_and_cuts_after(store):
    grouped = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"name": "n", "operator": "count"}]}}
    assert run(store, grouped, page={"start": 2, "limit": 1}) == {"results": [{"s": "PENDING", "n": 1}], "total_count": 3}
    assert run(store, grouped, page={"start": 0, "limit": 2}) == {
        "results": [{"s": "FAILURE", "n": 1}, {"s": "PENDING", "n": 1}], "total_count": 3}
    assert run(store, grouped, page={"start": 9, "limit": 2}) == {"results": [], "total_count": 3}
    assert run(store, grouped, page={"limit": 0}) == {"results": [{"s": "FAILURE", "n": 1}, {"s": "PENDING", "n": 1},
                                                                 {"s": "SUCCESS", "n": 2}]}


def test_page_over_nothing(store):
    assert run(store, {"match": {"filter": [{"k": "status", "v": "X", "o": "eq"}]}}, page={"limit": 3}) == {
        "results": [], "total_count": 0}


def test_dict_form(store):
    query = {"aggregate": {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"name": "n", "operator": "count"}]}},
             "sort": {"name": "n", "desc": True}, "limit": 2}
    assert store.stat({"domain_id": "d1", "query": query}) == {"results": [{"s": "SUCCESS", "n": 2}, {"s": "FAILURE", "n": 1}]}
    query = {"aggregate": {"unwind": [{"path": "errors"}], "group": {"keys": [{"key": "errors.error_code", "name": "c"}]},
                           "count": {"name": "codes"}}}
    assert store.stat({"domain_id": "d1", "query": query}) == {"results": [{"codes": 3}]}


def test_filters_and_workspace_restrict_the_input(store):
    params = {"domain_id": "d1", "workspace_id": "w1",
              "query": {"aggregate": [{"count": {"name": "n"}}], "filter": [{"k": "status", "v": "SUCCESS", "o": "eq"}]}}
    assert store.stat(params) == {"results": [{"n": 1}]}
    assert store.stat({"domain_id": "d2", "query": {"aggregate": [{"count": {"name": "n"}}]}}) == {"results": [{"n": 1}]}
