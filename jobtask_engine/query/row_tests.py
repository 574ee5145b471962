"""Running a predicate's row test: which of the candidate rows satisfy it.

The executor's half of a parsed condition (``query/predicates.py`` holds the
plain data).  Each test kind is one function ``(predicate, table, rows) ->
kept rows`` that reads only the predicate's own column, in one list
comprehension over the candidates; the value tests it needs are built here, at
execution, from the predicate's values (a few closures — microseconds against
the milliseconds of a pass over candidates).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from ..columns import MISSING_MS, CodeColumn, TimeColumn
from ..paths import element_getter, elements_reached
from ..schema import MISSING
from ..storage import NEG_INF, Table
from ..values import ValueTest, bson_equal
from .elem_match import compile_elem_match
from .predicates import (
    ALL,
    ANY_OF,
    DATE_RANGE,
    DATE_VALUE,
    ELEM_MATCH,
    ERRORS_WHOLE,
    EXISTS,
    INT_COMPARE,
    NONE,
    SEARCH,
    STR_EQ,
    VALUE,
    Predicate,
)
from .values import compile_regex, scalar_test

__all__ = ["filter_rows", "ROW_TESTS"]

Rows = Sequence[int]


def filter_rows(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    """The candidate ``rows`` (ascending) that satisfy ``pred``, in their order."""
    return ROW_TESTS[pred.test](pred, table, rows)


# -- comprehensions where the column kind fixes the stored types --------------------


def _gt_rows(col: Sequence[Any], rows: Rows, v: float) -> list[int]:
    return [r for r in rows if col[r] > v]


def _gte_rows(col: Sequence[Any], rows: Rows, v: float) -> list[int]:
    return [r for r in rows if col[r] >= v]


def _lt_rows(col: Sequence[Any], rows: Rows, v: float) -> list[int]:
    return [r for r in rows if col[r] < v]


def _lte_rows(col: Sequence[Any], rows: Rows, v: float) -> list[int]:
    return [r for r in rows if col[r] <= v]


def _eq_rows(col: Sequence[Any], rows: Rows, v: Any) -> list[int]:
    if type(rows) is range and rows.start == 0 and rows.stop == len(col):
        return [r for r, x in enumerate(col) if x == v]  # every row: let C find the positions
    return [r for r in rows if col[r] == v]


_COMPARISONS: dict[str, Callable[[Sequence[Any], Rows, Any], list[int]]] = {
    "eq": _eq_rows,
    "gt": _gt_rows,
    "gte": _gte_rows,
    "lt": _lt_rows,
    "lte": _lte_rows,
}


def _none(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    return []


def _all(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    return list(rows)


def _str_eq(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    col: Sequence[Any]
    col, v = table.columns[path.field], pred.value
    if type(col) is CodeColumn:  # the value's code against the codes: no string read per row
        v, col = col.code(v), col.codes
        if v is None:  # no row ever held it
            return list(rows) if pred.negate else []
    if pred.negate:
        return [r for r in rows if col[r] != v]
    return _eq_rows(col, rows, v)


def _int_compare(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    return _COMPARISONS[pred.op](table.columns[path.field], rows, pred.value)


def _date_range(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    view = table.order_view(path.field)
    kept = _COMPARISONS[pred.op](view, rows, pred.value)
    if pred.op in ("lt", "lte"):
        return _gt_rows(view, kept, NEG_INF)  # null and missing are -inf in the view
    return kept


# -- general tests of one stored value ------------------------------------------------


def _keep(pred: Predicate, table: Table, rows: Rows, test: ValueTest) -> list[int]:
    """Rows whose value (any reached value, on an element path) passes ``test``; the others
    when the predicate is negated."""
    path, negate = pred.path, pred.negate
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    col = table.columns[path.field]
    if path.in_array:
        get_one = element_getter(path.sub)
        if path.kind == "any":
            reached = lambda r: elements_reached(col[r], get_one, True)  # noqa: E731
        else:
            reached = lambda r: [get_one(e) for e in col[r]]  # noqa: E731
        if negate:
            return [r for r in rows if not any(map(test, reached(r)))]
        return [r for r in rows if any(map(test, reached(r)))]
    if type(col) is CodeColumn:
        return _keep_coded(col, rows, test, negate)
    if negate:
        return [r for r in rows if not test(col[r])]
    return [r for r in rows if test(col[r])]


def _keep_coded(col: CodeColumn, rows: Rows, test: ValueTest, negate: bool) -> list[int]:
    """``_keep`` over a code column: each value tested once (when the table is smaller than the
    candidates), then a row kept by its code's answer."""
    codes, values = col.codes, col.values
    if len(values) < len(rows):
        passed = [bool(test(v)) is not negate for v in values]
        return [r for r in rows if passed[codes[r]]]
    if negate:
        return [r for r in rows if not test(values[codes[r]])]
    return [r for r in rows if test(values[codes[r]])]


