"""Every JobTask method through spaceone-core's SpaceConnector: answers shaped as production shapes them."""

from __future__ import annotations

import pytest

from tests.grpc.conftest import call, refusal

TASKS = [
    {"job_task_id": "jt-1", "domain_id": "d1", "workspace_id": "ws-1", "project_id": "p-1", "job_id": "job-1",
     "status": "FAILURE", "provider": "aws", "updated_count": 3, "created_at": "2024-01-01T00:00:01.000Z",
     "errors": [{"error_code": "ERROR_TIMEOUT", "message": "timed out", "additional": {"n": 3, "s": "x"}}]},
    {"job_task_id": "jt-2", "domain_id": "d1", "workspace_id": "ws-1", "job_id": "job-1", "status": "SUCCESS",
     "provider": "aws", "updated_count": 5, "created_at": "2024-01-02T00:00:00.000Z"},
    {"job_task_id": "jt-3", "domain_id": "d1", "workspace_id": "ws-2", "job_id": "job-2", "status": "FAILURE",
     "provider": "google_cloud", "updated_count": 0, "created_at": "2024-01-03T00:00:00.000Z",
     "errors": [{"error_code": "ERROR_AUTH", "message": "denied"}]},
    {"job_task_id": "jt-4", "domain_id": "d2", "job_id": "job-9", "status": "SUCCESS", "created_at": "2024-01-04T00:00:00.000Z"},
]


@pytest.fixture
def seeded(jobtask_grpc_server, jobtask_seed):
    jobtask_seed(jobtask_grpc_server, TASKS)
    return jobtask_grpc_server


def ids(answer: dict) -> list[str]:
    return [r["job_task_id"] for r in answer.get("results", [])]


def test_list_answers_job_tasks_info_with_the_fields_production_fills(seeded):
    answer = call(seeded.endpoint, "list", {"job_task_id": "jt-1"}, x_domain_id="d1")
    assert answer == {
        "results": [{
            "job_task_id": "jt-1", "status": "FAILURE", "provider": "aws", "updated_count": 3,
            "errors": [{"error_code": "ERROR_TIMEOUT", "message": "timed out", "additional": {"n": 3.0, "s": "x"}}],
            "job_id": "job-1", "project_id": "p-1", "workspace_id": "ws-1", "domain_id": "d1",
            "created_at": "2024-01-01T00:00:01.000Z",
        }],
        "total_count": 1,
    }


def test_list_default_order_top_level_filters_and_enum_status(seeded):
    assert ids(call(seeded.endpoint, "list", {}, x_domain_id="d1")) == ["jt-3", "jt-2", "jt-1"]
    assert ids(call(seeded.endpoint, "list", {"status": "FAILURE"}, x_domain_id="d1")) == ["jt-3", "jt-1"]
    assert ids(call(seeded.endpoint, "list", {"provider": "aws", "job_id": "job-1"}, x_domain_id="d1")) == ["jt-2", "jt-1"]


def test_list_paging_sort_and_the_page_cap(seeded):
    query = {"sort": [{"key": "updated_count", "desc": True}], "page": {"start": 2, "limit": 1}}
    answer = call(seeded.endpoint, "list", {"query": query}, x_domain_id="d1")
    assert ids(answer) == ["jt-1"] and answer["total_count"] == 3
    answer = call(seeded.endpoint, "list", {"query": {"page": {"start": 3, "limit": 5}}}, x_domain_id="d1")
    assert ids(answer) == ["jt-1"] and answer["total_count"] == 3
    answer = call(seeded.endpoint, "list", {"query": {"page": {"start": 9}}}, x_domain_id="d1")
    assert answer == {"total_count": 3}  # an empty page: MessageToDict leaves the empty list out


def test_list_page_limit_is_capped_at_1000(jobtask_grpc_server, jobtask_seed):
    jobtask_seed(jobtask_grpc_server, 1005, domain_id="big")
    answer = call(jobtask_grpc_server.endpoint, "list", {"query": {"page": {"limit": 5000}}}, x_domain_id="big")
    assert len(answer["results"]) == 1000 and answer["total_count"] == 1005


def test_count_only_and_an_empty_answer(seeded):
    assert call(seeded.endpoint, "list", {"query": {"count_only": True}}, x_domain_id="d1") == {"total_count": 3}
    # zero total and no results: every field is the default, so the client sees {}
    assert call(seeded.endpoint, "list", {"status": "PENDING"}, x_domain_id="d1") == {}


