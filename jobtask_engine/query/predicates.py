"""Compiled conditions: each one filters a list of candidate row ids.

A predicate reads only its own column, in one list comprehension over the
candidates, and names the index that could answer it instead (``IndexAccess``,
plain data: posting lists for equality on indexed string fields, sorted
indexes for ranges, the lower-cased text for ``contain``); whether it does is
the planner's choice.
Negative operators (``not``, ``not_in``, ``not_contain``, ``exists false``) are
the complement of their positive form over the candidates, which is exactly
MongoDB's rule for arrays and for null/missing values.
"""

from __future__ import annotations

import re
from typing import Any, Callable, NamedTuple, Sequence

from .. import errors as E
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, INDEXED, INT, MISSING, STR
from ..table import NEG_INF, Table
from ..paths import element_getter, elements_reached
from ..values import bson_equal
from .conditions import OPERATORS, UNKNOWN, Condition, Path, prepare_value, resolve_path
from .elem_match import compile_elem_match
from .values import compile_regex, scalar_test

__all__ = ["Predicate", "IndexAccess", "compile_condition", "FALSE"]

Rows = Sequence[int]


class IndexAccess(NamedTuple):
    """How an index can answer a condition exactly: plain data, read by the planner (for its
    estimate) and the executor (for the rows); only they touch the table's indexes.

    ``kind``: ``postings`` (eq/in on an indexed string field: ``value`` the keys, null
    standing for null and missing), ``string_range`` (a range over an indexed string
    field's sorted keys), ``sorted_range`` (a range over an integer/datetime field's sorted
    index, also answerable by its range codes), ``text`` (a case-insensitive ASCII
    ``contain``: ``value`` the lower-case needle), ``nothing`` (no row can match).
    """

    kind: str
    field: str = ""
    op: str = ""
    value: Any = None


class Predicate:
    """One compiled condition: a test of candidate rows, and how an index may answer it.

    ``filter(table, rows)`` keeps the candidate rows that satisfy the condition,
    reading only its own column; ``access`` (or None) says which index answers it
    exactly.  Which one is used is the planner's choice (``query/planner.py``).
    """

    __slots__ = ("_filter", "access", "label")

    def __init__(self, filt: Callable[[Table, Rows], list[int]], access: IndexAccess | None = None, label: str = "") -> None:
        self._filter = filt
        self.access = access
        self.label = label

    def filter(self, table: Table, rows: Rows) -> list[int]:
        return self._filter(table, rows)

    def __repr__(self) -> str:
        return f"Predicate({self.label})"


FALSE = Predicate(lambda table, rows: [], IndexAccess("nothing"), "false")


def compile_condition(cond: Condition) -> Predicate:
    """Resolve the key, convert the value, and build the predicate."""
    _, op = OPERATORS[cond.operator]
    if op == "regex":
        return _compile_regex(cond)
    path = resolve_path(cond.key)
    label = cond.label
    if op == "exists":
        return _exists(path, cond.value, label)
    if op == "match":
        if path.kind in (INT, UNKNOWN):
            raise E.db_query(f"int() cannot convert a match document ({label})")
        return _elem_match(path, cond.value, label)
    if path.kind == ERRORS:
        return _errors_whole(path, op, cond.value, label)
    try:
        value = prepare_value(path, op, cond.value, cond.key)
    except E.EngineError as exc:
        # Name the condition as the caller wrote it (not, say, the instant a timediff became).
        raise E.EngineError(exc.code, f"{exc.message} (condition = {cond.source})") from None
    if op in ("contain", "not_contain"):
        if isinstance(value, list):
            return _any_of([_contain(path, op, v, label) for v in value], label)
        return _contain(path, op, value, label)
    positive, negate = {"ne": ("eq", True), "nin": ("in", True)}.get(op, (op, False))
    return _build(path, positive, value, negate, label)


# -- building blocks -------------------------------------------------------


def _values_getter(path: Path) -> Callable[[Table], Callable[[int], Any]]:
    """For array paths: row -> the list of values the path reaches (``paths.elements_reached``)."""
    get_one = element_getter(path.sub)
    untyped = path.kind == "any"

    def bind(table: Table) -> Callable[[int], list]:
        errs = table.columns[path.field]
        if untyped:
            return lambda r: elements_reached(errs[r], get_one, True)
        return lambda r: [get_one(e) for e in errs[r]]

    return bind


