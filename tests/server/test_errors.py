"""Every error status over real HTTP: 400, 404, 405, 409, 413 -- never a 500, never a change."""

from __future__ import annotations

import json

import httpx
import pytest

from jobtask_engine.server import LiveServer

from .conftest import API, assert_error, snapshot

POST_ROUTES = [
    f"{API}/job-tasks/search",
    f"{API}/job-tasks/stat",
    f"{API}/job-task/list",
    f"{API}/job-task/stat",
    f"{API}/job-task/get",
    f"{API}/job-task/delete",
    "/_engine/job-tasks",
    "/_engine/job-tasks/update",
]


@pytest.fixture
def unchanged(seeded):
    """Fails the test if the store changed by the end of it."""
    before = snapshot(seeded)
    yield seeded
    assert snapshot(seeded) == before


@pytest.mark.parametrize("route", POST_ROUTES)
def test_malformed_json_is_400_on_every_route(client, unchanged, route):
    error = assert_error(client.post(route, content=b'{"domain_id": '), 400, "ERROR_INVALID_PARAMETER")
    assert "body" in error["message"]


@pytest.mark.parametrize("body", [b"{", b'{"domain_id": }', b"\xff\xfe", b'{"a": 1} trailing', b"[" * 100_000])
def test_malformed_json_of_every_kind_is_400(client, unchanged, body):
    error = assert_error(client.post(f"{API}/job-tasks/search", content=body), 400, "ERROR_INVALID_PARAMETER")
    assert "body" in error["message"]


@pytest.mark.parametrize("route", [r for r in POST_ROUTES if r != "/_engine/job-tasks"])
@pytest.mark.parametrize("body", ["[]", "null"])
def test_body_that_is_not_an_object_is_400(client, unchanged, route, body):
    assert_error(client.post(route, content=body), 400, "ERROR_INVALID_PARAMETER_TYPE")


@pytest.mark.parametrize("body", ["3", '"text"', "true", "[{}]"])
def test_scalar_bodies_are_400(client, unchanged, body):
    assert_error(client.post(f"{API}/job-tasks/stat", content=body), 400, "ERROR_INVALID_PARAMETER_TYPE")


@pytest.mark.parametrize("body", ["3", '"text"', "[1, 2]", '[{"domain_id": "d"}, 5]'])
def test_create_body_must_be_object_or_list_of_objects(client, unchanged, body):
    assert_error(client.post("/_engine/job-tasks", content=body), 400, "ERROR_INVALID_PARAMETER_TYPE")


@pytest.mark.parametrize("route", [f"{API}/job-tasks/search", f"{API}/job-task/list", f"{API}/job-tasks/stat", f"{API}/job-task/stat"])
def test_missing_domain_id_is_400(client, unchanged, route):
    body = {"query": {"distinct": "status"}} if route.endswith("stat") else {}
    error = assert_error(client.post(route, json=body), 400, "ERROR_REQUIRED_PARAMETER")
    assert "domain_id" in error["message"]


def test_missing_domain_id_in_query_string_is_400(client, unchanged):
    assert_error(client.get(f"{API}/job-tasks", params={"status": "SUCCESS"}), 400, "ERROR_REQUIRED_PARAMETER")


def test_stat_without_query_is_400(client, unchanged, sample_records):
    error = assert_error(client.post(f"{API}/job-tasks/stat", json={"domain_id": sample_records[0]["domain_id"]}), 400, "ERROR_REQUIRED_PARAMETER")
    assert "query" in error["message"]


def test_unknown_operator_is_400(client, unchanged, sample_records):
    body = {"domain_id": sample_records[0]["domain_id"], "query": {"filter": [{"k": "status", "v": "x", "o": "bogus"}]}}
    error = assert_error(client.post(f"{API}/job-tasks/search", json=body), 400, "ERROR_DB_QUERY")
    assert "bogus" in error["message"]


