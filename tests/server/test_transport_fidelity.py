"""Generated list and stat requests: the HTTP answer is the in-process answer, errors included.

Uses the project's hypothesis strategies.  The request is compared after a JSON
round trip (what the server actually receives), so only the transport is tested.
"""

from __future__ import annotations

import msgspec
from hypothesis import HealthCheck, given, settings

from jobtask_engine import EngineError
from jobtask_engine.testing import list_requests, stat_requests

from .conftest import API, SAMPLE_RECORDS

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def _expected(server, method: str, wire: bytes) -> tuple[int, dict]:
    request = msgspec.json.decode(wire)
    try:
        answer = server.guard.run(lambda store: getattr(store, method)(request))
    except EngineError as exc:
        return exc.status, {"error": {"code": exc.code, "message": exc.message}}
    return 200, msgspec.json.decode(msgspec.json.encode(answer))


DOMAINS = sorted({r["domain_id"] for r in SAMPLE_RECORDS})


def _check(client, server, route: str, method: str, request: dict) -> None:
    wire = msgspec.json.encode(request)
    status, body = _expected(server, method, wire)
    response = client.post(route, content=wire)
    assert (response.status_code, response.json()) == (status, body)


@SETTINGS
@given(data=list_requests(DOMAINS, records=SAMPLE_RECORDS))
def test_list_over_http_equals_in_process(client, seeded, data):
    _check(client, seeded, f"{API}/job-tasks/search", "list", data)


@SETTINGS
@given(data=stat_requests(DOMAINS))
def test_stat_over_http_equals_in_process(client, seeded, data):
    _check(client, seeded, f"{API}/job-tasks/stat", "stat", data)
