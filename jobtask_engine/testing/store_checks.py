"""Whether two stores hold the same data: every column and every index answer.

Row ids may differ between stores holding the same records (an opened
snapshot leaves deleted rows out), so rows are compared through their
job_task_ids, in natural order; values are compared with their types, so that
null, 'not stored', an empty and a missing ``errors`` stay apart.
"""

from __future__ import annotations

from typing import Any

from jobtask_engine import JobTaskStore
from jobtask_engine.schema import DATETIME, FIELDS, INDEXED, INT, MISSING

__all__ = ["store_differences", "PROBE_NEEDLES"]

#: Substrings asked of the ``contain`` text of every string field.
PROBE_NEEDLES: tuple[str, ...] = ("a", "job", "-1", "7", "zz")


def _typed(x: Any) -> Any:
    """A value with its type, lists and tuples alike compared element by element."""
    if x is MISSING:
        return ("missing",)
    if isinstance(x, (list, tuple)):
        return ("seq", tuple(_typed(e) for e in x))
    if isinstance(x, dict):
        return ("doc", tuple((k, _typed(v)) for k, v in x.items()))
    return (type(x).__name__, x)


def _live_columns(store: JobTaskStore) -> dict[str, list]:
    table = store._table
    return {name: [_typed(col[r]) for r in table.alive] for name, col in table.columns.items()}


def _index_answers(store: JobTaskStore) -> dict[str, Any]:
    """Every index, asked every question it answers, with rows named by job_task_id."""
    table = store._table
    ids = table.columns["job_task_id"]
    out: dict[str, Any] = {"by_id": sorted((k, ids[r]) for k, r in table.by_id.items())}
    for field in INDEXED:
        values = {x for x in (table.columns[field][r] for r in table.alive)} | {None, MISSING}
        out[f"posting:{field}"] = sorted(
            (_typed(v), [ids[r] for r in table.posting(field, v)]) for v in values
        )
        for needle in PROBE_NEEDLES:
            rows = table.rows_containing(field, needle)
            out[f"contain:{field}:{needle}"] = None if rows is None else [ids[r] for r in rows]
    for name, f in FIELDS.items():
        if f.kind in (INT, DATETIME):
            index = table.sorted_index(name)
            out[f"asc:{name}"] = [ids[r] for r in index.ascending()]
            out[f"desc:{name}"] = [ids[r] for r in index.descending()]
            keys = sorted({k for k in index.keys})
            for v in keys[:: max(1, len(keys) // 5)]:
                for op in ("gt", "gte", "lt", "lte"):
                    out[f"range:{name}:{op}:{v}"] = sorted(ids[r] for r in index.range(op, v))
                    mask = index.range_mask(op, v)
                    out[f"mask:{name}:{op}:{v}"] = sorted(ids[r] for r in table.alive if mask[r])
    return out


def _answers(store: JobTaskStore) -> dict[str, Any]:
    domains = sorted({x for x in store._table.columns["domain_id"] if type(x) is str})
    out: dict[str, Any] = {"records": list(store)}
    for d in domains:
        out[f"list:{d}"] = store.list({"domain_id": d, "query": {"sort": [{"key": "created_at", "desc": True}]}})
        out[f"stat:{d}"] = store.stat(
            {
                "domain_id": d,
                "query": {
                    "aggregate": [
                        {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [
                            {"name": "n", "operator": "count"},
                            {"key": "updated_count", "name": "u", "operator": "sum"}]}},
                        {"sort": [{"key": "s"}]},
                    ]
                },
            }
        )
        out[f"unwind:{d}"] = store.stat(
            {
                "domain_id": d,
                "query": {
                    "aggregate": [
                        {"unwind": {"path": "errors"}},
                        {"group": {"keys": [{"key": "errors.error_code", "name": "c"}],
                                   "fields": [{"name": "n", "operator": "count"}]}},
                        {"sort": [{"key": "c"}]},
                    ]
                },
            }
        )
        out[f"distinct:{d}"] = store.stat({"domain_id": d, "query": {"distinct": "job_id"}})
    return out


def store_differences(a: JobTaskStore, b: JobTaskStore) -> list[str]:
    """What differs between the two stores (empty when they are the same)."""
    diffs: list[str] = []
    if len(a) != len(b):
        diffs.append(f"size {len(a)} != {len(b)}")
    for what, fn in (("column", _live_columns), ("index", _index_answers), ("answer", _answers)):
        left, right = fn(a), fn(b)
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                diffs.append(f"{what} {key}")
    return diffs
