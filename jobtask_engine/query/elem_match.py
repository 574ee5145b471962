"""``match`` on ``errors``: an element sub-query in the production model's own syntax.

The reference hands the dict to mongoengine as a query on the embedded Error
document, so its keys are Error field names with an optional ``__<operator>``
suffix (``error_code``, ``message__icontains``, ``additional__x``,
``error_code__in``); the query matches a row when one element satisfies every
key.  ``$``-operators and unknown fields are query errors there, and here.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

from .. import errors as E
from ..paths import element_getter
from ..schema import ERROR_FIELDS, MISSING
from ..values import ValueTest
from .values import scalar_test

__all__ = ["compile_elem_match", "is_operator_document"]


_SEARCHES = {
    "contains": (r"{}", 0),
    "icontains": (r"{}", re.IGNORECASE),
    "startswith": (r"^{}", 0),
    "istartswith": (r"^{}", re.IGNORECASE),
    "endswith": (r"{}$", 0),
    "iendswith": (r"{}$", re.IGNORECASE),
    "exact": (r"^{}$", 0),
    "iexact": (r"^{}$", re.IGNORECASE),
}
_COMPARISONS = ("ne", "lt", "lte", "gt", "gte", "in", "nin", "exists")


def _value_test(op: str, value: Any, where: str) -> ValueTest:
    if op in _SEARCHES:
        if not isinstance(value, str):
            raise E.db_query(f"match: {where} needs a string value")
        template, flags = _SEARCHES[op]
        pattern = re.compile(template.format(re.escape(value)), flags)
        return lambda x: type(x) is str and pattern.search(x) is not None
    if op == "eq":
        return scalar_test("eq", value)
    if op == "ne":
        t = scalar_test("eq", value)
        return lambda x: not t(x)
    if op in ("in", "nin"):
        if not isinstance(value, (list, tuple)):
            raise E.db_query(f"match: {where} needs a list value")
        t = scalar_test("in", list(value))
        return t if op == "in" else (lambda x: not t(x))
    if op == "exists":
        want = bool(value)
        return lambda x: (x is not MISSING) == want
    return scalar_test(op, value)


# -- operator documents ----------------------------------------------------------------

#: ``$type`` aliases and codes -> the stored Python types they name (ints as BSON stores them:
#: int32 when they fit, else int64).
_INT32 = range(-(2**31), 2**31)
_TYPE_TESTS: dict[Any, ValueTest] = {
    "double": lambda x: type(x) is float,
    "string": lambda x: type(x) is str,
    "object": lambda x: type(x) is dict,
    "array": lambda x: type(x) is list,
    "bool": lambda x: type(x) is bool,
    "null": lambda x: x is None,
    "date": lambda x: isinstance(x, _dt.datetime),
    "int": lambda x: type(x) is int and x in _INT32,
    "long": lambda x: type(x) is int and x not in _INT32,
    "number": lambda x: type(x) in (int, float),
}
_TYPE_TESTS.update({1: _TYPE_TESTS["double"], 2: _TYPE_TESTS["string"], 3: _TYPE_TESTS["object"],
                    4: _TYPE_TESTS["array"], 8: _TYPE_TESTS["bool"], 9: _TYPE_TESTS["date"], 10: _TYPE_TESTS["null"],
                    16: _TYPE_TESTS["int"], 18: _TYPE_TESTS["long"]})
_REGEX_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


def is_operator_document(value: Any) -> bool:
    """A dict whose first key is a ``$``-operator: MongoDB reads it as operators, not a value."""
    return type(value) is dict and bool(value) and isinstance(next(iter(value)), str) and next(iter(value)).startswith("$")


def _refuse(where: str, reason: str) -> E.EngineError:
    return E.db_query(f"match: {reason} ({where})")


def _regex_test(pattern: Any, options: Any, where: str) -> ValueTest:
    if not isinstance(pattern, str):
        raise _refuse(where, "$regex has to be a string")
    if not isinstance(options, str) or any(o not in _REGEX_FLAGS for o in options):
        raise _refuse(where, f"invalid flag in regex options: {options!r}")
    flags = 0
    for o in options:
        flags |= _REGEX_FLAGS[o]
    try:
        search = re.compile(pattern, flags).search
    except re.error as exc:
        raise _refuse(where, f"invalid regex {pattern!r}: {exc}") from None
    return lambda x: type(x) is str and search(x) is not None


def _list_argument(op: str, value: Any, where: str) -> list:
    if not isinstance(value, list):
        raise _refuse(where, f"{op} needs an array")
    return value


def _mod_test(value: Any, where: str) -> ValueTest:
    if not isinstance(value, list) or len(value) != 2 or not all(type(v) in (int, float) for v in value):
        raise _refuse(where, "malformed mod, needs to be an array of two numbers [divisor, remainder]")
    divisor, remainder = (int(v) for v in value)  # MongoDB truncates both to integers
    if divisor == 0:
        raise _refuse(where, "divisor cannot be 0")

    def test(x: Any) -> bool:
        if type(x) not in (int, float):
            return False
        n = int(x)
        return n - divisor * int(n / divisor) == remainder  # C's %, as MongoDB computes it

    return test


def _one_operator(op: str, value: Any, operators: dict, where: str) -> ValueTest:
    """The test of one ``$op: value`` of an operator document on one stored field value."""
    if op in ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$exists"):
        return _value_test(op[1:], value, where)
    if op in ("$in", "$nin"):
        return _value_test(op[1:], _list_argument(op, value, where), where)
    if op == "$all":
        tests = [scalar_test("eq", v) for v in _list_argument(op, value, where)]
        return lambda x: bool(tests) and all(t(x) for t in tests)
    if op == "$regex":
        return _regex_test(value, operators.get("$options", ""), where)
    if op == "$options":
        if "$regex" not in operators:
            raise _refuse(where, "$options needs a $regex")
        return lambda x: True  # read with its $regex
    if op == "$not":
        if isinstance(value, re.Pattern):
            inner = _regex_test(value.pattern, "", where)
        elif is_operator_document(value):
            inner = _operator_test(value, where)
        else:
            raise _refuse(where, "$not needs a regex or a document")
        return lambda x: not inner(x)
    if op == "$size":
        if type(value) not in (int, float) or value < 0 or value != int(value):
            raise _refuse(where, "$size needs a non-negative whole number")
        return lambda x: type(x) is list and len(x) == value
    if op == "$type":
        aliases = value if isinstance(value, list) else [value]
        try:
            tests = [_TYPE_TESTS[a] for a in aliases]
        except (KeyError, TypeError):
            raise _refuse(where, f"unknown type name alias: {value!r}") from None
        return lambda x: any(t(x) for t in tests)
    if op == "$mod":
        return _mod_test(value, where)
    raise _refuse(where, f"unknown operator: {op}")


def _operator_test(operators: dict, where: str) -> ValueTest:
    """An operator document on a field: every operator must hold (MongoDB's implicit AND)."""
    tests = []
    for op, value in operators.items():
        if not isinstance(op, str) or not op.startswith("$"):
            raise _refuse(where, f"unknown operator: {op!r} (an operator document holds $-operators only)")
        tests.append(_one_operator(op, value, operators, where))
    return lambda x: all(t(x) for t in tests)


def _compile_key(key: Any, value: Any) -> ValueTest:
    if not isinstance(key, str) or not key:
        raise E.db_query(f"match: invalid key {key!r}")
    parts = key.split("__")
    op = "eq"
    if len(parts) > 1 and (parts[-1] in _SEARCHES or parts[-1] in _COMPARISONS):
        op = parts.pop()
    field, sub = parts[0], parts[1:]
    if field not in ERROR_FIELDS or (sub and ERROR_FIELDS[field][0] != "dict") or "" in sub:
        raise E.db_query(f'match: Cannot resolve field "{key}" of Error')
    if op == "eq" and is_operator_document(value):
        test = _operator_test(value, key)
    else:
        test = _value_test(op, value, key)
    get = element_getter((field, *sub))
    return lambda elem: test(get(elem))


def compile_elem_match(query: dict) -> ValueTest:
    """ValueTest of one ``errors`` element against the sub-query (every key must hold)."""
    tests = [_compile_key(k, v) for k, v in query.items()]
    return lambda elem: isinstance(elem, dict) and all(t(elem) for t in tests)
