"""Profile the engine on workload queries with pyinstrument (where does the time go?).

    python benchmarks/hotspots.py --size 100000 q7_group_day_provider [q6_group_status ...]
        [--calls 5] [--load] [--interval 0.0005] [--html out_dir]

Each named query runs once to warm up, then ``--calls`` times under the
profiler; the call tree is printed (``--html`` also writes one HTML file per
query).  ``--load`` profiles ``JobTaskStore.load`` of the data set instead.
Query names are those of ``workload.py``; ``all`` profiles all nine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.datasets import dataset_path  # noqa: E402
from benchmarks.workload import BY_NAME, QUERY_NAMES  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    from pyinstrument import Profiler

    from jobtask_engine import JobTaskStore

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("queries", nargs="*", help="query names (see workload.py) or 'all'")
    p.add_argument("--size", type=int, default=100_000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--calls", type=int, default=5)
    p.add_argument("--interval", type=float, default=0.0005, help="sampling interval, seconds")
    p.add_argument("--load", action="store_true", help="profile loading the JSON Lines file")
    p.add_argument("--html", default=None, help="directory for HTML reports")
    args = p.parse_args(argv)
    names = list(QUERY_NAMES) if args.queries == ["all"] else args.queries

    path = dataset_path(args.size, args.seed)
    jobs = []
    if args.load:
        jobs.append(("load", lambda: JobTaskStore.load(path)))
    if names:
        store = JobTaskStore.load(path)
        for name in names:
            q = BY_NAME[name]
            method = getattr(store, q.method)
            method(q.params)  # warm-up: lazy postings, caches
            jobs.append((name, lambda method=method, params=q.params: method(params)))

    for name, job in jobs:
        profiler = Profiler(interval=args.interval)
        profiler.start()
        for _ in range(1 if name == "load" else args.calls):
            job()
        profiler.stop()
        print(f"\n######## {name} (size {args.size}, {1 if name == 'load' else args.calls} calls)")
        print(profiler.output_text(unicode=False, color=False, show_all=False))
        if args.html:
            Path(args.html).mkdir(parents=True, exist_ok=True)
            (Path(args.html) / f"{name}.html").write_text(profiler.output_html())
    return 0


if __name__ == "__main__":
    sys.exit(main())
