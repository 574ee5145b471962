"""Server memory under concurrent big bodies: peak and kept RSS for ten 28 MiB requests at once.

    .venv/bin/python benchmarks/server_bodies_memory.py [--bodies 10] [--mib 28]

Each body is a list request whose ``in`` holds ~1.2M ids (28 MiB of JSON): it is read,
decoded (several times its size in Python objects) and then refused by
``max_in_values``, so what is measured is body handling alone, not stored records.
The server runs in its own process; RSS comes from its /proc status (VmHWM: peak).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx


def _serve(port: int, ready) -> None:
    from jobtask_engine import JobTaskStore
    from jobtask_engine.server import serve

    serve(JobTaskStore([{"domain_id": "d"}]), port=port, log_level="warning", on_ready=lambda url: ready.set())


def _rss(pid: int) -> dict[str, int]:
    out = {}
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(("VmRSS", "VmHWM")):
                name, value = line.split(":")
                out[name] = int(value.split()[0]) // 1024
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bodies", type=int, default=10)
    parser.add_argument("--mib", type=int, default=28)
    args = parser.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=_serve, args=(port, ready), daemon=True)
    server.start()
    ready.wait(60)
    ids = []
    size = 0
    while size < args.mib * 1024 * 1024 - 64:
        ids.append(f"job-task-{len(ids):012x}")
        size += len(ids[-1]) + 3
    body = json.dumps({"domain_id": "d", "query": {"filter": [{"k": "job_task_id", "v": ids, "o": "in"}]}}).encode()
    print(f"{args.bodies} bodies of {len(body) / 2**20:.1f} MiB ({len(ids):,} ids) at once; before: {_rss(server.pid)} MiB")

    def post(_: int) -> int:
        with httpx.Client(timeout=300) as client:
            return client.post(f"http://127.0.0.1:{port}/inventory/v1/job-tasks/search", content=body).status_code

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.bodies) as pool:
        statuses = list(pool.map(post, range(args.bodies)))
    print(f"answers {sorted(set(statuses))} in {time.perf_counter() - t0:.1f} s; after: {_rss(server.pid)} MiB (VmHWM = peak)")
    server.terminate()
    server.join(10)


if __name__ == "__main__":
    main()
