"""Every route of the live server, over real HTTP, against the store's own answers.

The server is a transport: whatever the store answers in-process, the HTTP
route must answer byte-for-byte as JSON.  So each test asks the route and the
store (under the server's lock) the same request and compares.
"""

from __future__ import annotations

import json

from jobtask_engine.schema import FIELD_NAMES

from .conftest import API, assert_error, biggest_domain, snapshot


def in_process(server, method: str, request: dict) -> dict:
    return server.guard.run(lambda store: getattr(store, method)(request))


def test_health_counts_records(client, seeded, sample_records):
    response = client.get("/_engine/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "job_task_count": len(sample_records)}


def test_create_one_returns_job_task_info(client, jobtask_server):
    record = {"domain_id": "domain-a", "job_id": "job-1", "status": "FAILURE", "failure_count": 2,
              "errors": [{"error_code": "ERROR_X", "message": "boom"}], "created_at": "2024-05-01T10:00:00Z"}
    response = client.post("/_engine/job-tasks", json=record)
    assert response.status_code == 201
    info = response.json()
    assert tuple(info) == FIELD_NAMES
    assert info["job_task_id"].startswith("job-task-")
    assert info["status"] == "FAILURE" and info["created_at"] == "2024-05-01T10:00:00.000Z"
    assert len(jobtask_server.store) == 1


def test_create_many_inserts_all(client, jobtask_server, sample_records):
    response = client.post("/_engine/job-tasks", json=sample_records[:50])
    assert response.status_code == 201
    assert response.json() == {"inserted_count": 50}
    assert len(jobtask_server.store) == 50


def test_get_list_from_query_string(client, seeded, sample_records):
    domain = biggest_domain(sample_records)
    query = {"sort": [{"key": "job_task_id"}], "page": {"start": 2, "limit": 7}}
    response = client.get(
        f"{API}/job-tasks",
        params=[("domain_id", domain), ("status", "SUCCESS"), ("status", "FAILURE"), ("query", json.dumps(query))],
    )
    assert response.status_code == 200
    expected = in_process(seeded, "list", {"domain_id": domain, "status": ["SUCCESS", "FAILURE"], "query": query})
    assert response.json() == expected
    assert len(expected["results"]) == 7 and expected["total_count"] > 7


def test_get_list_single_value_is_equality(client, seeded, sample_records):
    record = sample_records[5]
    response = client.get(f"{API}/job-tasks", params={"domain_id": record["domain_id"], "job_id": record["job_id"]})
    assert response.status_code == 200
    body = response.json()
    assert body["total_count"] == sum(1 for r in sample_records if r["job_id"] == record["job_id"])
    assert {r["job_id"] for r in body["results"]} == {record["job_id"]}


def test_search_and_todays_list_answer_like_the_store(client, seeded, sample_records):
    domain = biggest_domain(sample_records)
    request = {
        "domain_id": domain,
        "query": {
            "filter": [{"k": "failure_count", "v": 0, "o": "gt"}],
            "sort": {"key": "created_at", "desc": True},
            "page": {"limit": 5},
            "only": ["job_task_id", "status", "failure_count", "created_at"],
        },
    }
    expected = in_process(seeded, "list", request)
    assert expected["total_count"] > 0
    for route in (f"{API}/job-tasks/search", f"{API}/job-task/list"):
        response = client.post(route, json=request)
        assert response.status_code == 200, response.text
        assert response.json() == expected


def test_keyword_search(client, seeded, sample_records):
    record = sample_records[0]
    fragment = record["job_task_id"][-6:]
    response = client.post(f"{API}/job-tasks/search", json={"domain_id": record["domain_id"], "query": {"keyword": fragment}})
    assert response.status_code == 200
    assert record["job_task_id"] in {r["job_task_id"] for r in response.json()["results"]}


def test_stat_routes_answer_like_the_store(client, seeded, sample_records):
    domain = biggest_domain(sample_records)
    request = {
        "domain_id": domain,
        "query": {
            "aggregate": [
                {"group": {"keys": [{"key": "status", "name": "status"}],
                           "fields": [{"operator": "count", "name": "count"},
                                      {"operator": "sum", "key": "failure_count", "name": "failures"}]}},
                {"sort": [{"key": "count", "desc": True}]},
            ]
        },
    }
    expected = in_process(seeded, "stat", request)
    assert sum(row["count"] for row in expected["results"]) == sum(1 for r in sample_records if r["domain_id"] == domain)
    for route in (f"{API}/job-tasks/stat", f"{API}/job-task/stat"):
        response = client.post(route, json=request)
        assert response.status_code == 200, response.text
        assert response.json() == expected


def test_stat_distinct(client, seeded, sample_records):
    domain = biggest_domain(sample_records)
    response = client.post(f"{API}/job-tasks/stat", json={"domain_id": domain, "query": {"distinct": "status"}})
    assert response.status_code == 200
    statuses = {r["status"] for r in sample_records if r["domain_id"] == domain}
    assert set(response.json()["results"]) == statuses


def test_get_returns_the_record(client, seeded, sample_records):
    record = sample_records[3]
    response = client.post(f"{API}/job-task/get", json={"job_task_id": record["job_task_id"], "domain_id": record["domain_id"]})
    assert response.status_code == 200
    info = response.json()
    assert tuple(info) == FIELD_NAMES
    assert info["job_task_id"] == record["job_task_id"] and info["job_id"] == record["job_id"]


def test_get_scoped_to_workspace(client, seeded, sample_records):
    record = sample_records[3]
    ids = {"job_task_id": record["job_task_id"], "domain_id": record["domain_id"]}
    same = client.post(f"{API}/job-task/get", json={**ids, "workspace_id": record["workspace_id"]})
    assert same.status_code == 200
    other = client.post(f"{API}/job-task/get", json={**ids, "workspace_id": "workspace-elsewhere"})
    assert_error(other, 404, "ERROR_NOT_FOUND")


def test_delete_removes_the_record(client, seeded, sample_records):
    record = sample_records[7]
    ids = {"job_task_id": record["job_task_id"], "domain_id": record["domain_id"]}
    response = client.post(f"{API}/job-task/delete", json=ids)
    assert response.status_code == 200
    assert response.json() == {}
    assert len(seeded.store) == len(sample_records) - 1
    assert_error(client.post(f"{API}/job-task/get", json=ids), 404, "ERROR_NOT_FOUND")


def test_update_route_changes_updatable_fields(client, seeded, sample_records):
    record = sample_records[9]
    response = client.post(
        "/_engine/job-tasks/update",
        json={"job_task_id": record["job_task_id"], "domain_id": record["domain_id"], "status": "CANCELED", "failure_count": 42},
    )
    assert response.status_code == 200, response.text
    info = response.json()
    assert info["status"] == "CANCELED" and info["failure_count"] == 42
    again = client.post(f"{API}/job-task/get", json={"job_task_id": record["job_task_id"], "domain_id": record["domain_id"]})
    assert again.json() == info


def test_reset_empties_the_store(client, seeded, sample_records):
    response = client.post("/_engine/reset")
    assert response.status_code == 200
    assert response.json() == {"deleted_count": len(sample_records)}
    assert len(seeded.store) == 0
    assert client.get("/_engine/health").json()["job_task_count"] == 0


def test_empty_body_means_no_parameters(client, seeded):
    response = client.post(f"{API}/job-tasks/search", content=b"")
    assert_error(response, 400, "ERROR_REQUIRED_PARAMETER")


def test_responses_are_json(client, seeded, sample_records):
    response = client.post(f"{API}/job-tasks/search", json={"domain_id": sample_records[0]["domain_id"], "query": {"page": {"limit": 1}}})
    assert response.headers["content-type"] == "application/json"


def test_list_answers_are_unchanged_by_reading(client, seeded, sample_records):
    before = snapshot(seeded)
    client.post(f"{API}/job-tasks/search", json={"domain_id": sample_records[0]["domain_id"]})
    client.post(f"{API}/job-tasks/stat", json={"domain_id": sample_records[0]["domain_id"], "query": {"distinct": "job_id"}})
    assert snapshot(seeded) == before