def test_operator_value_of_wrong_type_is_400(client, unchanged, sample_records):
    body = {"domain_id": sample_records[0]["domain_id"], "query": {"filter": [{"k": "status", "v": "SUCCESS", "o": "in"}]}}
    assert_error(client.post(f"{API}/job-tasks/search", json=body), 400, "ERROR_OPERATOR_LIST_VALUE_TYPE")


def test_wrong_query_type_is_400(client, unchanged, sample_records):
    body = {"domain_id": sample_records[0]["domain_id"], "query": {"filter": "status=SUCCESS"}}
    response = client.post(f"{API}/job-tasks/search", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"].startswith("ERROR_")


def test_unknown_stat_stage_is_400(client, unchanged, sample_records):
    body = {"domain_id": sample_records[0]["domain_id"], "query": {"aggregate": [{"explode": {}}]}}
    assert_error(client.post(f"{API}/job-tasks/stat", json=body), 400, "ERROR_DB_QUERY")


def test_malformed_query_parameter_is_400(client, unchanged):
    error = assert_error(client.get(f"{API}/job-tasks", params={"domain_id": "d", "query": "{nope"}), 400, "ERROR_INVALID_PARAMETER")
    assert "query" in error["message"]
    assert_error(client.get(f"{API}/job-tasks", params={"domain_id": "d", "query": "[1]"}), 400, "ERROR_INVALID_PARAMETER_TYPE")
    assert_error(
        client.get(f"{API}/job-tasks", params=[("domain_id", "d"), ("query", "{}"), ("query", "{}")]),
        400,
        "ERROR_INVALID_PARAMETER",
    )


def test_unknown_query_string_parameter_is_400(client, unchanged):
    error = assert_error(client.get(f"{API}/job-tasks", params={"domain_id": "d", "stauts": "SUCCESS"}), 400, "ERROR_INVALID_PARAMETER")
    assert "stauts" in error["message"]


@pytest.mark.parametrize(
    "body, code",
    [
        ({"domain_id": "d"}, "ERROR_REQUIRED_PARAMETER"),
        ({"job_task_id": "job-task-1"}, "ERROR_REQUIRED_PARAMETER"),
        ({"job_task_id": 5, "domain_id": "d"}, "ERROR_INVALID_PARAMETER_TYPE"),
        ({"job_task_id": "job-task-1", "domain_id": ["d"]}, "ERROR_INVALID_PARAMETER_TYPE"),
        ({"job_task_id": "job-task-1", "domain_id": "d", "colour": "red"}, "ERROR_INVALID_PARAMETER"),
    ],
)
@pytest.mark.parametrize("route", [f"{API}/job-task/get", f"{API}/job-task/delete"])
def test_get_and_delete_check_their_parameters(client, unchanged, route, body, code):
    assert_error(client.post(route, json=body), 400, code)


def test_create_invalid_record_is_400(client, unchanged):
    response = client.post("/_engine/job-tasks", json={"domain_id": "d", "status": "EXPLODED"})
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"].startswith("ERROR_INVALID_PARAMETER")


def test_create_many_is_all_or_nothing(client, unchanged, sample_records):
    batch = [{"domain_id": "d-new", "job_id": f"job-{i}"} for i in range(5)] + [{"domain_id": "d-new", "created_count": "many"}]
    response = client.post("/_engine/job-tasks", json=batch)
    assert response.status_code == 400, response.text


def test_update_of_non_updatable_field_is_refused(client, unchanged, sample_records):
    record = sample_records[0]
    body = {"job_task_id": record["job_task_id"], "domain_id": record["domain_id"], "job_id": "job-other"}
    response = client.post("/_engine/job-tasks/update", json=body)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize("route", [f"{API}/job-task/get", f"{API}/job-task/delete", "/_engine/job-tasks/update"])
def test_unknown_id_is_404(client, unchanged, sample_records, route):
    assert_error(client.post(route, json={"job_task_id": "job-task-nope", "domain_id": sample_records[0]["domain_id"]}), 404, "ERROR_NOT_FOUND")


def test_other_domain_is_404(client, unchanged, sample_records):
    record = sample_records[0]
    body = {"job_task_id": record["job_task_id"], "domain_id": record["domain_id"] + "-other"}
    assert_error(client.post(f"{API}/job-task/get", json=body), 404, "ERROR_NOT_FOUND")


def test_unknown_route_is_404(client, unchanged):
    assert_error(client.get("/inventory/v1/nothing-here"), 404, "ERROR_ROUTE_NOT_FOUND")
    assert_error(client.post("/inventory/v2/job-task/list", json={}), 404, "ERROR_ROUTE_NOT_FOUND")


@pytest.mark.parametrize(
    "method, route",
    [("GET", f"{API}/job-tasks/search"), ("POST", f"{API}/job-tasks"), ("PUT", "/_engine/job-tasks"), ("DELETE", f"{API}/job-task/delete"), ("POST", "/_engine/health")],
)
def test_wrong_method_is_405(client, unchanged, method, route):
    assert_error(client.request(method, route), 405, "ERROR_METHOD_NOT_ALLOWED")


def test_duplicate_id_is_409(client, unchanged, sample_records):
    record = sample_records[0]
    assert_error(client.post("/_engine/job-tasks", json=record), 409, "ERROR_SAVE_UNIQUE_VALUES")


def test_duplicate_within_a_batch_is_409(client, unchanged):
    batch = [{"job_task_id": "job-task-twin", "domain_id": "d"}, {"job_task_id": "job-task-twin", "domain_id": "d"}]
    assert_error(client.post("/_engine/job-tasks", json=batch), 409, "ERROR_SAVE_UNIQUE_VALUES")


# -- 413 ---------------------------------------------------------------------------

LIMIT = 4096


@pytest.fixture(scope="module")
def small_server():
    with LiveServer(host="127.0.0.1", port=0, max_body_bytes=LIMIT) as server:
        yield server


@pytest.fixture
def small_client(small_server):
    small_server.reset()
    small_server.seed([{"domain_id": "d", "job_id": "job-1"}])
    with httpx.Client(base_url=small_server.url, timeout=10) as http:
        yield http
    assert len(small_server.store) == 1


def _big_batch(size: int) -> bytes:
    records = [{"domain_id": "d", "job_id": f"job-{i}"} for i in range(size)]
    return json.dumps(records).encode()


@pytest.mark.parametrize("route", POST_ROUTES)
def test_body_over_the_limit_is_413(small_client, route):
    body = _big_batch(200)
    assert len(body) > LIMIT
    error = assert_error(small_client.post(route, content=body), 413, "ERROR_REQUEST_TOO_LARGE")
    assert str(LIMIT) in error["message"]


def test_chunked_body_over_the_limit_is_413(small_client):
    def chunks():
        for _ in range(20):
            yield b" " * 1024

    response = small_client.post("/_engine/job-tasks", content=chunks())
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "ERROR_REQUEST_TOO_LARGE")


def test_much_larger_body_still_gets_413(small_client):
    body = b" " * (2 * 1024 * 1024)
    assert_error(small_client.post("/_engine/job-tasks", content=body), 413, "ERROR_REQUEST_TOO_LARGE")


def test_body_at_the_limit_is_accepted(small_client):
    record = json.dumps({"domain_id": "d", "job_id": "job-2"}).encode()
    body = record + b" " * (LIMIT - len(record))
    assert len(body) == LIMIT
    response = small_client.post("/inventory/v1/job-tasks/search", content=body)
    assert response.status_code == 200, response.text


def test_connection_still_usable_after_413(small_client):
    assert small_client.post("/_engine/job-tasks", content=_big_batch(300)).status_code == 413
    assert small_client.get("/_engine/health").status_code == 200
