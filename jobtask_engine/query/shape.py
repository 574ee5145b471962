"""JobTaskInfo dicts for the rows a page returns, and nothing for the rest."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..records import out_value
from ..schema import ERROR_FIELDS, FIELDS
from ..table import Table

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


def make_shaper(table: Table, projection: Sequence[str] | None) -> Callable[[int], dict[str, Any]]:
    """row id -> response dict, reading only the projected columns."""
    if projection is None:
        fields, partial = list(FIELDS), {}
    else:
        fields, partial = _sub_projection(projection)
    plan = [(name, FIELDS[name].kind, table.columns[name], partial.get(name)) for name in fields]

    def shape(r: int) -> dict[str, Any]:
        out = {}
        for name, kind, col, sub in plan:
            value = out_value(kind, col[r])
            if sub is not None and value is not None:
                value = [{k: e[k] for k in sub} for e in value]
            out[name] = value
        return out

    return shape
