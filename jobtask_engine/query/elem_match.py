"""``match`` on ``errors``: an element sub-query in the production model's own syntax.

The reference hands the dict to mongoengine as a query on the embedded Error
document, so its keys are Error field names with an optional ``__<operator>``
suffix (``error_code``, ``message__icontains``, ``additional__x``,
``error_code__in``); the query matches a row when one element satisfies every
key.  ``$``-operators and unknown fields are query errors there, and here.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .. import errors as E
from ..schema import ERROR_FIELDS, MISSING
from ..paths import element_getter
from .values import scalar_test

__all__ = ["compile_elem_match"]

Test = Callable[[Any], bool]

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


def _value_test(op: str, value: Any, where: str) -> Test:
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


def _compile_key(key: Any, value: Any) -> Test:
    if not isinstance(key, str) or not key:
        raise E.db_query(f"match: invalid key {key!r}")
    parts = key.split("__")
    op = "eq"
    if len(parts) > 1 and (parts[-1] in _SEARCHES or parts[-1] in _COMPARISONS):
        op = parts.pop()
    field, sub = parts[0], parts[1:]
    if field not in ERROR_FIELDS or (sub and ERROR_FIELDS[field][0] != "dict") or "" in sub:
        raise E.db_query(f'match: Cannot resolve field "{key}" of Error')
    test = _value_test(op, value, key)
    get = element_getter((field, *sub))
    return lambda elem: test(get(elem))


def compile_elem_match(query: dict) -> Test:
    """Test of one ``errors`` element against the sub-query (every key must hold)."""
    tests = [_compile_key(k, v) for k, v in query.items()]
    return lambda elem: isinstance(elem, dict) and all(t(elem) for t in tests)
