"""``jobtask-engine demo``: a synthetic dataset and a handful of real questions about it.

Runs on a fresh core install (no network, no extras): the data comes from
``jobtask_engine.testing.make_job_tasks``, the answers from an in-process
``JobTaskStore``.  Each question prints the request it sends, the answer as a
table and/or a bar chart, and how long the engine took.
"""

from __future__ import annotations

import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import msgspec

from jobtask_engine.cli.render import bar_chart, bar_glyph, table

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["Question", "questions", "build_dataset", "run_demo"]


@dataclass(frozen=True)
class Question:
    title: str
    kind: str  # "list" or "stat"
    request: Callable[[str], dict]  # domain_id -> request
    present: Callable[[dict, str], str]  # (response, glyph) -> text


def _group(keys: list[dict], fields: list[dict]) -> dict:
    return {"group": {"keys": keys, "fields": fields}}


def _failed() -> dict:
    return {"k": "status", "v": "FAILURE", "o": "eq"}


def _status_split(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "query": {
            "aggregate": [
                _group([{"key": "status", "name": "status"}], [{"operator": "count", "name": "tasks"}]),
                {"sort": [{"key": "tasks", "desc": True}]},
            ]
        },
    }


def _failures_per_month(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "query": {
            "filter": [_failed()],
            "aggregate": [
                _group(
                    [{"key": "created_at", "name": "month", "date_format": "%Y-%m"}],
                    [
                        {"operator": "count", "name": "failed_tasks"},
                        {"operator": "sum", "key": "failure_count", "name": "failures"},
                    ],
                ),
                {"sort": [{"key": "month"}]},
            ],
        },
    }


def _worst_jobs(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "query": {
            "aggregate": [
                _group(
                    [{"key": "job_id", "name": "job_id"}],
                    [
                        {"operator": "count", "name": "tasks"},
                        {
                            "operator": "count",
                            "name": "failed",
                            "conditions": [{"key": "status", "value": "FAILURE", "operator": "eq"}],
                        },
                        {"operator": "sum", "key": "failure_count", "name": "failures"},
                        {"operator": "max", "key": "created_at", "name": "created"},
                    ],
                ),
                {"sort": [{"key": "failures", "desc": True}, {"key": "job_id"}]},
                {"limit": 5},
            ]
        },
    }


def _error_codes(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "query": {
            "filter": [_failed()],
            "aggregate": [
                {"unwind": {"path": "errors"}},
                _group(
                    [{"key": "errors.error_code", "name": "error_code"}],
                    [{"operator": "count", "name": "occurrences"}],
                ),
                {"sort": [{"key": "occurrences", "desc": True}, {"key": "error_code"}]},
            ],
        },
    }


def _providers(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "query": {
            "aggregate": [
                _group(
                    [{"key": "provider", "name": "provider"}],
                    [
                        {"operator": "count", "name": "tasks"},
                        {"operator": "sum", "key": "created_count", "name": "created"},
                        {"operator": "average", "key": "updated_count", "name": "avg_updated"},
                    ],
                ),
                {"sort": [{"key": "tasks", "desc": True}]},
            ]
        },
    }


def _recent_failures(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "status": "FAILURE",
        "query": {
            "sort": [{"key": "created_at", "desc": True}],
            "page": {"limit": 5},
            "only": ["job_task_id", "job_id", "provider", "failure_count", "errors", "created_at"],
        },
    }


def _unfinished(domain_id: str) -> dict:
    return {
        "domain_id": domain_id,
        "status": ["PENDING", "IN_PROGRESS"],
        "query": {"count_only": True},
    }


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines())


def _table_and_chart(label: str, value: str) -> Callable[[dict, str], str]:
    def present(response: dict, glyph: str) -> str:
        rows = response["results"]
        return table(rows) + "\n\n" + bar_chart(rows, value, [label], glyph=glyph)

    return present


def _chart_only(label: str, value: str) -> Callable[[dict, str], str]:
    def present(response: dict, glyph: str) -> str:
        return bar_chart(response["results"], value, [label], glyph=glyph)

    return present


def _table_only(response: dict, _glyph: str) -> str:
    return table(response["results"])


