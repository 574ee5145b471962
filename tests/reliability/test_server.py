"""The HTTP server stays responsive and bounded: a real uvicorn on loopback, started here.

- idle and half-sent connections are closed after the request deadline;
- health and small requests answer while a heavy request is in flight;
- bodies in flight share one memory budget;
- hostile bodies get a 4xx, never a 500, and change nothing.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from types import SimpleNamespace

import httpx
import pytest
from hypothesis import HealthCheck, given, settings

from jobtask_engine import JobTaskStore
from jobtask_engine.server import LiveServer
from jobtask_engine.server.bodies import BodyBudget
from jobtask_engine.testing import list_requests, make_job_tasks, stat_requests

from .hostile import mutated

API = "/inventory/v1"
DOMAIN = "domain-1"


@pytest.fixture(scope="module")
def server():
    store = JobTaskStore(make_job_tasks(30_000, seed=4, domain_id=DOMAIN))
    with LiveServer(store, request_timeout=0.5, keep_alive=0.5) as live:
        yield live


@pytest.fixture(scope="module")
def roomy_server():
    """The same store behind the default deadlines: for the tests about answering beside a
    heavy request, where a client starved of CPU on a loaded machine may take longer than
    ``server``'s 0.5 s to send its request (that deadline is the subject of other tests)."""
    store = JobTaskStore(make_job_tasks(30_000, seed=4, domain_id=DOMAIN))
    with LiveServer(store) as live:
        yield live


def _connect(url: str) -> socket.socket:
    host, port = url.removeprefix("http://").rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_by_server(sock: socket.socket, cap: float = 10.0) -> bool:
    """True once the server closes the connection (recv gives b''), within ``cap`` seconds."""
    sock.settimeout(cap)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (socket.timeout, TimeoutError):
        return False
    except ConnectionResetError:
        return True
    finally:
        sock.close()


def test_a_connection_that_sends_nothing_is_closed(server):
    assert _closed_by_server(_connect(server.url))


def test_half_sent_headers_are_not_kept_open(server):
    sock = _connect(server.url)
    sock.sendall(b"POST /inventory/v1/job-tasks/search HTTP/1.1\r\nHost: x\r\nContent-Le")
    assert _closed_by_server(sock)


def test_a_half_sent_body_is_not_kept_open(server):
    sock = _connect(server.url)
    sock.sendall(b"POST /inventory/v1/job-tasks/search HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"domain_id\"")
    assert _closed_by_server(sock)


def test_a_trickled_request_that_arrives_in_time_is_answered(server):
    sock = _connect(server.url)
    body = json.dumps({"domain_id": DOMAIN, "query": {"count_only": True}}).encode()
    head = f"POST {API}/job-tasks/search HTTP/1.1\r\nHost: x\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    for part in (head[:10], head[10:], body[:5], body[5:]):
        sock.sendall(part)
        time.sleep(0.05)
    sock.settimeout(10)
    answer = b""
    while chunk := sock.recv(65536):
        answer += chunk
    sock.close()
    assert answer.startswith(b"HTTP/1.1 200") and b'"total_count":30000' in answer


def test_an_idle_keep_alive_connection_is_closed(server):
    sock = _connect(server.url)
    sock.sendall(b"GET /_engine/health HTTP/1.1\r\nHost: x\r\n\r\n")  # keep-alive (HTTP/1.1's default)
    sock.settimeout(10)
    answer = sock.recv(65536)
    assert answer.startswith(b"HTTP/1.1 200")
    assert _closed_by_server(sock)  # after keep_alive (0.5 s here) of silence


HEAVY = {"domain_id": DOMAIN, "query": {"aggregate": [
    {"group": {"keys": [{"key": "job_task_id", "name": "t"}, {"key": "created_at", "name": "c", "date_format": "%Y-%m-%d %H:%M:%S"}],
               "fields": [{"operator": "push", "key": "errors", "name": "e"}, {"operator": "count", "name": "n"}]}},
    {"sort": [{"key": "c", "desc": True}]}]}}


