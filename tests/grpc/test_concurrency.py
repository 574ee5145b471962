"""Concurrent clients: many threads calling at once get the answers a serial caller would get."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import grpc
from spaceone.api.inventory.v1 import job_task_pb2 as pb

from tests.grpc.conftest import call

THREADS = 8
ROUNDS = 15


def test_concurrent_lists_stats_and_deletes(jobtask_grpc_server, jobtask_seed):
    server = jobtask_grpc_server
    for n in range(THREADS):
        jobtask_seed(server, [{"job_task_id": f"jt-{n}-{i}", "domain_id": f"d{n}", "status": "FAILURE" if i % 3 else "SUCCESS",
                               "updated_count": i} for i in range(ROUNDS)])
    stat = {"query": {"aggregate": [{"group": {"keys": [{"key": "status", "name": "s"}],
                                               "fields": [{"operator": "count", "name": "n"}]}}, {"sort": [{"key": "s"}]}]}}
    start = threading.Barrier(THREADS)

    def client(n: int) -> list[str]:
        start.wait()
        problems = []
        for i in range(ROUNDS):
            domain = f"d{n}"
            page = call(server.endpoint, "list", {"query": {"sort": [{"key": "updated_count"}], "page": {"limit": 3}}}, x_domain_id=domain)
            expected_ids = [f"jt-{n}-{j}" for j in range(i, min(i + 3, ROUNDS))]
            if [r["job_task_id"] for r in page.get("results", [])] != expected_ids or page.get("total_count", 0) != ROUNDS - i:
                problems.append(f"list {n}/{i}: {page}")
            left = range(i, ROUNDS)
            expected = [{"s": s, "n": float(c)} for s, c in (("FAILURE", sum(1 for j in left if j % 3)),
                                                                ("SUCCESS", sum(1 for j in left if not j % 3))) if c]
            if call(server.endpoint, "stat", stat, x_domain_id=domain).get("results") != expected:
                problems.append(f"stat {n}/{i}")
            call(server.endpoint, "delete", {"job_task_id": f"jt-{n}-{i}"}, x_domain_id=domain)
        return problems

    with ThreadPoolExecutor(THREADS) as pool:
        problems = [p for ps in pool.map(client, range(THREADS)) for p in ps]
    assert problems == []
    assert len(server.store) == 0


def test_separate_channels_at_once(jobtask_grpc_server, jobtask_seed):
    """Clients on their own channels (own connections), not one shared SpaceConnector channel."""
    jobtask_seed(jobtask_grpc_server, 50, domain_id="d1")
    target = jobtask_grpc_server.endpoint.removeprefix("grpc://")
    request = pb.JobTaskQuery(query={"count_only": True}).SerializeToString()

    def client(_: int) -> set[int]:
        with grpc.insecure_channel(target) as channel:
            stub = channel.unary_unary("/spaceone.api.inventory.v1.JobTask/list", request_serializer=None,
                                       response_deserializer=pb.JobTasksInfo.FromString)
            return {stub(request, metadata=(("x_domain_id", "d1"),), timeout=10).total_count for _ in range(20)}

    with ThreadPoolExecutor(THREADS) as pool:
        assert set().union(*pool.map(client, range(THREADS))) == {50}
