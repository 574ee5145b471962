"""MongoDB's rules for one stored value against one query value.

Values of different BSON types never compare equal and never order against
each other (type bracketing); null and missing are equal to a null query
value; numbers compare across int and float but not with booleans.  These are
the slow, general rules: the predicate compiler uses them only where a
column's kind does not already guarantee the types.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..schema import MISSING
from .conditions import DateValue

__all__ = ["bracket", "bson_key", "scalar_test", "compile_regex"]

Test = Callable[[Any], bool]

NULL, NUMBER, STRING, OBJECT, ARRAY, BOOL, DATE = 1, 2, 3, 4, 5, 8, 9


def bracket(x: Any) -> int:
    """MongoDB's canonical type order for a stored or query value."""
    if x is None or x is MISSING:
        return NULL
    t = type(x)
    if t is str:
        return STRING
    if t is bool:
        return BOOL
    if t is DateValue:
        return DATE
    if t is int or t is float:
        return NUMBER
    if t is dict:
        return OBJECT
    if t is list:
        return ARRAY
    return OBJECT


def bson_key(x: Any) -> tuple:
    """A sort key reproducing MongoDB's order between any two values.

    Objects compare field by field (type bracket, name, value), then by length.
    """
    b = bracket(x)
    if b == NULL:
        return (b, 0)
    if b == OBJECT:
        # each value's key computed once (twice per level made nested values cost 2^depth)
        return (b, tuple((key[0], k, key) for k, key in ((k, bson_key(v)) for k, v in x.items())))
    if b == ARRAY:
        return (b, tuple(bson_key(v) for v in x))
    return (b, x)


def _eq(v: Any) -> Test:
    if v is None:
        return lambda x: x is None or x is MISSING
    b = bracket(v)
    return lambda x: x == v and bracket(x) == b


def _order(op: str, v: Any) -> Test:
    if v is None:
        if op in ("gte", "lte"):
            return lambda x: x is None or x is MISSING
        return lambda x: False
    b = bracket(v)
    if b in (OBJECT, ARRAY):
        bound = bson_key(v)
        compare_keys = {"lt": tuple.__lt__, "lte": tuple.__le__, "gt": tuple.__gt__, "gte": tuple.__ge__}[op]
        return lambda x: bracket(x) == b and compare_keys(bson_key(x), bound)
    cmp = {
        "lt": lambda x: x < v,
        "lte": lambda x: x <= v,
        "gt": lambda x: x > v,
        "gte": lambda x: x >= v,
    }[op]
    return lambda x: bracket(x) == b and cmp(x)


def compile_regex(pattern: str, ignore_case: bool = True) -> "re.Pattern[str]":
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def scalar_test(op: str, v: Any) -> Test:
    """A test of one stored scalar for a positive operator (eq, lt.., in, contain, regex)."""
    if op == "eq":
        return _eq(v)
    if op in ("lt", "lte", "gt", "gte"):
        return _order(op, v)
    if op == "in":
        # string values through one set lookup (a test per value made a 10k-id list cost 47 s on 100k rows)
        strings = frozenset(x for x in v if type(x) is str)
        tests = [_eq(x) for x in v if type(x) is not str]
        if not tests:
            return lambda x: type(x) is str and x in strings
        return lambda x: (type(x) is str and x in strings) or any(t(x) for t in tests)
    if op == "search":  # v is a compiled pattern
        search = v.search
        return lambda x: type(x) is str and search(x) is not None
    raise ValueError(op)