def _scalar_filter(path: Path, test: Callable[[Any], bool], negate: bool):
    if path.in_array:
        bind = _values_getter(path)

        def filt(table: Table, rows: Rows) -> list[int]:
            values = bind(table)
            if negate:
                return [r for r in rows if not any(map(test, values(r)))]
            return [r for r in rows if any(map(test, values(r)))]

        return filt

    name = path.field

    def filt(table: Table, rows: Rows) -> list[int]:
        col = table.columns[name]
        if negate:
            return [r for r in rows if not test(col[r])]
        return [r for r in rows if test(col[r])]

    return filt


def _fast_filter(path: Path, op: str, v: Any, negate: bool):
    """Specialised comprehensions where the column kind fixes the stored types."""
    if path.in_array:
        return None
    name, kind = path.field, path.kind
    if kind == STR and op == "eq" and type(v) is str:
        if negate:
            return lambda t, rows: _ne_rows(t.columns[name], rows, v)
        return lambda t, rows: _eq_rows(t.columns[name], rows, v)
    if kind == INT and type(v) is int and not negate:
        compare = _INT_COMPARISONS.get(op)
        if compare is not None:
            return lambda t, rows: compare(t.columns[name], rows, v)
    if kind == DATETIME and type(v) is int and not negate and op in ("gt", "gte", "lt", "lte"):
        compare = _INT_COMPARISONS[op]
        if op in ("gt", "gte"):
            return lambda t, rows: compare(t.order_view(name), rows, v)
        # null and missing are -inf in the view: keep them out of lt/lte
        return lambda t, rows: _gt_rows(t.order_view(name), compare(t.order_view(name), rows, v), NEG_INF)
    return None


def _ne_rows(col: list, rows: Rows, v: Any) -> list[int]:
    return [r for r in rows if col[r] != v]


def _gt_rows(col: list, rows: Rows, v: int) -> list[int]:
    return [r for r in rows if col[r] > v]


def _gte_rows(col: list, rows: Rows, v: int) -> list[int]:
    return [r for r in rows if col[r] >= v]


def _lt_rows(col: list, rows: Rows, v: int) -> list[int]:
    return [r for r in rows if col[r] < v]


def _lte_rows(col: list, rows: Rows, v: int) -> list[int]:
    return [r for r in rows if col[r] <= v]


def _eq_rows(col: list, rows: Rows, v: Any) -> list[int]:
    if type(rows) is range:
        # All rows: let C find the positions of v.
        return [r for r, x in enumerate(col) if x == v] if rows.start == 0 and rows.stop == len(col) else [
            r for r in rows if col[r] == v
        ]
    return [r for r in rows if col[r] == v]


_INT_COMPARISONS = {"eq": _eq_rows, "gt": _gt_rows, "gte": _gte_rows, "lt": _lt_rows, "lte": _lte_rows}


def _datetime_test(op: str, v: Any) -> Callable[[Any], bool]:
    """Datetime columns hold int ms (or None/MISSING); a converted value is int ms or None."""
    if v is None:
        return scalar_test(op, None)
    if op == "eq":
        return lambda x: x == v and type(x) is int
    if op == "in":
        wanted = {x for x in v if x is not None}
        has_null = any(x is None for x in v)
        return lambda x: (x in wanted and type(x) is int) or (has_null and (x is None or x is MISSING))
    cmp = {"lt": int.__lt__, "lte": int.__le__, "gt": int.__gt__, "gte": int.__ge__}[op]
    return lambda x: type(x) is int and cmp(x, v)


def _build(path: Path, op: str, v: Any, negate: bool, label: str) -> Predicate:
    filt = _fast_filter(path, op, v, negate)
    if filt is None:
        if path.kind == DATETIME and not path.in_array and (v is None or op == "in" or type(v) is int):
            test = _datetime_test(op, v)
        else:
            test = scalar_test(op, v)
        filt = _scalar_filter(path, test, negate)
    return Predicate(filt, _index_access(path, op, v, negate), label)


def _index_access(path: Path, op: str, v: Any, negate: bool) -> IndexAccess | None:
    """An exact index answer for eq/in on indexed strings and ranges on ints, datetimes, strings."""
    if negate or path.in_array:
        return None
    name = path.field
    if name in INDEXED and op in ("eq", "in"):
        keys: list[Any] = []
        for x in v if op == "in" else [v]:
            if x is None:
                keys += [None, MISSING]
            elif type(x) is str:
                keys.append(x)
        return IndexAccess("postings", name, op, tuple(keys))
    if op in ("gt", "gte", "lt", "lte"):
        if name in INDEXED and type(v) is str:
            return IndexAccess("string_range", name, op, v)
        if path.kind in (INT, DATETIME) and type(v) is int:
            return IndexAccess("sorted_range", name, op, v)
    return None


