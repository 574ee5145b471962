"""JobTaskInfo dicts for the rows a page returns, and nothing for the rest."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..records import out_value
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, FIELDS, MISSING
from ..table import Table
from ..timeutil import ms_to_iso

__all__ = ["make_shaper"]


def _sub_projection(projection: Sequence[str]) -> tuple[list[str], dict[str, list[str]]]:
    """Top-level fields in JobTaskInfo order, and the errors sub-fields when only those were asked."""
    heads = {}
    subs: dict[str, set[str]] = {}
    whole = set()
    for key in projection:
        head, _, rest = key.partition(".")
        heads[head] = True
        if rest:
            subs.setdefault(head, set()).add(rest.split(".")[0])
        else:
            whole.add(head)
    fields = [f for f in FIELDS if f in heads]
    partial = {h: [k for k in ERROR_FIELDS if k in s] for h, s in subs.items() if h not in whole}
    return fields, partial


def _plain(x: Any) -> Any:
    return None if x is MISSING else x


def _datetime(x: Any) -> Any:
    return None if x is None or x is MISSING else ms_to_iso(x)


def _converter(kind: str, sub: list[str] | None) -> Callable[[Any], Any]:
    if kind == DATETIME:
        return _datetime
    if kind != ERRORS:
        return _plain
    if sub is None:
        return lambda x: out_value(ERRORS, x)
    return lambda x: [{k: e.get(k) for k in sub} for e in x]


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
