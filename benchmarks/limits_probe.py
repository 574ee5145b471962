"""CPU time of the heavy requests the limits exist for, at their limits, on a 100k-record store.

    .venv/bin/python benchmarks/limits_probe.py [--size 100000]

Each request is built at the default limit (the biggest one accepted) and run
once; the table printed is what ``jobtask_engine.limits.LIMITS_TABLE`` cites.
A request the limits refuse prints the refusal instead of a time.
"""

from __future__ import annotations

import argparse
import time

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.limits import Limits
from jobtask_engine.testing import make_job_tasks


def requests(store: JobTaskStore, limits: Limits) -> dict[str, dict]:
    ids = [r["job_task_id"] for r, _ in zip(store, range(limits.max_in_values))]
    deep: dict = {"x": 1}
    for _ in range(limits.max_depth - 6):
        deep = {"x": deep}
    fmt = "%H" * (limits.max_date_format_length // 2)
    d = "domain-0"
    return {
        "in (max_in_values ids)": {"domain_id": d, "query": {"filter": [{"k": "job_task_id", "v": ids, "o": "in"}]}},
        "contain_in (max_contain_values)": {
            "domain_id": d,
            "query": {"filter": [{"k": "job_task_id", "v": [f"{i:04x}z" for i in range(limits.max_contain_values)], "o": "contain_in"}]},
        },
        "keyword (max_keyword_words)": {"domain_id": d, "query": {"keyword": " ".join(f"w{i}" for i in range(limits.max_keyword_words))}},
        "regex .*a.*b.*c": {"domain_id": d, "query": {"filter": [{"k": "job_task_id", "v": ".*a.*b.*zz", "o": "regex"}]}},
        "gt on a max-depth document": {"domain_id": d, "query": {"filter": [{"k": "errors.additional", "v": deep, "o": "gt"}]}},
        "date_format (max length)": {
            "domain_id": d,
            "query": {"aggregate": [{"group": {"keys": [{"key": "created_at", "name": "k", "date_format": fmt}], "fields": [{"operator": "count", "name": "n"}]}}]},
        },
        "project (max_operands)": {
            "domain_id": d,
            "query": {"aggregate": [{"project": {"fields": [{"name": "x", "operator": "add", "fields": ["created_count"] * limits.max_operands}]}}]},
        },
        "unwind of pushed arrays (x3)": {
            "domain_id": d,
            "query": {"aggregate": [
                {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [
                    {"operator": "push", "key": "job_task_id", "name": "a"},
                    {"operator": "push", "key": "job_task_id", "name": "b"}]}},
                {"unwind": {"path": "a"}}, {"unwind": {"path": "b"}},
            ]},
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    args = parser.parse_args()
    store = JobTaskStore(make_job_tasks(args.size, seed=1, domain_id="domain-0"))
    limits = store.limits
    print(f"{args.size} records; CPU seconds per request (time.process_time)")
    for name, request in requests(store, limits).items():
        method = store.stat if "aggregate" in request["query"] else store.list
        t0 = time.process_time()
        try:
            method(request)
            outcome = f"{time.process_time() - t0:8.3f} s"
        except EngineError as exc:
            outcome = f"{time.process_time() - t0:8.3f} s refused: {exc.code} {exc.message[:90]}"
        print(f"  {name:36s} {outcome}")


if __name__ == "__main__":
    main()