def _errors_whole(path: Path, op: str, value: Any, label: str) -> Predicate:
    """The ``errors`` array itself, compared element-wise with a converted Error document.

    The production model turns a dict into an embedded Error (unknown keys
    refused, ``additional`` defaulted to {}) and compares whole elements;
    ``eq``/``not`` with a value and the ordering operators are refused.
    """
    name = path.field
    if value is None and op in ("eq", "ne", "contain", "lt", "lte", "gt", "gte"):
        if op == "ne":
            return Predicate(lambda table, rows: list(rows), None, label)
        return Predicate(lambda table, rows: [], IndexAccess("nothing"), label)
    if op not in ("contain", "in", "nin"):
        raise E.db_query(f"Querying the embedded document 'Error' failed, due to an invalid query value ({label})")
    values = value if isinstance(value, list) else [value]
    docs = [_error_document(v, label) for v in values if v is not None]
    negate = op == "nin"

    def holds(elements: Any) -> bool:
        # BSON equality: field order counts, booleans are not numbers (Python's == ignores both).
        return any(bson_equal(e, d) for e in elements for d in docs)

    def filt(table: Table, rows: Rows) -> list[int]:
        col = table.columns[name]
        if negate:
            return [r for r in rows if not holds(col[r])]
        return [r for r in rows if holds(col[r])]

    return Predicate(filt, None, label)


def _error_document(value: Any, label: str) -> dict:
    if not isinstance(value, dict) or any(k not in ERROR_FIELDS for k in value):
        raise E.db_query(f"Querying the embedded document 'Error' failed, due to an invalid query value ({label})")
    doc = {k: value[k] for k in ("error_code", "message") if value.get(k) is not None}
    additional = value.get("additional")
    doc["additional"] = {} if additional is None else additional
    return doc


def _any_of(preds: list[Predicate], label: str) -> Predicate:
    """OR of sub-predicates (the ``*_in`` operators), keeping candidate order."""
    if len(preds) == 1:
        return preds[0]

    def filt(table: Table, rows: Rows) -> list[int]:
        hit: set[int] = set()
        for p in preds:
            hit.update(p.filter(table, rows))
        return [r for r in rows if r in hit]

    return Predicate(filt, None, label)


def _exists(path: Path, want: bool, label: str) -> Predicate:
    test = lambda x: x is not MISSING  # noqa: E731
    return Predicate(_scalar_filter(path, test, not want), None, label)


def _elem_match(path: Path, query: dict, label: str) -> Predicate:
    if path.kind != ERRORS or path.in_array:
        return Predicate(lambda table, rows: [], None, label)
    elem_test = compile_elem_match(query)
    name = path.field

    def filt(table: Table, rows: Rows) -> list[int]:
        col = table.columns[name]
        return [r for r in rows if any(map(elem_test, col[r]))]

    return Predicate(filt, None, label)


def _contain(path: Path, op: str, v: Any, label: str) -> Predicate:
    """contain/not_contain: a case-insensitive literal search on string fields (the stat
    ``match`` stage's contain is a raw case-sensitive regex instead: ``stat/parse._regex``).

    On integer and datetime fields the reference's conversion turns the
    search into plain equality with the converted value, and so does a
    non-string value on the untyped ``errors.additional`` paths.
    """
    negate = op == "not_contain"
    if path.kind in (INT, DATETIME) or not isinstance(v, str):
        if negate:
            raise E.db_query(f"not_contain is not supported on a non-string field ({label})")
        return _build(path, "eq", v, False, label)
    pattern = compile_regex(re.escape(v))
    filt = _scalar_filter(path, scalar_test("search", pattern), negate)
    if negate or path.in_array or not v.isascii():
        return Predicate(filt, None, label)
    return Predicate(filt, IndexAccess("text", path.field, "contain", v.lower()), label)


def _compile_regex(cond: Condition) -> Predicate:
    """regex/regex_in go to MongoDB raw: the key is not checked, the pattern is case-insensitive."""
    label = cond.label
    patterns = cond.value if isinstance(cond.value, list) else [cond.value]
    compiled = []
    for p in patterns:
        if not isinstance(p, str):
            raise E.db_query(f"$regex has to be a string ({label})")
        try:
            compiled.append(compile_regex(p))
        except re.error as exc:
            raise E.db_query(f"invalid regex {p!r}: {exc} ({label})") from None
    try:
        path = resolve_path(cond.key)
    except E.EngineError:
        return FALSE
    tests = [scalar_test("search", c) for c in compiled]
    test = tests[0] if len(tests) == 1 else (lambda x: any(t(x) for t in tests))
    if path.kind == ERRORS:
        return FALSE
    return Predicate(_scalar_filter(path, test, False), None, label)