def _failures_table(response: dict, _glyph: str) -> str:
    rows = []
    for info in response["results"]:
        codes = ", ".join(e.get("error_code") or "?" for e in info.get("errors") or [])
        rows.append({**info, "errors": codes})
    return table(rows) + f"\n(of {response['total_count']:,} failed tasks)"


def _count(response: dict, _glyph: str) -> str:
    return f"{response['total_count']:,} job tasks are PENDING or IN_PROGRESS"


def questions() -> list[Question]:
    """The demo's questions, in the order they are asked."""
    return [
        Question("How do the job tasks split by status?", "stat", _status_split, _table_and_chart("status", "tasks")),
        Question("Failures per month (FAILURE tasks by created_at month)", "stat", _failures_per_month, _chart_only("month", "failed_tasks")),
        Question("Which 5 jobs failed most? (tasks, failed tasks, failure_count)", "stat", _worst_jobs, _table_only),
        Question("Which error codes do failed tasks carry? (unwind errors)", "stat", _error_codes, _table_and_chart("error_code", "occurrences")),
        Question("Work by provider (tasks, resources created, average updated)", "stat", _providers, _table_only),
        Question("The 5 most recent failed tasks", "list", _recent_failures, _failures_table),
        Question("How many tasks are still open?", "list", _unfinished, _count),
    ]


def build_dataset(size: int, seed: int) -> list[dict]:
    from jobtask_engine.testing import make_job_tasks

    return make_job_tasks(size, seed=seed)


def _warm_up(store: "JobTaskStore", domain_id: str) -> float:
    """One trivial list and stat, so that module loading is not charged to the first question."""
    started = time.perf_counter()
    store.list({"domain_id": domain_id, "query": {"count_only": True}})
    store.stat({"domain_id": domain_id, "query": {"distinct": "status"}})
    return time.perf_counter() - started


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms"


def _wrapped(request: dict, width: int = 100) -> str:
    """The request as JSON, wrapped between items so that long pipelines stay readable."""
    text = msgspec.json.encode(request).decode().replace(",", ", ").replace('":', '": ')
    return "\n".join(textwrap.wrap(f"request: {text}", width, subsequent_indent="  ", break_long_words=False))


def run_demo(size: int = 5000, seed: int = 7, *, out: Callable[[str], None] = print) -> int:
    """Build the dataset, ask every question, print answers and timings; returns 0."""
    from jobtask_engine import JobTaskStore

    glyph = bar_glyph()
    started = time.perf_counter()
    records = build_dataset(size, seed)
    generated = time.perf_counter()
    store = JobTaskStore()
    store.insert_many(records)
    loaded = time.perf_counter()

    domains = Counter(r["domain_id"] for r in records)
    out("jobtask-engine demo")
    out("===================")
    out(
        f"{len(store):,} synthetic job tasks (make_job_tasks seed={seed}) in {len(domains)} domains: "
        f"generated in {_ms(generated - started)}, loaded in {_ms(loaded - generated)}."
    )
    if not domains:
        out("No data: nothing to ask (try --size 1000).")
        return 0
    domain_id, domain_size = domains.most_common(1)[0]
    warm_up = _warm_up(store, domain_id)
    out(f"Every question is asked about the largest domain, {domain_id} ({domain_size:,} tasks).")
    out(f"(Loading the list and stat engines on first use took {_ms(warm_up)}; the timings below exclude it.)")

    timings: list[tuple[str, str, float]] = []
    for number, question in enumerate(questions(), start=1):
        request = question.request(domain_id)
        ask = store.list if question.kind == "list" else store.stat
        before = time.perf_counter()
        response = ask(request)
        took = time.perf_counter() - before
        timings.append((f"{number}. {question.title}", question.kind, took))
        out("")
        out(f"{number}. {question.title}  [{question.kind}, {_ms(took)}]")
        out(_indent(_wrapped(request)))
        out("")
        out(_indent(question.present(response, glyph)))

    out("")
    out("Timings (engine only)")
    rows = [{"question": title, "method": kind, "ms": round(took * 1000, 2)} for title, kind, took in timings]
    out(_indent(table(rows, max_cell=80)))
    out(_indent(f"total: {_ms(sum(t for _, _, t in timings))} for {len(timings)} questions over {len(store):,} records"))
    return 0