def test_health_and_small_requests_answer_while_a_heavy_request_runs(roomy_server):
    server = roomy_server
    done = threading.Event()
    heavy_answers: list = []

    def heavy() -> None:
        try:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                for _ in range(3):
                    heavy_answers.append(client.post(f"{API}/job-tasks/stat", json=HEAVY).status_code)
        finally:
            done.set()

    worker = threading.Thread(target=heavy)
    worker.start()
    answered_during = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        time.sleep(0.2)
        while not done.is_set() and answered_during < 20:
            assert client.get("/_engine/health").json()["job_task_count"] == 30_000
            small = client.post(f"{API}/job-tasks/search", json={"domain_id": DOMAIN, "query": {"page": {"limit": 5}}})
            assert small.status_code == 200 and len(small.json()["results"]) == 5
            if not done.is_set():
                answered_during += 1
    worker.join(120)
    assert heavy_answers == [200, 200, 200], heavy_answers
    assert answered_during > 0, "no small request was answered while the heavy one ran"


def test_bodies_in_flight_stay_within_the_budget():
    async def scenario() -> int:
        budget = BodyBudget(100)
        peak = 0

        async def one(size: int) -> None:
            nonlocal peak
            request = SimpleNamespace(headers={"content-length": str(size)})
            async with budget.hold(request, 1000):
                peak = max(peak, budget.in_use)
                await asyncio.sleep(0.01)

        await asyncio.gather(*(one(s) for s in (60, 60, 60, 30, 30, 100, 500)))
        assert budget.in_use == 0
        return peak

    # one body always fits (a 500-byte one alone), two never pass the budget together
    assert asyncio.run(scenario()) <= 500


FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


@FUZZ
@given(mutated(list_requests((DOMAIN,)), in_process=False) | mutated(stat_requests((DOMAIN,)), in_process=False))
def test_hostile_bodies_get_4xx_and_change_nothing(server, body):
    route = f"{API}/job-tasks/stat" if "aggregate" in str(body)[:2000] or "distinct" in str(body)[:2000] else f"{API}/job-tasks/search"
    raw = json.dumps(body, allow_nan=True).encode()  # NaN and Infinity as the literals some clients send
    with httpx.Client(base_url=server.url, timeout=60) as client:
        response = client.post(route, content=raw, headers={"content-type": "application/json"})
        assert response.status_code < 500, response.text[:500]
        assert client.get("/_engine/health").json()["job_task_count"] == 30_000


def test_an_unrepresentable_datetime_over_http_is_a_400_and_changes_nothing(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        created = client.post("/_engine/job-tasks", json={"domain_id": "domain-z", "created_at": "0001-01-01T00:00:00+01:00"})
        assert created.status_code == 400 and created.json()["error"]["code"] == "ERROR_INVALID_PARAMETER"
        some = client.post(f"{API}/job-tasks/search", json={"domain_id": DOMAIN, "query": {"page": {"limit": 1}}}).json()["results"][0]
        updated = client.post("/_engine/job-tasks/update", json={"job_task_id": some["job_task_id"], "domain_id": DOMAIN,
                                                                  "finished_at": "9999-12-31T23:59:59-01:00"})
        assert updated.status_code == 400
        again = client.post(f"{API}/job-task/get", json={"job_task_id": some["job_task_id"], "domain_id": DOMAIN}).json()
        assert again == some
        assert client.get("/_engine/health").json()["job_task_count"] == 30_000


@pytest.mark.parametrize("depth", [1_000, 100_000])
@pytest.mark.parametrize("route", [f"{API}/job-tasks/search", f"{API}/job-tasks/stat", "/_engine/job-tasks"])
def test_bodies_nested_deeper_than_any_encoder_get_a_400(server, route, depth):
    deep = "[" * depth + "]" * depth
    body = '{"domain_id": "%s", "query": {"filter": [{"k": "job_id", "v": %s, "o": "in"}]}, "errors": [{"additional": {"x": %s}}]}' % (DOMAIN, deep, deep)
    with httpx.Client(base_url=server.url, timeout=60) as client:
        response = client.post(route, content=body.encode(), headers={"content-type": "application/json"})
        assert 400 <= response.status_code < 500, response.text[:300]
        assert client.get("/_engine/health").json()["job_task_count"] == 30_000