def test_only_keeps_the_projected_fields_and_status_defaults_to_pending(seeded):
    answer = call(seeded.endpoint, "list", {"query": {"only": ["job_id"], "filter": [{"k": "job_task_id", "v": "jt-2", "o": "eq"}]}},
                  x_domain_id="d1")
    # production renders a document whose status was not loaded with the model's default, PENDING
    assert answer["results"] == [{"job_id": "job-1", "status": "PENDING", "created_at": "2024-01-02T00:00:00.000Z"}]
    answer = call(seeded.endpoint, "list", {"query": {"only": ["errors.error_code"], "filter": [{"k": "job_task_id", "v": "jt-1", "o": "eq"}]}},
                  x_domain_id="d1")
    assert answer["results"][0]["errors"] == [{"error_code": "ERROR_TIMEOUT", "additional": {}}]


def test_minimal_sends_the_minimal_fields_only(seeded):
    answer = call(seeded.endpoint, "list", {"query": {"minimal": True, "filter": [{"k": "job_task_id", "v": "jt-1", "o": "eq"}]}},
                  x_domain_id="d1")
    assert answer["results"] == [{"job_task_id": "jt-1", "status": "FAILURE", "updated_count": 3, "job_id": "job-1",
                                  "created_at": "2024-01-01T00:00:01.000Z"}]


def test_keyword_and_filter_or(seeded):
    assert ids(call(seeded.endpoint, "list", {"query": {"keyword": "jt-1 jt-3"}}, x_domain_id="d1")) == ["jt-3", "jt-1"]
    query = {"filter_or": [{"k": "provider", "v": "google_cloud", "o": "eq"}, {"k": "updated_count", "v": 5, "o": "gte"}]}
    assert ids(call(seeded.endpoint, "list", {"query": query}, x_domain_id="d1")) == ["jt-3", "jt-2"]


def test_stat_group_pipeline_numbers_arrive_as_doubles(seeded):
    query = {"aggregate": [
        {"group": {"keys": [{"key": "status", "name": "status"}],
                   "fields": [{"operator": "count", "name": "n"}, {"key": "updated_count", "operator": "sum", "name": "updated"}]}},
        {"sort": [{"key": "n", "desc": True}]},
    ]}
    answer = call(seeded.endpoint, "stat", {"query": query}, x_domain_id="d1")
    assert answer == {"results": [{"status": "FAILURE", "n": 2.0, "updated": 3.0}, {"status": "SUCCESS", "n": 1.0, "updated": 5.0}]}


def test_stat_unwind_match_project_count_and_page(seeded):
    query = {"filter": [{"k": "status", "v": "FAILURE", "o": "eq"}], "aggregate": [
        {"unwind": {"path": "errors"}},
        {"group": {"keys": [{"key": "errors.error_code", "name": "code"}], "fields": [{"operator": "count", "name": "n"}]}},
        {"sort": [{"key": "code"}]},
    ], "page": {"start": 1, "limit": 1}}
    answer = call(seeded.endpoint, "stat", {"query": query}, x_domain_id="d1")
    assert answer == {"results": [{"code": "ERROR_AUTH", "n": 1.0}], "total_count": 2.0}
    answer = call(seeded.endpoint, "stat", {"query": {"aggregate": [{"count": {"name": "total"}}]}}, x_domain_id="d1")
    assert answer == {"results": [{"total": 3.0}]}


def test_stat_distinct(seeded):
    assert call(seeded.endpoint, "stat", {"query": {"distinct": "job_id"}}, x_domain_id="d1") == {"results": ["job-1", "job-2"]}
    assert call(seeded.endpoint, "stat", {"query": {"distinct": "updated_count"}}, x_domain_id="d1") == {"results": [0.0, 3.0, 5.0]}


def test_get_answers_job_task_info(seeded):
    info = call(seeded.endpoint, "get", {"job_task_id": "jt-3"}, x_domain_id="d1")
    assert info["job_task_id"] == "jt-3" and info["errors"] == [{"error_code": "ERROR_AUTH", "message": "denied", "additional": {}}]
    assert "updated_count" not in info  # zero: left out by MessageToDict


def test_delete_answers_empty_and_deletes(seeded):
    assert call(seeded.endpoint, "delete", {"job_task_id": "jt-2"}, x_domain_id="d1") == {}
    assert ids(call(seeded.endpoint, "list", {}, x_domain_id="d1")) == ["jt-3", "jt-1"]
    assert refusal(seeded.endpoint, "get", {"job_task_id": "jt-2"}, x_domain_id="d1")[0] == "ERROR_NOT_FOUND"


def test_reflection_lists_exactly_the_four_methods(endpoint):
    from tests.grpc.conftest import connector

    resources = connector(endpoint).client.api_resources
    assert sorted(resources["JobTask"]) == ["delete", "get", "list", "stat"]
