"""MongoDB's value rules, in one place: type order, equality, grouping identity, sort keys.

Both halves of the engine read values through this module: the list filter
and its ordering (``query/``) and the stat pipeline (``stat/``).  A value is
one of ``None``, ``bool``, ``int``, ``float``, ``str``, a datetime, ``dict``,
``list``, or :data:`MISSING` ("no such field").  A datetime has one form for
comparison: epoch milliseconds under the date bracket.  Stored datetime
columns hold those milliseconds already; a pipeline value is a naive UTC
``datetime``; a list query value aimed at a field that is not a datetime is a
:class:`DateValue`.  All three get the same key.

Where MongoDB itself treats "not stored" differently, the difference is a
named choice here, not a second implementation:

- **comparison order** (:func:`bson_key`, :func:`rank`): aggregation
  expressions (``$max``/``$min``, ``$lt`` ...) rank missing *below* null;
- **sort order** (:func:`sort_key`, used by a list's ``sort`` and by the
  ``$sort`` stage): missing sorts *as* null; an array sorts by its smallest
  element ascending and its largest descending; the empty array sorts before
  null (:data:`EMPTY_ARRAY_KEY`);
- **equality** (:func:`bson_equal`, :func:`freeze`): same type bracket and
  same value, numbers across int and float, booleans apart from numbers,
  documents field by field *in order*.  A find's ``{path: null}`` also
  matching a missing field is a query rule, kept with the query tests.
"""

from __future__ import annotations

import datetime as _dt
from itertools import repeat
from typing import Any, Callable, Sequence

from .schema import MISSING
from .timeutil import EPOCH, from_ms, to_ms

__all__ = [
    "MISSING",
    "DateValue",
    "equality_key",
    "in_test",
    "NoEqualityKey",
    "ValueTest",
    "R_MISSING",
    "R_NULL",
    "R_NUMBER",
    "R_STRING",
    "R_OBJECT",
    "R_ARRAY",
    "R_BOOL",
    "R_DATE",
    "NULL_KEY",
    "EMPTY_ARRAY_KEY",
    "rank",
    "bson_key",
    "bson_equal",
    "freeze",
    "sort_key",
    "leaves_sort_key",
    "is_number",
    "type_name",
    "ms_to_dt",
    "datetimes_of",
]

DateTime = _dt.datetime

#: A test of one value (a stored field value, or one a path reached).
ValueTest = Callable[[Any], bool]


class DateValue(int):
    """A datetime list-query value against a field that is not a datetime: epoch milliseconds
    under the date bracket, so it equals nothing stored there (an int subclass keeps it cheap)."""

    __slots__ = ()


# MongoDB's canonical type order (bson-type-comparison-order); missing below null.
R_MISSING, R_NULL, R_NUMBER, R_STRING, R_OBJECT, R_ARRAY, R_BOOL, R_DATE = 0, 1, 2, 3, 4, 5, 8, 9

_RANKS = {
    type(None): R_NULL,
    int: R_NUMBER,
    float: R_NUMBER,
    str: R_STRING,
    dict: R_OBJECT,
    list: R_ARRAY,
    bool: R_BOOL,
    DateTime: R_DATE,
    DateValue: R_DATE,
}

#: The sort key of null, and of missing in a sort (MongoDB sorts a missing field as null).
NULL_KEY = (R_NULL, 0)
#: The sort key of an empty array: before null and missing, in a find's sort and in ``$sort``.
EMPTY_ARRAY_KEY = (R_NULL - 0.5, 0)


def rank(value: Any) -> int:
    """The BSON type bracket of a value (MISSING below null)."""
    r = _RANKS.get(type(value))
    if r is not None:
        return r
    if value is MISSING:
        return R_MISSING
    if isinstance(value, DateTime):
        return R_DATE
    return R_OBJECT


def bson_key(value: Any) -> tuple:
    """A Python sort key that orders values as MongoDB's BSON comparison does.

    Documents compare field by field (type bracket, then field name, then
    value), arrays element by element, then by length; dates by their epoch
    milliseconds, whatever form they arrive in.
    """
    t = type(value)
    if t is str:
        return (R_STRING, value)
    if t is int or t is float:
        return (R_NUMBER, value)
    if value is None:
        return NULL_KEY
    if t is DateTime:
        return (R_DATE, to_ms(value))
    if t is DateValue:
        return (R_DATE, int(value))
    if t is bool:
        return (R_BOOL, value)
    if t is dict:
        return (R_OBJECT, tuple((rank(v), k, bson_key(v)) for k, v in value.items()))
    if t is list:
        return (R_ARRAY, tuple(bson_key(v) for v in value))
    if value is MISSING:
        return (R_MISSING, 0)
    if isinstance(value, DateTime):
        return (R_DATE, to_ms(value))
    return (rank(value), 0)


