"""What a correct answer to each workload query looks like, reduced to a summary.

Each side (engine, reference, DuckDB, and the pure-Python oracle below) is
reduced to the same small summary per query, so answers can be compared with
``==`` without caring about output formats: list queries keep the total count
and the page's job_task_ids in order; stat queries keep their group rows.

The oracle computes the summaries straight from plain record dicts with the
most obvious Python, independently of every engine code path; the pytest
suite asserts engine answers against it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from .workload import BY_NAME, CONTAINS, DEEP_START, DOMAIN, SINCE, STATUSES_IN, UPDATED_AT_LEAST

__all__ = ["summarize", "oracle", "describe_difference"]

_AVG_DIGITS = 6


def summarize(name: str, result: dict) -> Any:
    """The comparable summary of an API-shaped answer (engine or reference)."""
    if name == "q5_count_only":
        return result["total_count"]
    if BY_NAME[name].method == "list":
        return result["total_count"], [r["job_task_id"] for r in result["results"]]
    rows = result["results"]
    if name == "q6_group_status":
        return sorted(
            (r["status"], r["count"], r["updated_sum"], round(r["updated_avg"], _AVG_DIGITS)) for r in rows
        )
    if name == "q7_group_day_provider":
        return [(r["date"], r["provider"], r["count"], r["max_updated"]) for r in rows]
    if name == "q8_unwind_errors":
        return [(r["error_code"], r["count"]) for r in rows]
    if name == "q9_distinct_job":
        return list(rows)
    raise KeyError(name)


def _created_desc(records: list[dict]) -> list[dict]:
    # stable sort: ties keep insertion order, as the engine and the reference do
    return sorted(records, key=lambda r: r["created_at"], reverse=True)


def _page(records: list[dict], start: int, limit: int) -> tuple[int, list[str]]:
    return len(records), [r["job_task_id"] for r in records[start - 1 : start - 1 + limit]]


def oracle(name: str, records: list[dict]) -> Any:
    """The summary computed directly from factory records (ISO 'Z' datetimes with milliseconds)."""
    mine = [r for r in records if r.get("domain_id") == DOMAIN]
    if name == "q1_status_recent":
        return _page(_created_desc([r for r in mine if r["status"] == "FAILURE"]), 1, 100)
    if name == "q2_updated_range":
        return _page(_created_desc([r for r in mine if r["updated_count"] >= UPDATED_AT_LEAST]), 1, 100)
    if name == "q3_contain_id":
        needle = CONTAINS.lower()
        return _page(_created_desc([r for r in mine if needle in r["job_task_id"].lower()]), 1, 10)
    if name == "q4_deep_page":
        ordered = sorted(mine, key=lambda r: r["updated_count"], reverse=True)
        return _page(ordered, DEEP_START, 100)
    if name == "q5_count_only":
        since = SINCE.replace("Z", ".000Z")  # same layout as the records, so strings order as instants
        return sum(1 for r in mine if r["status"] in STATUSES_IN and r["created_at"] >= since)
    if name == "q6_group_status":
        groups: dict[str, list[int]] = defaultdict(list)
        for r in mine:
            groups[r["status"]].append(r["updated_count"])
        return sorted((s, len(v), sum(v), round(sum(v) / len(v), _AVG_DIGITS)) for s, v in groups.items())
    if name == "q7_group_day_provider":
        count: Counter = Counter()
        top: dict[tuple, int] = {}
        for r in mine:
            key = (r["created_at"][:10], r["provider"])
            count[key] += 1
            top[key] = max(top.get(key, r["updated_count"]), r["updated_count"])
        rows = sorted(count, key=lambda k: (k[1] is not None, k[1] or ""))  # provider asc, null first
        rows.sort(key=lambda k: k[0], reverse=True)  # then date desc
        rows.sort(key=lambda k: count[k], reverse=True)  # then count desc
        return [(k[0], k[1], count[k], top[k]) for k in rows[:20]]
    if name == "q8_unwind_errors":
        codes = Counter(e["error_code"] for r in mine if r["status"] == "FAILURE" for e in r["errors"])
        return sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))
    if name == "q9_distinct_job":
        return sorted({r["job_id"] for r in mine})
    raise KeyError(name)


def describe_difference(expected: Any, actual: Any) -> str:
    """A short human description of how two summaries differ."""
    if expected == actual:
        return "same"
    if isinstance(expected, tuple) and isinstance(actual, tuple) and len(expected) == 2:
        if expected[0] != actual[0]:
            return f"total_count {actual[0]} != {expected[0]}"
        first = next((i for i, (a, b) in enumerate(zip(expected[1], actual[1])) if a != b), None)
        return f"page differs (lengths {len(actual[1])} vs {len(expected[1])}, first difference at {first})"
    if isinstance(expected, list) and isinstance(actual, list):
        first = next((i for i, (a, b) in enumerate(zip(expected, actual)) if a != b), None)
        if first is None:
            return f"lengths {len(actual)} != {len(expected)}"
        return f"row {first}: {actual[first]!r} != {expected[first]!r}"
    return f"{actual!r} != {expected!r}"
