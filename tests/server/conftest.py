"""Fixtures for the server tests: an HTTP client on the session's live server, and data."""

from __future__ import annotations

from typing import Iterator

import httpx
import pytest

from jobtask_engine.testing import make_job_tasks

API = "/inventory/v1"

#: A hundred and fifty realistic records over several domains (shared, never mutated).
SAMPLE_RECORDS: list[dict] = make_job_tasks(150, seed=11)


@pytest.fixture(scope="session")
def sample_records() -> list[dict]:
    """``SAMPLE_RECORDS``, as a fixture."""
    return SAMPLE_RECORDS


@pytest.fixture
def client(jobtask_server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=jobtask_server.url, timeout=10) as http:
        yield http


@pytest.fixture
def seeded(jobtask_server, jobtask_seed, sample_records):
    """The live server holding ``sample_records``."""
    jobtask_seed(jobtask_server, sample_records)
    return jobtask_server


def biggest_domain(records: list[dict]) -> str:
    counts: dict[str, int] = {}
    for record in records:
        counts[record["domain_id"]] = counts.get(record["domain_id"], 0) + 1
    return max(counts, key=counts.get)


def snapshot(server) -> list[dict]:
    """Every stored record, read under the store lock (to check nothing changed)."""
    return server.guard.run(lambda store: sorted(store, key=lambda r: r["job_task_id"]))


def assert_error(response: httpx.Response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body["error"]
