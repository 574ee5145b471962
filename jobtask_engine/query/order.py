"""Result order: runs the planner's order strategy (``query/planner.plan_order``).

Sort keys are MongoDB's (``jobtask_engine.values.sort_key``: type order, an
empty array first, missing as null, an array by its smallest element
ascending and its largest descending); the specialised keys here give the
same order for columns whose kind fixes the types.  Candidates arrive in ascending row id and every sort used
here is stable, so equal keys keep insertion order — the reference's
tie-break on the object id.
"""

from __future__ import annotations

import heapq
from itertools import compress, islice, repeat
from operator import ge, le
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

from ..columns import CodeColumn
from ..schema import DATETIME, ERRORS, INT, MISSING, STR
from ..selection import Selection
from ..storage import SortedIndex, Table
from ..paths import element_getter
from ..values import bson_key, leaves_sort_key
from .conditions import Path
from .planner import INDEX_WALK, MULTI_SORT, TOP_K, VIEW_SORT, VIEW_TOP_K, OrderPlan, order_plan_for
from .search import SortKey

if TYPE_CHECKING:
    from ..storage.table import Column

__all__ = ["order_rows", "view_top_k", "TOP_K_SAMPLE"]

KeyFn = Callable[[int], Any]

#: Keys sampled to place the top-k's cut: with ~1,000 the cut falls within a few sample steps
#: of its rank, so the rows kept past it are about twice ``need`` (sorting the sample: ~0.1 ms).
TOP_K_SAMPLE = 1024


def _null_first(col: Column) -> KeyFn:
    if type(col) is CodeColumn:  # each value's key made once, a row's read through its code
        keys, codes = [(0, "") if x is None or x is MISSING else (1, x) for x in col.values], col.codes
        return lambda r: keys[codes[r]]

    def key(r: int) -> Any:
        x = col[r]
        return (0, "") if x is None or x is MISSING else (1, x)

    return key


def _array_key(col: Column, get_one: Callable[[Any], Any], desc: bool) -> KeyFn:
    """The sort key of a path through ``errors``: the values it reaches, as one array's elements."""

    def key(r: int) -> Any:
        return leaves_sort_key([get_one(e) for e in col[r]], desc)

    return key


def _key_fn(table: Table, path: Path | None, desc: bool) -> KeyFn:
    if path is None:
        return lambda r: 0
    if path.kind == "row":
        return lambda r: r
    col = table.columns[path.field]
    if path.in_array:
        return _array_key(col, element_getter(path.sub), desc)
    if path.kind == INT:
        return col.__getitem__
    if path.kind == DATETIME:
        # null and missing read as -inf there: first, as ``_null_first`` orders them, at C speed
        return table.order_view(path.field).__getitem__
    if path.kind == STR:
        return _null_first(col)
    if path.kind == ERRORS:
        return _array_key(col, lambda e: e, desc)
    return lambda r: bson_key(col[r])


def _walk(index: SortedIndex, desc: bool, matches: Selection, need: int | None) -> list[int]:
    """The first ``need`` rows (all when None) of the index order that are among the matches
    (C-level loop)."""
    def order() -> Iterator[int]:
        return index.descending() if desc else index.ascending()

    wanted = matches.mask().__getitem__ if matches.is_dense else set(matches.members()).__contains__
    return list(islice(compress(order(), map(wanted, order())), need))


def view_top_k(view: Sequence[Any], rows: Sequence[int], need: int, desc: bool) -> list[int]:
    """The first ``need`` of ``rows`` (ascending) ordered by ``view`` (ties in row order), as
    ``sorted(rows, key=view.__getitem__, reverse=desc)[:need]`` gives them, in two C passes.

    A sample of the keys places a cut about twice ``need`` rows from the top; the rows at or
    past it (every row with the cut's key among them, in row order) are kept and sorted.
    Every row left out has a key worse than every row kept, so when at least ``need`` are
    kept they hold the first ``need``; when fewer are (a sample far off), all are sorted.
    """
    keys = list(map(view.__getitem__, rows))
    step = max(len(keys) // TOP_K_SAMPLE, 1)
    sample = sorted(keys[::step], reverse=desc)
    at = 2 * need // step + 2
    if at < len(sample):
        # operator.ge/le: a key may be an int or the view's -inf (``int.__le__`` of a float is
        # NotImplemented, which would read as true).
        kept = list(compress(rows, map(ge if desc else le, keys, repeat(sample[at]))))
        if len(kept) >= need:
            return _view_sorted(view, kept, need, desc)
    return _view_sorted(view, rows, need, desc)


def _view_sorted(view: Sequence[Any], rows: Sequence[int], need: int | None, desc: bool) -> list[int]:
    """The first ``need`` of ``rows`` (all when None) ordered by ``view``.

    The order view reads null and missing as -inf: first ascending, last descending, as
    MongoDB orders them; the sort is stable, so ties keep insertion order."""
    ordered = sorted(rows, key=view.__getitem__, reverse=desc)
    return ordered if need is None else ordered[:need]


def order_rows(
    table: Table, matches: Selection, sort: tuple[SortKey, ...], need: int | None, plan: OrderPlan | None = None
) -> list[int]:
    """The first ``need`` matching rows (all when None) in the requested order, by the
    planner's strategy (``plan``, or planned here)."""
    count = matches.count()
    if not count:
        return []
    if plan is None:
        plan = order_plan_for(table, count, sort, need)
    strategy = plan.strategy
    if strategy == INDEX_WALK:
        return _walk(table.sorted_index(plan.field), plan.desc, matches, need)
    rows = matches.rows()
    if strategy == VIEW_TOP_K:
        assert need is not None  # the planner orders by a top-k only for a page's rows
        return view_top_k(table.order_view(plan.field), rows, need, plan.desc)
    if strategy == VIEW_SORT:
        return _view_sorted(table.order_view(plan.field), rows, need, plan.desc)
    if strategy == MULTI_SORT:
        ordered = list(rows)
        for s in reversed(sort):
            ordered.sort(key=_key_fn(table, s.path, s.desc), reverse=s.desc)
        return ordered if need is None else ordered[:need]
    fns = [_key_fn(table, s.path, s.desc) for s in sort]
    key = fns[0] if len(fns) == 1 else (lambda r: tuple(f(r) for f in fns))
    desc = sort[0].desc
    if strategy == TOP_K:
        assert need is not None  # the planner orders by a top-k only for a page's rows
        return (heapq.nlargest if desc else heapq.nsmallest)(need, rows, key=key)
    ordered = sorted(rows, key=key, reverse=desc)
    return ordered if need is None else ordered[:need]
