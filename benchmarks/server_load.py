"""Load test of the HTTP server on loopback: throughput and latency at 1, 20 and 200 connections,
with and without a heavy request in flight.

    .venv/bin/python benchmarks/server_load.py [--records 20000] [--seconds 5]

The server runs in its own process (``jobtask_engine.server.serve``, as
``jobtask-engine serve`` does), so the client's work does not share its GIL.
The client is a minimal keep-alive HTTP/1.1 client on asyncio (a request
costs it a few microseconds, so it measures the server, not itself); each
connection sends its next request as soon as the last answer is in.

Small request: a 5-row page of one domain (POST /inventory/v1/job-tasks/search).
Heavy request: a stat grouping every record by id and second, pushing errors,
sorted (~1 s of CPU at 20k records), sent in a loop on its own connection.
While it runs, one more connection asks GET /_engine/health in a loop.

Bounded: every phase runs ``--seconds``; the whole run takes about 7 phases of it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import socket
import statistics
import time

SMALL = {"domain_id": "domain-1", "query": {"page": {"limit": 5}}}
HEAVY = {"domain_id": "domain-1", "query": {"aggregate": [
    {"group": {"keys": [{"key": "job_task_id", "name": "t"}, {"key": "created_at", "name": "c", "date_format": "%Y-%m-%d %H:%M:%S"}],
               "fields": [{"operator": "push", "key": "errors", "name": "e"}, {"operator": "count", "name": "n"}]}},
    {"sort": [{"key": "c", "desc": True}]}]}}


def _post(path: str, body: dict) -> bytes:
    raw = json.dumps(body).encode()
    return f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {len(raw)}\r\n\r\n".encode() + raw


SMALL_REQ = _post("/inventory/v1/job-tasks/search", SMALL)
HEAVY_REQ = _post("/inventory/v1/job-tasks/stat", HEAVY)
HEALTH_REQ = b"GET /_engine/health HTTP/1.1\r\nHost: bench\r\n\r\n"


def _serve(port: int, records: int, ready) -> None:
    from jobtask_engine import JobTaskStore
    from jobtask_engine.server import serve
    from jobtask_engine.testing import make_job_tasks

    store = JobTaskStore(make_job_tasks(records, seed=4, domain_id="domain-1"))
    serve(store, port=port, log_level="warning", on_ready=lambda url: ready.set())


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    await reader.readexactly(length)
    return status


async def _loop(port: int, request: bytes, until: float, latencies: list[float], errors: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while time.perf_counter() < until:
            t0 = time.perf_counter()
            status = await _exchange(reader, writer, request)
            latencies.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(status)
    finally:
        writer.close()


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def _phase(port: int, connections: int, seconds: float, heavy: bool) -> dict:
    until = time.perf_counter() + seconds
    small: list[float] = []
    heavy_lat: list[float] = []
    health: list[float] = []
    errors: list[int] = []
    tasks = [_loop(port, SMALL_REQ, until, small, errors) for _ in range(connections)]
    if heavy:
        tasks.append(_loop(port, HEAVY_REQ, until, heavy_lat, errors))
        tasks.append(_loop(port, HEALTH_REQ, until, health, errors))
    started = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - started
    return {
        "connections": connections,
        "heavy": heavy,
        "requests_per_s": len(small) / elapsed,
        "p50_ms": _pct(small, 0.50),
        "p99_ms": _pct(small, 0.99),
        "health_p50_ms": _pct(health, 0.50),
        "health_p99_ms": _pct(health, 0.99),
        "heavy_done": len(heavy_lat),
        "heavy_mean_s": statistics.fmean(heavy_lat) if heavy_lat else float("nan"),
        "errors": len(errors),
    }


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", default="1,20,200")
    args = parser.parse_args()
    port = _free_port()
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, args.records, ready), daemon=True)
    server.start()
    if not ready.wait(300):
        raise SystemExit("server did not start")
    time.sleep(0.5)
    print(f"server pid {server.pid}, {args.records} records, {args.seconds:g} s a phase; load average before: {os.getloadavg()}")
    print(f"{'conns':>5} {'heavy':>5} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'health p50':>10} {'health p99':>10} {'heavy n':>7} {'heavy s':>7} {'errors':>6}")
    try:
        for heavy in (False, True):
            for connections in map(int, args.connections.split(",")):
                r = asyncio.run(_phase(port, connections, args.seconds, heavy))
                print(f"{r['connections']:>5} {str(r['heavy']):>5} {r['requests_per_s']:>8.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
                      f"{r['health_p50_ms']:>10.1f} {r['health_p99_ms']:>10.1f} {r['heavy_done']:>7} {r['heavy_mean_s']:>7.2f} {r['errors']:>6}", flush=True)
    finally:
        server.terminate()
        server.join(10)
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
