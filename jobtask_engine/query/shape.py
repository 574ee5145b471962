"""JobTaskInfo dicts for the rows a page returns, and nothing for the rest."""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter
from typing import Any, Callable, Mapping, Sequence

from ..columns import take
from ..paths import kept_path, merge_kept
from ..records import errors_out
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, FIELDS, MISSING, STR
from ..storage import Table
from ..storage.table import Column
from ..timeutil import ms_to_iso, ms_to_iso_many

__all__ = ["make_shaper", "make_row_shaper"]


#: For each projected errors sub-field: None (all of it) or the dotted paths kept inside it.
SubProjection = dict[str, "list[tuple[str, ...]] | None"]


def _sub_projection(projection: Sequence[str]) -> tuple[list[str], dict[str, SubProjection]]:
    """Top-level fields in JobTaskInfo order, and per field the sub-fields asked for alone."""
    heads = {}
    subs: dict[str, SubProjection] = {}
    whole = set()
    for key in projection:
        head, *rest = key.split(".")
        heads[head] = True
        if not rest:
            whole.add(head)
            continue
        inner = subs.setdefault(head, {})
        first, deeper = rest[0], tuple(rest[1:])
        if not deeper:
            inner[first] = None
        else:
            kept = inner.setdefault(first, [])
            if kept is not None:  # None: the whole sub-field already asked for
                kept.append(deeper)
    fields = [f for f in FIELDS if f in heads]
    partial = {
        h: {k: s[k] for k in ERROR_FIELDS if k in s} for h, s in subs.items() if h not in whole
    }
    return fields, partial


def _keep_paths(value: Any, paths: list[tuple[str, ...]]) -> Any:
    """A value cut down to the dotted paths, as a MongoDB inclusion projection leaves it."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for path in paths:
        kept = kept_path(value, path)
        if kept is not MISSING:
            out = merge_kept(out, kept)
    return out


def _project_element(elem: dict, sub: SubProjection) -> dict:
    out = {}
    for key, paths in sub.items():
        value = elem.get(key)
        out[key] = value if paths is None else _keep_paths(value, paths)
    return out


def _plain(values: Sequence) -> Sequence:
    if MISSING in values:
        return [None if x is MISSING else x for x in values]
    return values


def _as_is(values: Sequence) -> Sequence:
    return values


#: Columns a live row can hold "not stored" in (records.py stores an absent value so only
#: for non-nullable strings other than status; counts default to 0, nullable fields to null).
MAY_BE_MISSING = frozenset(name for name, f in FIELDS.items() if f.kind == STR and not f.nullable and name != "status")


def _converter(name: str, sub: SubProjection | None) -> Callable[[Sequence], Sequence]:
    """How one column's values for the page become response values."""
    kind = FIELDS[name].kind
    if kind == DATETIME:
        return ms_to_iso_many
    if kind == ERRORS:
        if sub is None:
            return errors_out
        return lambda values: [None if x is MISSING else [_project_element(e, sub) for e in x] for x in values]
    return _plain if name in MAY_BE_MISSING else _as_is


def make_shaper(
    columns: Mapping[str, Column], projection: Sequence[str] | None
) -> Callable[[Sequence[int]], list[dict[str, Any]]]:
    """rows of a page -> response dicts, reading only the projected columns of ``columns`` (a
    table's, or copies of them), column by column."""
    partial: dict[str, SubProjection]
    if projection is None:
        fields, partial = list(FIELDS), {}
    else:
        fields, partial = _sub_projection(projection)
    plan = [(columns[name], _converter(name, partial.get(name))) for name in fields]

    def shape(rows: Sequence[int]) -> list[dict[str, Any]]:
        if not rows:
            return []
        if len(rows) == 1:
            r = rows[0]
            columns = [conv([col[r]]) for col, conv in plan]
        else:
            pick = itemgetter(*rows)  # one C call per column (a datetime or code column's array)
            columns = [conv(take(col, pick)) for col, conv in plan]
        return list(map(dict, map(zip, repeat(fields), zip(*columns))))

    return shape


def make_row_shaper(table: Table) -> Callable[[int], dict[str, Any]]:
    """row id -> the full JobTaskInfo of one row (get, create, update answer with this)."""
    names = list(FIELDS)
    cols = [table.columns[name] for name in names]
    times = [i for i, name in enumerate(names) if FIELDS[name].kind == DATETIME]
    errors = [i for i, name in enumerate(names) if FIELDS[name].kind == ERRORS]

    def shape(r: int) -> dict[str, Any]:
        values = [col[r] for col in cols]
        if MISSING in values:
            values = [None if v is MISSING else v for v in values]
        for i in times:
            x = values[i]
            if x is not None:
                values[i] = ms_to_iso(x)
        for i in errors:
            values[i] = errors_out([values[i]])[0]
        return dict(zip(names, values))

    return shape
