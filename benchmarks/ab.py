"""Two versions of the engine side by side: the workload's queries in alternating fresh processes.

    python benchmarks/ab.py OLD_TREE NEW_TREE [--size 100000] [--calls 30] [--rounds 4]

``OLD_TREE`` and ``NEW_TREE`` are source trees (e.g. ``git worktree add /tmp/old <rev>``).
Each round runs one process per tree, old first, each building its own store of
``make_job_tasks(size)`` and timing every workload query (``workload.QUERIES``, read
from ``NEW_TREE``) after two warm-up calls; the table gives the median of the rounds'
CPU-time medians.  Alternating processes is what makes a 5 % difference visible on a
machine with slow spells: both sides see the same spells, and the rounds show the noise.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

_CHILD = r"""
import json, statistics, sys, time
tree, bench, size, calls = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sys.path[:0] = [tree, bench]
from jobtask_engine import JobTaskStore
from jobtask_engine.testing import make_job_tasks
from workload import QUERIES
store = JobTaskStore(make_job_tasks(size, seed=7))
out = {}
for q in QUERIES:
    call = getattr(store, q.method)
    call(q.params); call(q.params)
    times = []
    for _ in range(calls):
        t = time.process_time(); call(q.params); times.append(time.process_time() - t)
    out[q.name] = statistics.median(times) * 1e3
print(json.dumps(out))
"""


def run_side(tree: Path, size: int, calls: int) -> dict[str, float]:
    """Median CPU ms per workload query of one fresh process over ``tree``."""
    bench = Path(__file__).resolve().parent
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, str(tree.resolve()), str(bench), str(size), str(calls)],
        capture_output=True, text=True, check=True, cwd=tree,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    rounds: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        rounds["old"].append(run_side(args.old, args.size, args.calls))
        rounds["new"].append(run_side(args.new, args.size, args.calls))
    print(f"{args.size} records, {args.rounds} rounds of {args.calls} calls; CPU ms, median of the rounds")
    print(f"{'query':24s} {'old':>9s} {'new':>9s} {'new/old':>8s}")
    for name in rounds["new"][0]:
        old = statistics.median(r[name] for r in rounds["old"])
        new = statistics.median(r[name] for r in rounds["new"])
        print(f"{name:24s} {old:9.3f} {new:9.3f} {new / old:8.2f}")


if __name__ == "__main__":
    main()