def bson_equal(a: Any, b: Any) -> bool:
    """MongoDB equality: same type bracket and same value (documents in field order)."""
    ra, rb = rank(a), rank(b)
    if ra != rb:
        return False
    if ra == R_OBJECT:
        if len(a) != len(b):
            return False
        return all(ka == kb and bson_equal(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    if ra == R_ARRAY:
        return len(a) == len(b) and all(bson_equal(x, y) for x, y in zip(a, b))
    if ra == R_DATE:
        return bson_key(a) == bson_key(b)
    return a == b


def freeze(value: Any) -> Any:
    """A hashable stand-in with MongoDB's equality, for grouping and de-duplication.

    Python's own hash equates ``True`` with ``1``; MongoDB keeps them apart,
    so booleans are tagged (as are documents and arrays, which also become
    hashable).
    """
    t = type(value)
    if t is dict:
        return ("\0doc", tuple((k, freeze(v)) for k, v in value.items()))
    if t is list:
        return ("\0arr", tuple(freeze(v) for v in value))
    if t is bool:
        return ("\0bool", value)
    return value


class NoEqualityKey(Exception):
    """A value :func:`equality_key` has no key for (neither JSON nor a date)."""


def equality_key(value: Any) -> Any:
    """A hashable key of a value, equal to another's exactly when ``bson_equal`` holds:
    numbers by value (1 and 1.0 alike), booleans, documents, arrays and dates tagged, NaN
    equal to nothing (not even itself).  What an ``in`` list is looked up by (one set
    lookup per value instead of one equality test per listed value); :func:`freeze` is
    the grouping identity, which keeps a date and NaN as they are."""
    t = type(value)
    if t is str or t is int:
        return value
    if t is float:
        return value if value == value else object()
    if t is bool:
        return ("\0bool", value)
    if value is None:
        return None
    if t is dict:
        return ("\0doc", tuple((k, equality_key(v)) for k, v in value.items()))
    if t is list:
        return ("\0arr", tuple(equality_key(v) for v in value))
    if t is DateValue or isinstance(value, DateTime):
        return ("\0date", bson_key(value)[1])
    raise NoEqualityKey


def in_test(values: Sequence[Any]) -> ValueTest:
    """Is a value equal to one of ``values`` by :func:`bson_equal` (null also matching a value
    not stored, as a find's null does): one set lookup of its :func:`equality_key`.

    A test per listed value made a 10k-id list take 47 s on 100k rows, a 10k-document
    list on ``errors.additional`` 37 s, a 1,000-value stat ``$in`` 20 s
    (``benchmarks/limits_probe.py``).  A value with no equality key is compared with each
    listed value in turn.
    """
    strings = frozenset(x for x in values if type(x) is str)
    others = [x for x in values if type(x) is not str]
    if not others:
        return lambda x: type(x) is str and x in strings
    null = any(x is None for x in others)
    listed = [x for x in values if x is not None]
    keys: set = set()
    unkeyed: list[Any] = []  # listed values without a key, compared one by one
    for x in others:
        if x is not None:
            try:
                keys.add(equality_key(x))
            except NoEqualityKey:
                unkeyed.append(x)

    def test(x: Any) -> bool:
        if type(x) is str:
            return x in strings
        if x is None or x is MISSING:
            return null
        try:
            if equality_key(x) in keys:
                return True
        except NoEqualityKey:
            return any(bson_equal(x, q) for q in listed)
        return any(bson_equal(x, q) for q in unkeyed)

    return test


def _element_key(value: Any) -> tuple:
    return NULL_KEY if value is MISSING else bson_key(value)


def sort_key(value: Any, desc: bool) -> tuple:
    """The sort key of one field value (list ``sort`` and ``$sort``).

    Missing sorts as null; an array by its smallest element ascending, its
    largest descending; the empty array before null.
    """
    if type(value) is list:
        if not value:
            return EMPTY_ARRAY_KEY
        keys = [_element_key(e) for e in value]
        return max(keys) if desc else min(keys)
    if value is MISSING or value is None:
        return NULL_KEY
    return bson_key(value)


def leaves_sort_key(leaves: list, desc: bool) -> tuple:
    """The sort key of a dotted path that reached several values (a path through an array):
    the values' keys taken together, as one array's elements are; none reached sorts as ``[]``."""
    if not leaves:
        return EMPTY_ARRAY_KEY
    if len(leaves) == 1:
        return sort_key(leaves[0], desc)
    keys = [sort_key(v, desc) for v in leaves]
    return max(keys) if desc else min(keys)


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float


_TYPE_NAMES = {
    R_MISSING: "missing",
    R_NULL: "null",
    R_NUMBER: "number",
    R_STRING: "string",
    R_OBJECT: "object",
    R_ARRAY: "array",
    R_BOOL: "bool",
    R_DATE: "date",
}


def type_name(value: Any) -> str:
    """MongoDB's name for a value's type, for error messages."""
    if type(value) is int:
        return "int"
    if type(value) is float:
        return "double"
    return _TYPE_NAMES[rank(value)]


def ms_to_dt(ms: Any) -> Any:
    """A stored datetime column value as a pipeline value (None and MISSING pass)."""
    if ms is None or ms is MISSING:
        return ms
    return from_ms(ms)


def datetimes_of(ms_values: Sequence) -> list:
    """``[ms_to_dt(v) for v in ms_values]``: epoch milliseconds as pipeline datetimes.

    Without null or missing values, the datetimes are made in C (``timedelta`` with
    milliseconds as its fourth positional argument, added to the epoch): 0.065 s for 100k
    values where a call of ``ms_to_dt`` each took 0.13 s.
    """
    if None in ms_values or MISSING in ms_values:  # one comprehension, no call a value
        add, delta, missing = EPOCH.__add__, _dt.timedelta, MISSING
        return [v if v is None or v is missing else add(delta(0, 0, 0, v)) for v in ms_values]
    return list(map(EPOCH.__add__, map(_dt.timedelta, repeat(0), repeat(0), repeat(0), ms_values)))
