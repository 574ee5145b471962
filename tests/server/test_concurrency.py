"""Many clients at once: every answer is right and the store ends up consistent.

uvicorn runs handlers concurrently (worker threads); the app serializes store
access with one lock.  Each worker writes into its own domain, so the expected
end state is known exactly whatever the interleaving.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from .conftest import API

WORKERS = 8
ROUNDS = 12


def _worker(url: str, index: int) -> list[str]:
    """Create, list, stat, get and delete in domain ``d<index>``; returns the problems seen."""
    domain = f"domain-concurrent-{index}"
    problems = []
    with httpx.Client(base_url=url, timeout=30) as client:
        created = []
        for round_no in range(ROUNDS):
            record = {"domain_id": domain, "job_id": f"job-{index}", "status": "FAILURE" if round_no % 3 == 0 else "SUCCESS"}
            response = client.post("/_engine/job-tasks", json=record)
            if response.status_code != 201:
                problems.append(f"create {response.status_code}: {response.text}")
                continue
            created.append(response.json()["job_task_id"])
            listed = client.post(f"{API}/job-tasks/search", json={"domain_id": domain, "query": {"count_only": True}})
            if listed.json().get("total_count") != len(created):
                problems.append(f"list saw {listed.text} after {len(created)} creates")
            stat = client.post(
                f"{API}/job-tasks/stat",
                json={"domain_id": domain, "query": {"aggregate": [{"count": {"name": "n"}}]}},
            )
            if stat.status_code != 200 or stat.json()["results"] != [{"n": len(created)}]:
                problems.append(f"stat saw {stat.text} after {len(created)} creates")
        victim = created.pop()
        deleted = client.post(f"{API}/job-task/delete", json={"job_task_id": victim, "domain_id": domain})
        if deleted.status_code != 200:
            problems.append(f"delete {deleted.status_code}")
        for job_task_id in created[:3]:
            got = client.post(f"{API}/job-task/get", json={"job_task_id": job_task_id, "domain_id": domain})
            if got.status_code != 200:
                problems.append(f"get {got.status_code}")
    return problems


def test_concurrent_clients_see_consistent_answers(jobtask_server):
    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(lambda i: _worker(jobtask_server.url, i), range(WORKERS)))
    assert [p for problems in results for p in problems] == []
    assert len(jobtask_server.store) == WORKERS * (ROUNDS - 1)
    for index in range(WORKERS):
        answer = jobtask_server.guard.run(lambda s: s.list({"domain_id": f"domain-concurrent-{index}", "query": {"count_only": True}}))
        assert answer["total_count"] == ROUNDS - 1


def test_concurrent_readers_while_the_test_thread_seeds(jobtask_server, jobtask_seed, sample_records):
    """Seeding through the fixture takes the same lock the handlers take."""
    domain = sample_records[0]["domain_id"]

    def read(_):
        with httpx.Client(base_url=jobtask_server.url, timeout=30) as client:
            return [client.post(f"{API}/job-tasks/search", json={"domain_id": domain, "query": {"count_only": True}}).status_code for _ in range(10)]

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(read, i) for i in range(4)]
        for chunk in range(0, len(sample_records), 30):
            jobtask_seed(jobtask_server, sample_records[chunk:chunk + 30])
        statuses = [s for f in futures for s in f.result()]
    assert set(statuses) == {200}
    assert len(jobtask_server.store) == len(sample_records)