def _date_value(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    """eq/in of a datetime with instants or null, or a comparison with null, over the order view:
    null and not stored both read as -inf there, and a find's null matches both."""
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    view, op, v = table.order_view(path.field), pred.op, pred.value
    if op == "eq" and not pred.negate:
        return _eq_rows(view, rows, NEG_INF if v is None else v)
    if op in ("eq", "in"):
        wanted = {NEG_INF if x is None else x for x in (v if op == "in" else (v,))}
        if pred.negate:
            return [r for r in rows if view[r] not in wanted]
        return [r for r in rows if view[r] in wanted]
    if op in ("gte", "lte"):  # with null: null and missing only
        return _eq_rows(view, rows, NEG_INF)
    return []


def _value(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    return _keep(pred, table, rows, scalar_test(pred.op, pred.value))


def _search(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    tests = [scalar_test("search", compile_regex(p)) for p in pred.value]
    test = tests[0] if len(tests) == 1 else (lambda x: any(t(x) for t in tests))
    return _keep(pred, table, rows, test)


def _exists(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    col = table.columns[path.field]
    if type(col) is TimeColumn:  # its raw array: no value boxed per row
        raw, negate = col.raw, pred.negate
        return [r for r in rows if (raw[r] != MISSING_MS) is not negate]
    return _keep(pred, table, rows, lambda x: x is not MISSING)


def _errors_whole(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    docs = pred.value

    def holds(elements: Any) -> bool:
        # BSON equality: field order counts, booleans are not numbers (Python's == ignores both).
        return any(bson_equal(e, d) for e in elements for d in docs)

    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    col = table.columns[path.field]
    if pred.negate:
        return [r for r in rows if not holds(col[r])]
    return [r for r in rows if holds(col[r])]


def _elem_match(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    elem_test = compile_elem_match(pred.value)
    path = pred.path
    assert path is not None  # set on every predicate but none/all/any-of (``predicates.py``)
    col = table.columns[path.field]
    return [r for r in rows if any(map(elem_test, col[r]))]


def _any_of(pred: Predicate, table: Table, rows: Rows) -> list[int]:
    """Rows meeting one of the alternatives, in candidate order."""
    if len(pred.parts) == 1:  # a single ``filter_or`` condition: no union to make
        return filter_rows(pred.parts[0], table, rows)
    hit: set[int] = set()
    for part in pred.parts:
        hit.update(filter_rows(part, table, rows))
    return [r for r in rows if r in hit]


ROW_TESTS: dict[str, Callable[[Predicate, Table, Rows], list[int]]] = {
    NONE: _none,
    ALL: _all,
    STR_EQ: _str_eq,
    INT_COMPARE: _int_compare,
    DATE_RANGE: _date_range,
    DATE_VALUE: _date_value,
    VALUE: _value,
    SEARCH: _search,
    EXISTS: _exists,
    ERRORS_WHOLE: _errors_whole,
    ELEM_MATCH: _elem_match,
    ANY_OF: _any_of,
}
