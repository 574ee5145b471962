"""JobTaskInfo dicts for the rows a page returns, and nothing for the rest."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..records import out_value
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, FIELDS, MISSING
from ..table import Table
from ..timeutil import ms_to_iso

__all__ = ["make_shaper"]


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
        elif inner.get(first, []) is not None:
            inner.setdefault(first, []).append(deeper)
    fields = [f for f in FIELDS if f in heads]
    partial = {
        h: {k: s[k] for k in ERROR_FIELDS if k in s} for h, s in subs.items() if h not in whole
    }
    return fields, partial


def _keep_paths(value: Any, paths: list[tuple[str, ...]]) -> Any:
    """A dict cut down to the dotted paths, as a MongoDB projection leaves it."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for path in paths:
        head, rest = path[0], path[1:]
        if head not in value:
            continue
        if not rest:
            out[head] = value[head]
        elif isinstance(value[head], dict):
            merged = _keep_paths(value[head], [rest])
            if isinstance(out.get(head), dict):
                out[head].update(merged)
            else:
                out[head] = merged
    return out


def _project_element(elem: dict, sub: SubProjection) -> dict:
    out = {}
    for key, paths in sub.items():
        value = elem.get(key)
        out[key] = value if paths is None else _keep_paths(value, paths)
    return out


def _plain(x: Any) -> Any:
    return None if x is MISSING else x


def _datetime(x: Any) -> Any:
    return None if x is None or x is MISSING else ms_to_iso(x)


def _converter(kind: str, sub: SubProjection | None) -> Callable[[Any], Any]:
    if kind == DATETIME:
        return _datetime
    if kind != ERRORS:
        return _plain
    if sub is None:
        return lambda x: out_value(ERRORS, x)
    return lambda x: [_project_element(e, sub) for e in x]


def make_shaper(table: Table, projection: Sequence[str] | None) -> Callable[[int], dict[str, Any]]:
    """row id -> response dict, reading only the projected columns."""
    if projection is None:
        fields, partial = list(FIELDS), {}
    else:
        fields, partial = _sub_projection(projection)
    plan = [(name, table.columns[name], _converter(FIELDS[name].kind, partial.get(name))) for name in fields]

    def shape(r: int) -> dict[str, Any]:
        return {name: conv(col[r]) for name, col, conv in plan}

    return shape
