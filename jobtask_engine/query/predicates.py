"""Parsed conditions as plain data: what each one tests, and which index could answer it.

A ``Predicate`` is a NamedTuple of values — the row test's name, the field's
path, the comparison, the converted value, whether it is negated, the index
that could answer it exactly (``IndexAccess``) — with no function and no
table state in it.  It is what the plan cache keeps.  The planner
(``query/planner.py``) chooses per predicate between its index and its row
test; the executor runs the index (``query/executor.read_index``) or the test
(``query/row_tests.filter_rows``).

Everything the reference refuses is refused here, when the request is
parsed, so that a bad condition never reaches the table.
Negative operators (``not``, ``not_in``, ``not_contain``, ``exists false``) are
the complement of their positive form over the candidates, which is exactly
MongoDB's rule for arrays and for null/missing values.
"""

from __future__ import annotations

import copy
import re
from typing import Any, NamedTuple

from .. import errors as E
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, INDEXED, INT, MISSING, STR
from .conditions import OPERATORS, UNKNOWN, Condition, Path, prepare_value, resolve_path
from .elem_match import compile_elem_match
from .values import compile_regex

__all__ = [
    "Predicate",
    "IndexAccess",
    "compile_condition",
    "FALSE",
    "NONE",
    "ALL",
    "STR_EQ",
    "INT_COMPARE",
    "DATE_RANGE",
    "DATE_VALUE",
    "VALUE",
    "SEARCH",
    "EXISTS",
    "ERRORS_WHOLE",
    "ELEM_MATCH",
    "ANY_OF",
]

# The row tests a predicate names (``query/row_tests.ROW_TESTS`` runs each):
#: no row / every candidate
NONE, ALL = "none", "all"
#: eq (ne when negated) of a string column with a string
STR_EQ = "string equality"
#: eq/lt/lte/gt/gte of an integer column with an integer
INT_COMPARE = "integer comparison"
#: lt/lte/gt/gte of a datetime column with an instant (epoch ms), over its order view
DATE_RANGE = "datetime range"
#: eq/in/comparison of a datetime column with an instant or null
DATE_VALUE = "datetime value"
#: eq/in/comparison by MongoDB's find rules (type brackets), on any field or element path
VALUE = "value"
#: a regular expression search (``value``: the pattern strings, any of them, case-insensitive)
SEARCH = "pattern search"
#: the field is stored (not stored when negated)
EXISTS = "exists"
#: the ``errors`` array compared element-wise with Error documents (``value``: the documents)
ERRORS_WHOLE = "errors element equality"
#: one ``errors`` element meets a sub-query (``value``: the query document)
ELEM_MATCH = "element match"
#: any of ``parts`` (the ``*_in`` operators)
ANY_OF = "any of"


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


class Predicate(NamedTuple):
    """One parsed condition, as plain data.

    ``test`` names the row test (one of this module's constants); ``path`` the field (and
    the sub-path inside ``errors`` elements); ``op`` the positive comparison; ``value`` the
    converted value, owned by the predicate (never a caller's list or dict); ``negate``
    keeps the candidates the positive form rejects; ``access`` the index that answers it
    exactly, if one does; ``parts`` the alternatives of ``ANY_OF``.
    """

    test: str
    label: str
    path: Path | None = None
    op: str = ""
    value: Any = None
    negate: bool = False
    access: IndexAccess | None = None
    parts: tuple["Predicate", ...] = ()


FALSE = Predicate(NONE, "false", access=IndexAccess("nothing"))


def compile_condition(cond: Condition) -> Predicate:
    """Resolve the key, convert the value, and describe the test."""
    _, op = OPERATORS[cond.operator]
    if op == "regex":
        return _regex(cond)
    path = resolve_path(cond.key)
    label = cond.label
    if op == "exists":
        return Predicate(EXISTS, label, path, "exists", None, not cond.value)
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
    return _compare(path, positive, _owned(value), negate, label)


