"""First call of each workload query right after a load, each in a fresh process.

    python benchmarks/first_calls.py --size 1000000 [--queries q1_status_recent,q2_updated_range]
        [--source snapshot|jsonl] [--rounds 1]

For every query and round a new process opens the store (a snapshot of the
cached data set, written once beside it without indexes, by default: about a
second at 1M rows instead of seven for the JSON Lines file; ``--source jsonl``
loads the file as ``compare.py`` does), then times the query's first call, a
second call, and prints how ``explain`` answers it afterwards.  The first call
pays for every index the plan builds on the way; the second shows what the
query costs once they exist.  Output: one line per run, wall and CPU ms.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.datasets import dataset_path  # noqa: E402
from benchmarks.workload import BY_NAME, QUERY_NAMES  # noqa: E402

__all__ = ["first_call"]


def _snapshot_of(size: int) -> Path:
    data = dataset_path(size)
    snap = data.with_suffix(".noindex.snapshot")
    if not snap.exists():
        from jobtask_engine import JobTaskStore

        JobTaskStore.load(data).save(snap)  # no query ran: no sorted index kept
    return snap


def first_call(size: int, name: str, source: str) -> dict:
    """One fresh-process run (this process): open, first call, second call, explain."""
    from jobtask_engine import JobTaskStore

    store = JobTaskStore.open(_snapshot_of(size)) if source == "snapshot" else JobTaskStore.load(dataset_path(size))
    query = BY_NAME[name]
    call = getattr(store, query.method)
    times = []
    for _ in range(2):
        w, c = time.perf_counter(), time.process_time()
        call(query.params)
        times.append(((time.perf_counter() - w) * 1000, (time.process_time() - c) * 1000))
    plan = store.explain(query.params, query.method)
    strategy = {
        "conditions": [(c["condition"], c["access"]) for c in plan.get("conditions", [])],
        "order": (plan.get("order") or {}).get("strategy"),
    }
    return {"query": name, "first_ms": times[0], "second_ms": times[1], "plan": strategy}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--queries", default="q1_status_recent,q2_updated_range,q4_deep_page,q5_count_only",
                    help="comma-separated workload query names, or 'all'")
    ap.add_argument("--source", choices=("snapshot", "jsonl"), default="snapshot")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--one", help=argparse.SUPPRESS)  # run in this process, print JSON
    args = ap.parse_args()
    if args.one:
        print(json.dumps(first_call(args.size, args.one, args.source)))
        return
    names = QUERY_NAMES if args.queries == "all" else args.queries.split(",")
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        ap.error(f"unknown queries {unknown} (the workload's: {', '.join(QUERY_NAMES)})")
    if args.source == "snapshot":
        _snapshot_of(args.size)
    for _ in range(args.rounds):
        for name in names:
            cmd = [sys.executable, __file__, "--size", str(args.size), "--source", args.source, "--one", name]
            out = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
            (fw, fc), (sw, sc) = out["first_ms"], out["second_ms"]
            print(f"{name:24} first {fw:7.1f} ms (cpu {fc:7.1f})  second {sw:6.1f} ms (cpu {sc:6.1f})  {out['plan']}")


if __name__ == "__main__":
    main()
