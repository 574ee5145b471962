"""Whether two stores hold the same data: every column and every index answer.

Row ids may differ between stores holding the same records (an opened
snapshot leaves deleted rows out), so rows are compared through their
job_task_ids, in natural order; values are compared with their types, so that
null, 'not stored', an empty and a missing ``errors`` stay apart.
"""

from __future__ import annotations

from typing import Any

from jobtask_engine import JobTaskStore
from jobtask_engine.columns import ARRAY_KINDS, CODE_MISSING, CODE_NULL, CODED, MISSING_MS, NULL_MS, CodeColumn, TimeColumn, code_typecode
from jobtask_engine.schema import DATETIME, FIELDS, INDEXED, INT, MISSING

__all__ = ["store_differences", "layout_faults", "PROBE_NEEDLES"]

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
    out: dict[str, Any] = {"by_id": sorted((k, ids[r]) for k, r in table.id_rows().items())}
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


def _layout(store: JobTaskStore) -> dict[str, Any]:
    """How each column is held (its representation, a code column's value table and code
    width) and what its order view reads per live row."""
    table = store._table
    out: dict[str, Any] = {}
    for name, col in table.columns.items():
        out[f"repr:{name}"] = type(col).__name__
        if type(col) is CodeColumn:
            out[f"codes:{name}"] = (col.codes.typecode, [_typed(v) for v in col.values])
        if FIELDS[name].kind in (INT, DATETIME):
            view = table.order_view(name)
            out[f"view:{name}"] = [_typed(view[r]) for r in table.alive]
    return out


def layout_faults(store: JobTaskStore) -> list[str]:
    """Where a store's columns break their representation's own rules (empty when none do):
    a datetime column is a ``TimeColumn`` whose ``absent`` counts its sentinels and whose raw
    value is the sentinel exactly where the column reads null or missing; a repeated-string
    column is a ``CodeColumn`` (see ``_code_faults``); ``job_task_id`` and ``errors`` are lists."""
    faults: list[str] = []
    for name, col in store._table.columns.items():
        if name in CODED:
            faults += _code_faults(name, col)
            continue
        if FIELDS[name].kind not in ARRAY_KINDS:
            if type(col) is not list:
                faults.append(f"{name}: a {type(col).__name__}, not a list")
            continue
        if type(col) is not TimeColumn:
            faults.append(f"{name}: a {type(col).__name__}, not a TimeColumn")
            continue
        raw = col.raw
        if col.absent != raw.count(NULL_MS) + raw.count(MISSING_MS):
            faults.append(f"{name}: absent count {col.absent} is not the number of sentinels")
        expected = [None if v == NULL_MS else MISSING if v == MISSING_MS else v for v in raw]
        if [_typed(x) for x in col] != [_typed(x) for x in expected]:
            faults.append(f"{name}: reads differ from the raw array")
        if any(type(col[r]) is not int and col[r] is not None and col[r] is not MISSING for r in range(len(col))):
            faults.append(f"{name}: holds a value that is not an int, None or MISSING")
    return faults


def _code_faults(name: str, col: Any) -> list[str]:
    """A code column's rules: the reserved codes first, then distinct strings; ``code_of`` the
    inverse of ``values``; every code in the table; the narrowest code width holding the table;
    reads agree with ``values[code]``."""
    if type(col) is not CodeColumn:
        return [f"{name}: a {type(col).__name__}, not a CodeColumn"]
    faults = []
    values = col.values
    if values[CODE_MISSING] is not MISSING or values[CODE_NULL] is not None:
        faults.append(f"{name}: reserved codes hold {values[:2]!r}")
    if not all(type(v) is str for v in values[2:]) or len(set(values[2:])) != len(values) - 2:
        faults.append(f"{name}: the value table is not distinct strings")
    if col.code_of != {v: i for i, v in enumerate(values)}:
        faults.append(f"{name}: code_of is not the inverse of the value table")
    if len(col.codes) and max(col.codes) >= len(values):
        faults.append(f"{name}: a code past the value table")
    width = code_typecode(len(values))
    if col.codes.typecode != width:
        faults.append(f"{name}: codes of type {col.codes.typecode!r}, the table needs {width!r}")
    if [_typed(x) for x in col] != [_typed(values[c]) for c in col.codes]:
        faults.append(f"{name}: reads differ from the value table")
    if list(col.code_list()) != list(col.codes):
        faults.append(f"{name}: the boxed codes differ from the code array")
    return faults


def store_differences(a: JobTaskStore, b: JobTaskStore) -> list[str]:
    """What differs between the two stores (empty when they are the same)."""
    diffs: list[str] = []
    if len(a) != len(b):
        diffs.append(f"size {len(a)} != {len(b)}")
    diffs += [f"layout (first store) {fault}" for fault in layout_faults(a)]
    diffs += [f"layout (second store) {fault}" for fault in layout_faults(b)]
    for what, fn in (("column", _live_columns), ("layout", _layout), ("index", _index_answers), ("answer", _answers)):
        left, right = fn(a), fn(b)
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                diffs.append(f"{what} {key}")
    return diffs