def _owned(value: Any) -> Any:
    """The value as the predicate keeps it: lists as tuples, documents copied (a plan outlives
    the request it was parsed from, and its caller may change that request's objects)."""
    if isinstance(value, list):
        return tuple(_owned(v) for v in value)
    if isinstance(value, dict):
        return copy.deepcopy(value)
    return value


def _compare(path: Path, op: str, v: Any, negate: bool, label: str) -> Predicate:
    """eq/in/lt/lte/gt/gte, with the row test the column kind allows (the specialised ones
    skip the type brackets, which the column's kind already guarantees)."""
    test = VALUE
    if not path.in_array:
        if path.kind == STR and op == "eq" and type(v) is str:
            test = STR_EQ
        elif path.kind == INT and type(v) is int and not negate and op in ("eq", "gt", "gte", "lt", "lte"):
            test = INT_COMPARE
        elif path.kind == DATETIME and type(v) is int and not negate and op in ("gt", "gte", "lt", "lte"):
            test = DATE_RANGE
        elif path.kind == DATETIME:  # a converted datetime value is epoch ms or null
            test = DATE_VALUE
    return Predicate(test, label, path, op, v, negate, _index_access(path, op, v, negate))


def _index_access(path: Path, op: str, v: Any, negate: bool) -> IndexAccess | None:
    """An exact index answer for eq/in on indexed strings and ranges on ints, datetimes, strings."""
    if negate or path.in_array:
        return None
    name = path.field
    if name in INDEXED and op in ("eq", "in"):
        keys: list[Any] = []
        for x in v if op == "in" else (v,):
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
    if value is None and op in ("eq", "ne", "contain", "lt", "lte", "gt", "gte"):
        if op == "ne":
            return Predicate(ALL, label)
        return Predicate(NONE, label, access=IndexAccess("nothing"))
    if op not in ("contain", "in", "nin"):
        raise E.db_query(f"Querying the embedded document 'Error' failed, due to an invalid query value ({label})")
    values = value if isinstance(value, list) else [value]
    docs = tuple(_error_document(v, label) for v in values if v is not None)
    return Predicate(ERRORS_WHOLE, label, path, "in", docs, op == "nin")


def _error_document(value: Any, label: str) -> dict:
    if not isinstance(value, dict) or any(k not in ERROR_FIELDS for k in value):
        raise E.db_query(f"Querying the embedded document 'Error' failed, due to an invalid query value ({label})")
    doc = {k: value[k] for k in ("error_code", "message") if value.get(k) is not None}
    additional = value.get("additional")
    doc["additional"] = {} if additional is None else copy.deepcopy(additional)
    return doc


def _any_of(preds: list[Predicate], label: str) -> Predicate:
    """OR of sub-predicates (the ``*_in`` operators), keeping candidate order."""
    if len(preds) == 1:
        return preds[0]
    return Predicate(ANY_OF, label, parts=tuple(preds))


def _elem_match(path: Path, query: dict, label: str) -> Predicate:
    if path.kind != ERRORS or path.in_array:
        return Predicate(NONE, label)
    compile_elem_match(query)  # refuses what the reference refuses, now rather than at execution
    return Predicate(ELEM_MATCH, label, path, "match", copy.deepcopy(query))


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
        return _compare(path, "eq", _owned(v), False, label)
    access = None
    if not (negate or path.in_array or not v.isascii()):
        access = IndexAccess("text", path.field, "contain", v.lower())
    return Predicate(SEARCH, label, path, "search", (re.escape(v),), negate, access)


def _regex(cond: Condition) -> Predicate:
    """regex/regex_in go to MongoDB raw: the key is not checked, the pattern is case-insensitive."""
    label = cond.label
    patterns = cond.value if isinstance(cond.value, list) else [cond.value]
    for p in patterns:
        if not isinstance(p, str):
            raise E.db_query(f"$regex has to be a string ({label})")
        try:
            compile_regex(p)
        except re.error as exc:
            raise E.db_query(f"invalid regex {p!r}: {exc} ({label})") from None
    try:
        path = resolve_path(cond.key)
    except E.EngineError:
        return FALSE
    if path.kind == ERRORS:
        return FALSE
    return Predicate(SEARCH, label, path, "search", tuple(patterns))
