"""The dependent service's tests: its real SpaceConnector against the fake over gRPC."""

from __future__ import annotations

import base64
import json

import pytest
from spaceone.core.connector.space_connector import SpaceConnector
from spaceone.core.error import ERROR_BASE

from collector_health import CollectorHealth, Failure, configure_inventory

TASKS = [
    {"job_task_id": "jt-1", "job_id": "job-1", "domain_id": "d1", "status": "SUCCESS", "created_at": "2024-03-01T10:00:00.000Z"},
    {"job_task_id": "jt-2", "job_id": "job-1", "domain_id": "d1", "status": "FAILURE", "created_at": "2024-03-01T11:00:00.000Z",
     "errors": [{"error_code": "ERROR_TIMEOUT", "message": "timed out"}]},
    {"job_task_id": "jt-3", "job_id": "job-2", "domain_id": "d1", "status": "FAILURE", "created_at": "2024-03-01T12:00:00.000Z",
     "errors": [{"error_code": "ERROR_TIMEOUT", "message": "again"}, {"error_code": "ERROR_AUTH", "message": "denied"}]},
    {"job_task_id": "jt-4", "job_id": "job-2", "domain_id": "d1", "status": "SUCCESS", "created_at": "2024-03-01T13:00:00.000Z"},
    {"job_task_id": "jt-9", "job_id": "job-9", "domain_id": "d2", "status": "FAILURE", "created_at": "2024-03-02T00:00:00.000Z",
     "errors": [{"error_code": "ERROR_OTHER_DOMAIN", "message": "not ours"}]},
]


@pytest.fixture
def inventory(jobtask_grpc_server, jobtask_seed):
    """The service's configuration pointed at the fake; nothing else changes."""
    jobtask_seed(jobtask_grpc_server, TASKS)
    configure_inventory(jobtask_grpc_server.endpoint)
    return jobtask_grpc_server


def test_health_of_a_domain(inventory):
    health = CollectorHealth(domain_id="d1").health()
    assert health.total == 4
    assert health.by_status == {"SUCCESS": 2, "FAILURE": 2}
    assert health.failure_rate == 0.5
    assert health.top_error_codes == [("ERROR_TIMEOUT", 2), ("ERROR_AUTH", 1)]
    assert health.latest_failures == [
        Failure("jt-3", "job-2", "2024-03-01T12:00:00.000Z", ["ERROR_TIMEOUT", "ERROR_AUTH"]),
        Failure("jt-2", "job-1", "2024-03-01T11:00:00.000Z", ["ERROR_TIMEOUT"]),
    ]


def test_a_user_token_scopes_to_its_domain(inventory):
    claims = base64.urlsafe_b64encode(json.dumps({"did": "d2", "rol": "DOMAIN_ADMIN"}).encode()).rstrip(b"=").decode()
    connector = SpaceConnector(endpoint=inventory.endpoint, token=f"e30.{claims}.unsigned")
    health = CollectorHealth(connector).health()
    assert health.by_status == {"FAILURE": 1}
    assert health.top_error_codes == [("ERROR_OTHER_DOMAIN", 1)]


def test_an_empty_domain(inventory):
    health = CollectorHealth(domain_id="nobody").health()
    assert (health.total, health.failure_rate, health.top_error_codes, health.latest_failures) == (0, 0.0, [], [])


def test_a_refusal_reaches_the_service_with_its_code(inventory):
    service = CollectorHealth(domain_id="d1")
    with pytest.raises(ERROR_BASE) as info:
        service.top_error_codes(limit=-1)
    assert info.value.error_code == "ERROR_DB_QUERY"
    assert "the limit must be positive" in info.value.message
