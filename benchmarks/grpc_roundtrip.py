"""Round trip over gRPC vs in-process: a page of 100 from ``list`` and group-by ``stat``s.

Three sides answer the same workload requests (``benchmarks/workload.py``) from
one store:

- in-process: ``store.list`` / ``store.stat`` (dict in, dict out);
- gRPC via spaceone-core's ``SpaceConnector.dispatch`` over loopback: what a
  dependent service pays (``ParseDict`` of the request, the call, the fake's
  decoding and shaping, ``MessageToDict`` of the answer);
- gRPC raw: the serialized request sent and the answer's bytes received, no
  client-side conversion (transport plus the fake's server side).

The sides take turns call by call after a warm-up, so they share the machine's
fast and slow spells; the figures are the median and 90th percentile per call.
A script, not a test: run it with the machine otherwise quiet (and ``nice``)::

    python benchmarks/grpc_roundtrip.py --size 10000 --calls 300
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import grpc  # noqa: E402
from google.protobuf.json_format import ParseDict  # noqa: E402
from spaceone.api.inventory.v1 import job_task_pb2 as pb  # noqa: E402
from spaceone.core.connector.space_connector import SpaceConnector  # noqa: E402

from benchmarks.workload import DOMAIN, QUERIES  # noqa: E402
from jobtask_engine import JobTaskStore  # noqa: E402
from jobtask_engine.rpc import GrpcServer  # noqa: E402
from jobtask_engine.testing import make_job_tasks  # noqa: E402

#: The requests measured: workload q1 and q6/q7, plus a page of 100 in the default order.
REQUESTS: tuple[tuple[str, str, dict], ...] = (
    ("list_page100_default_order", "list", {"domain_id": DOMAIN, "query": {"page": {"limit": 100}}}),
    *((q.name, q.method, q.params) for q in QUERIES if q.name in ("q1_status_recent", "q6_group_status", "q7_group_day_provider")),
)
SIDES = ("in-process", "gRPC SpaceConnector", "gRPC raw bytes")
WARMUP = 5


def _sides(store: JobTaskStore, server: GrpcServer, method: str, params: dict) -> dict[str, Callable[[], object]]:
    sent = {k: v for k, v in params.items() if k != "domain_id"}
    connector = SpaceConnector(endpoint=server.endpoint)
    message_type = pb.JobTaskQuery if method == "list" else pb.JobTaskStatQuery
    data = ParseDict(sent, message_type()).SerializeToString()
    channel = grpc.insecure_channel(server.endpoint.removeprefix("grpc://"))
    raw = channel.unary_unary(f"/spaceone.api.inventory.v1.JobTask/{method}", request_serializer=None, response_deserializer=None)
    metadata = (("x_domain_id", DOMAIN),)
    return {
        "in-process": lambda: getattr(store, method)(params),
        "gRPC SpaceConnector": lambda: connector.dispatch(f"JobTask.{method}", sent, x_domain_id=DOMAIN),
        "gRPC raw bytes": lambda: raw(data, metadata=metadata, timeout=30),
    }


def measure(size: int, calls: int) -> dict:
    store = JobTaskStore(make_job_tasks(size, seed=1))
    figures: dict[str, dict[str, dict[str, float]]] = {}
    with GrpcServer(store) as server:
        for name, method, params in REQUESTS:
            sides = _sides(store, server, method, params)
            for fn in sides.values():
                for _ in range(WARMUP):
                    fn()
            times: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(calls):
                for side, fn in sides.items():
                    start = time.perf_counter()
                    fn()
                    times[side].append((time.perf_counter() - start) * 1000)
            figures[name] = {
                side: {"median_ms": statistics.median(t), "p90_ms": statistics.quantiles(t, n=10)[-1]} for side, t in times.items()
            }
    return {"size": size, "calls": calls, "python": sys.version.split()[0], "grpcio": grpc.__version__, "figures": figures}


def markdown(report: dict) -> str:
    lines = [
        f"{report['size']:,} records, {report['calls']} calls per side (median / p90 ms per call; CPython {report['python']}, grpcio {report['grpcio']})",
        "",
        "| request | in-process | gRPC SpaceConnector | gRPC raw bytes | SpaceConnector / in-process |",
        "|---|---|---|---|---|",
    ]
    for name, sides in report["figures"].items():
        cells = [f"{sides[s]['median_ms']:.2f} / {sides[s]['p90_ms']:.2f}" for s in SIDES]
        ratio = sides["gRPC SpaceConnector"]["median_ms"] / sides["in-process"]["median_ms"]
        lines.append(f"| {name} | {' | '.join(cells)} | {ratio:.1f}x |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000, help="records in the store (default 10000)")
    parser.add_argument("--calls", type=int, default=300, help="timed calls per request and side (default 300)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    report = measure(args.size, args.calls)
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
