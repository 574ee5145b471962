"""CPU time of the heavy requests the limits exist for, at their limits, on a 100k-record store.

    .venv/bin/python benchmarks/limits_probe.py [--size 100000] [--only NAME-PART] [--repeat N] [--work]
    .venv/bin/python benchmarks/limits_probe.py --workload --size 1000000 [--work]

Each request is built at the default limit (the biggest one accepted) and run
once (``--repeat``: stat requests that many times, the least CPU printed, for a
busy machine); the table printed is what ``jobtask_engine.limits.LIMITS_TABLE`` cites.
A request the limits refuse prints the refusal instead of a time.  ``--work`` lifts
``max_pipeline_work`` and prints each stat pipeline's estimated work (``stat/budget.py``)
beside its time, with the CPU nanoseconds per unit: what the budget's unit costs were
measured from.  ``--workload`` asks the nine workload queries (``workload.py``) instead,
under the default limits: what the limits must never refuse.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import jobtask_engine.stat.execute as stat_execute

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
        **heavy_shapes(limits, d),
    }


DATETIMES = ("created_at", "started_at", "finished_at")
PLAIN_KEYS = ("job_task_id", "status", "provider", "job_id", "secret_id", "service_account_id", "project_id",
              "workspace_id", "domain_id", "created_count", "updated_count", "failure_count")


def _stat(d: str, *stages: dict, **query: object) -> dict:
    return {"domain_id": d, "query": {"aggregate": list(stages), **query}}


def _nested_add(limits: Limits, levels: int) -> object:
    """An ``add`` of ``max_operands`` operands, each one such an ``add`` again, ``levels`` deep."""
    if levels == 0:
        return "created_count"
    return {"operator": "add", "fields": [_nested_add(limits, levels - 1)] * limits.max_operands}


def heavy_shapes(limits: Limits, d: str) -> dict[str, dict]:
    """Requests at the limits that no single limit was chosen for: the biggest groups, sorts, pages."""
    ops = limits.max_operands
    terms = limits.max_pipeline_terms
    one_per_task = {"group": {"keys": [{"key": "job_task_id", "name": "t"}], "fields": [
        {"operator": "count", "name": "n"}, {"operator": "push", "key": "errors", "name": "e"}]}}
    return {
        "group by job_task_id, push errors, sort": _stat(
            d, one_per_task, {"sort": [{"key": "n", "desc": True}, {"key": "t"}]}),
        "group by job_task_id + day, push, page": _stat(
            d, {"group": {"keys": [{"key": "job_task_id", "name": "t"}, {"key": "created_at", "name": "day", "date_format": "%Y-%m-%d"}],
                          "fields": [{"operator": "push", "key": "errors", "name": "e"}, {"operator": "max", "key": "finished_at", "name": "f"}]}},
            {"sort": [{"key": "day", "desc": True}]}, page={"start": 1, "limit": 1000}),
        "group on every field (12 keys)": _stat(
            d, {"group": {"keys": [{"key": k, "name": k} for k in PLAIN_KEYS], "fields": [{"operator": "count", "name": "n"}]}}),
        "group keys: date_format of every datetime": _stat(
            d, {"group": {"keys": [{"key": k, "name": k, "date_format": "%Y-%m-%dT%H:%M:%S.%L"} for k in DATETIMES],
                          "fields": [{"operator": "count", "name": "n"}]}}),
        "group push object with datetimes": _stat(
            d, {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [
                {"operator": "push", "name": "p", "fields": [{"key": k, "name": k} for k in DATETIMES + PLAIN_KEYS[:4]]}]}}),
        "sort on a nested path (errors.error_code)": _stat(
            d, {"sort": [{"key": "errors.error_code", "desc": True}, {"key": "errors.additional"}]}, {"limit": 10}),
        "sort on pushed arrays": _stat(
            d, one_per_task, {"sort": [{"key": "e", "desc": True}, {"key": "t", "desc": True}]}),
        "project every field, whole result": _stat(
            d, {"project": {"fields": [{"key": k, "name": k} for k in (DATETIMES + PLAIN_KEYS)[:ops]]}}),
        "project max_operands calculations": _stat(
            d, {"project": {"fields": [{"name": f"x{i}", "operator": "add", "fields": ["created_count"] * ops}
                                      for i in range(ops)]}}),
        "project nested add (3 levels)": _stat(
            d, {"project": {"fields": [{"name": "x", **_nested_add(limits, 3)}]}}),  # type: ignore[dict-item]
        "many stages (sort x64)": _stat(
            d, *[{"sort": [{"key": "created_count", "desc": i % 2 == 0}]} for i in range(64)]),
        "sorts at max_pipeline_stages": _stat(
            d, *[{"sort": [{"key": "created_count", "desc": i % 2 == 0}]} for i in range(limits.max_pipeline_stages)]),
        "calculations at max_pipeline_terms": _stat(
            d, {"project": {"fields": [{"name": f"x{i}", "operator": "add", "fields": ["created_count", "updated_count"] * (ops // 2 - 1)}
                                      for i in range(terms // (ops - 1))]}}),
        "nested add at max_pipeline_terms": _stat(
            d, {"project": {"fields": [{"name": "x", "operator": "add", "fields": [
                {"operator": "add", "fields": ["created_count"] * (terms // 4 - 1)} for _ in range(3)] + ["updated_count"]}]}}),
        "group fields at max_pipeline_terms": _stat(
            d, {"group": {"keys": [{"key": "job_id", "name": "j"}], "fields": [
                {"operator": ("sum", "max", "push", "add_to_set")[i % 4], "key": (PLAIN_KEYS + DATETIMES)[9 + i % 6], "name": f"f{i}"}
                for i in range(terms - 1)]}}),
        "match with contain_in patterns": _stat(
            d, {"match": {"filter": [{"k": "errors.message", "v": [f"w{i}x" for i in range(limits.max_contain_values)], "o": "contain_in"}]}},
            {"count": {"name": "n"}}),
        "match with a max_in_values in": _stat(
            d, {"match": {"filter": [{"k": "job_task_id", "v": [f"t{i}" for i in range(limits.max_in_values)], "o": "in"}]}},
            {"count": {"name": "n"}}),
        "match: in of max_in_values codes on errors": _stat(
            d, {"match": {"filter": [{"k": "errors.error_code", "v": [f"E{i}" for i in range(limits.max_in_values)], "o": "in"}]}},
            {"count": {"name": "n"}}),
        "match: in of max_in_values documents": _stat(
            d, {"match": {"filter": [{"k": "errors.additional", "v": [{"x": i} for i in range(limits.max_in_values)], "o": "in"}]}},
            {"count": {"name": "n"}}),
        "distinct errors": {"domain_id": d, "query": {"distinct": "errors"}},
        "distinct errors.additional": {"domain_id": d, "query": {"distinct": "errors.additional"}},
        "distinct job_task_id": {"domain_id": d, "query": {"distinct": "job_task_id"}},
        "list: page 1000, sort on errors": {"domain_id": d, "query": {"sort": [{"key": "errors.message", "desc": True}],
                                                                      "page": {"limit": 1000}}},
        "list: only many paths": {"domain_id": d, "query": {"only": list(DATETIMES + PLAIN_KEYS) + ["errors.message", "errors.additional"],
                                                            "page": {"limit": 1000}}},
        "list: in of max_in_values documents": {"domain_id": d, "query": {
            "filter": [{"k": "errors.additional", "v": [{"x": i} for i in range(limits.max_in_values)], "o": "in"}], "count_only": True}},
        "list: count of a keyword": {"domain_id": d, "query": {"keyword": "zz", "count_only": True}},
    }


def workload_requests() -> dict[str, dict]:
    """The nine workload queries, by name (read from ``workload.py`` beside this script)."""
    if __package__ in (None, ""):
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.workload import QUERIES

    return {q.name: q.params for q in QUERIES}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--only", default="", help="run only the requests whose name holds this text")
    parser.add_argument("--repeat", type=int, default=1, help="runs per request; the least CPU is printed")
    parser.add_argument("--work", action="store_true", help="lift max_pipeline_work; print each pipeline's estimated work")
    parser.add_argument("--workload", action="store_true", help="the nine workload queries instead (default limits)")
    args = parser.parse_args()
    limits = Limits(max_pipeline_work=10**15) if args.work else Limits()
    records = make_job_tasks(args.size, seed=1) if args.workload else make_job_tasks(args.size, seed=1, domain_id="domain-0")
    store = JobTaskStore(records, limits=limits)
    budgets = _watch_budgets() if args.work else None
    limits = dataclasses.replace(store.limits, max_pipeline_work=Limits().max_pipeline_work)
    print(f"{args.size} records; CPU seconds per request (time.process_time)")
    asked = workload_requests() if args.workload else requests(store, limits)
    for name, request in asked.items():
        if args.only not in name:
            continue
        query = request["query"]
        method = store.stat if "aggregate" in query or "distinct" in query else store.list
        times = []
        for _ in range(args.repeat):
            t0 = time.process_time()
            try:
                method(request)
                refusal = ""
            except EngineError as exc:
                refusal = f" refused: {exc.code} {exc.message[:90]}"
            times.append(time.process_time() - t0)
        if method == store.list:
            del times[1:]  # a repeated list request is answered from the plan cache
        outcome = f"{min(times):8.3f} s{refusal}"
        if budgets and method == store.stat and not refusal:
            units = budgets[-1].peak
            over = " over max_pipeline_work" if units > limits.max_pipeline_work else ""
            outcome += f"  work {units:>13,} ({min(times) * 1e9 / max(units, 1):6.2f} ns/unit){over}"
            budgets.clear()
        print(f"  {name:44s} {outcome}")


def _watch_budgets() -> list:
    """The work budgets the stat calls open, kept for reading their totals after the call."""
    opened: list = []
    real = stat_execute.open_budget

    @contextmanager
    def watched() -> Iterator:
        with real() as budget:
            opened.append(budget)
            yield budget

    stat_execute.open_budget = watched
    return opened


if __name__ == "__main__":
    main()
