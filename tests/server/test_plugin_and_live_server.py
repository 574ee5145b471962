"""The pytest fixtures and LiveServer itself."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from jobtask_engine.pytest_plugin import seed
from jobtask_engine.server import LiveServer, create_app


def test_jobtask_store_fixture_is_fresh(jobtask_store):
    assert len(jobtask_store) == 0
    jobtask_store.create({"domain_id": "d"})
    assert len(jobtask_store) == 1


def test_jobtask_store_fixture_is_fresh_again(jobtask_store):
    assert len(jobtask_store) == 0


def test_seed_a_store_returns_infos(jobtask_store, jobtask_seed):
    infos = jobtask_seed(jobtask_store, [{"job_id": "job-1"}, {"job_id": "job-2"}], domain_id="domain-z")
    assert [i["job_id"] for i in infos] == ["job-1", "job-2"]
    assert {i["domain_id"] for i in infos} == {"domain-z"}
    assert jobtask_store.get(infos[0]["job_task_id"], "domain-z")["job_id"] == "job-1"


def test_seed_with_a_count_uses_the_factories(jobtask_store):
    infos = seed(jobtask_store, 30, seed=5, domain_id="domain-f")
    assert len(infos) == 30 == len(jobtask_store)
    assert {i["domain_id"] for i in infos} == {"domain-f"}
    again = seed(type(jobtask_store)(), 30, seed=5, domain_id="domain-f")
    assert [i["job_task_id"] for i in again] == [i["job_task_id"] for i in infos]


def test_server_fixture_serves_its_store(jobtask_server, jobtask_seed):
    assert jobtask_server.url.startswith("http://127.0.0.1:")
    infos = jobtask_seed(jobtask_server, [{"domain_id": "d", "job_id": "job-9"}])
    response = httpx.post(f"{jobtask_server.url}/inventory/v1/job-task/get", json={"job_task_id": infos[0]["job_task_id"], "domain_id": "d"})
    assert response.status_code == 200
    assert response.json()["job_id"] == "job-9"


def test_server_fixture_is_emptied_before_each_test(request, jobtask_live_server):
    jobtask_live_server.seed([{"domain_id": "d"}])
    assert len(jobtask_live_server.store) >= 1
    server = request.getfixturevalue("jobtask_server")
    assert server is jobtask_live_server
    assert len(server.store) == 0


def test_live_server_start_stop_frees_the_port():
    server = LiveServer(port=0).start()
    url = server.url
    assert httpx.get(f"{url}/_engine/health").json()["status"] == "ok"
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/_engine/health", timeout=2)


def test_live_server_uses_a_given_store(jobtask_store):
    jobtask_store.create({"domain_id": "d"})
    with LiveServer(jobtask_store) as server:
        assert server.store is jobtask_store
        assert httpx.get(f"{server.url}/_engine/health").json()["job_task_count"] == 1


def test_live_server_cannot_start_twice():
    with LiveServer() as server:
        with pytest.raises(RuntimeError):
            server.start()


def test_create_app_refuses_a_negative_limit():
    with pytest.raises(ValueError):
        create_app(max_body_bytes=-1)


def test_plugin_imports_without_the_server_stack():
    code = (
        "import sys, jobtask_engine.pytest_plugin\n"
        "heavy = [m for m in ('starlette', 'uvicorn', 'httpx', 'jobtask_engine.server', 'hypothesis') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
