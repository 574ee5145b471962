"""A list condition's test of one stored value, from MongoDB's find rules.

The value rules themselves (type order, equality) are ``jobtask_engine.values``;
what is the find's own is here: values of different BSON types never compare
(type bracketing), and a null query value also matches a missing field.
These are the slow, general tests: the predicate compiler uses them only
where a column's kind does not already guarantee the types.
"""

from __future__ import annotations

import re
from typing import Any

from ..values import MISSING, R_ARRAY, R_OBJECT, ValueTest, bson_equal, bson_key, in_test, rank

__all__ = ["scalar_test", "compile_regex"]

def _eq(v: Any) -> ValueTest:
    if v is None:
        return lambda x: x is None or x is MISSING
    b = rank(v)
    if b == R_OBJECT or b == R_ARRAY:
        # Python's == ignores key order and equates True with 1; MongoDB does neither.
        return lambda x: bson_equal(x, v)
    return lambda x: x == v and rank(x) == b


def _order(op: str, v: Any) -> ValueTest:
    if v is None:
        if op in ("gte", "lte"):
            return lambda x: x is None or x is MISSING
        return lambda x: False
    b = rank(v)
    if b in (R_OBJECT, R_ARRAY):
        bound = bson_key(v)
        compare_keys = {"lt": tuple.__lt__, "lte": tuple.__le__, "gt": tuple.__gt__, "gte": tuple.__ge__}[op]
        return lambda x: rank(x) == b and compare_keys(bson_key(x), bound)
    cmp = {
        "lt": lambda x: x < v,
        "lte": lambda x: x <= v,
        "gt": lambda x: x > v,
        "gte": lambda x: x >= v,
    }[op]
    return lambda x: rank(x) == b and cmp(x)


def compile_regex(pattern: str, ignore_case: bool = True) -> "re.Pattern[str]":
    return re.compile(pattern, re.IGNORECASE if ignore_case else 0)


def scalar_test(op: str, v: Any) -> ValueTest:
    """A test of one stored scalar for a positive operator (eq, lt.., in, contain, regex)."""
    if op == "eq":
        return _eq(v)
    if op in ("lt", "lte", "gt", "gte"):
        return _order(op, v)
    if op == "in":
        return in_test(v)
    if op == "search":  # v is a compiled pattern
        search = v.search
        return lambda x: type(x) is str and search(x) is not None
    raise ValueError(op)
