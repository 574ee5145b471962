"""The document value model of the stat pipeline, with MongoDB's rules for it.

Inside a pipeline a document is a plain dict; a value is one of ``None``,
``bool``, ``int``, ``float``, ``str``, ``datetime`` (naive UTC), ``dict``,
``list``, or the :data:`MISSING` sentinel for "no such field".  MongoDB treats
null and missing differently in several places (group keys, ``$push``,
comparisons), so the two are never merged here.

The helpers implement MongoDB's canonical BSON order (used by ``$sort``,
``$max``/``$min`` and comparisons), BSON equality (numbers compare across int
and float, booleans are not numbers, documents compare field by field in
order) and field-path evaluation as aggregation expressions do it.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Sequence

from ..schema import MISSING
from ..timeutil import from_ms

__all__ = [
    "MISSING",
    "R_MISSING",
    "R_NULL",
    "R_NUMBER",
    "R_STRING",
    "R_OBJECT",
    "R_ARRAY",
    "R_BOOL",
    "R_DATE",
    "rank",
    "bson_key",
    "bson_equal",
    "freeze",
    "is_number",
    "agg_get",
    "doc_get",
    "type_name",
    "ms_to_dt",
]

DateTime = _dt.datetime

# Canonical BSON comparison order; missing sorts below null where the two differ.
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
}


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
    value), arrays element by element, then by length.
    """
    t = type(value)
    if t is str:
        return (R_STRING, value)
    if t is int or t is float:
        return (R_NUMBER, value)
    if value is None:
        return (R_NULL, 0)
    if t is DateTime:
        return (R_DATE, value)
    if t is bool:
        return (R_BOOL, value)
    if t is dict:
        return (R_OBJECT, tuple((rank(v), k, bson_key(v)) for k, v in value.items()))
    if t is list:
        return (R_ARRAY, tuple(bson_key(v) for v in value))
    if value is MISSING:
        return (R_MISSING, 0)
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
    return a == b


def freeze(value: Any) -> Any:
    """A hashable stand-in with MongoDB's equality, for grouping and de-duplication."""
    t = type(value)
    if t is dict:
        return ("\0doc", tuple((k, freeze(v)) for k, v in value.items()))
    if t is list:
        return ("\0arr", tuple(freeze(v) for v in value))
    if t is bool:
        return ("\0bool", value)
    return value


def is_number(value: Any) -> bool:
    t = type(value)
    return t is int or t is float


def agg_get(value: Any, parts: Sequence[str]) -> Any:
    """A field path as an aggregation expression reads it.

    Arrays on the way are mapped: ``$errors.error_code`` is the list of the
    ``error_code`` of each element that has one (non-documents are skipped).
    """
    for i, part in enumerate(parts):
        t = type(value)
        if t is dict:
            value = value.get(part, MISSING)
            if value is MISSING:
                return MISSING
        elif t is list:
            return _agg_array(value, parts[i:])
        else:
            return MISSING
    return value


def _agg_array(items: list, parts: Sequence[str]) -> list:
    out = []
    for item in items:
        t = type(item)
        if t is dict:
            v = agg_get(item, parts)
            if v is not MISSING:
                out.append(v)
        elif t is list:
            out.append(_agg_array(item, parts))
    return out


def doc_get(value: Any, parts: Sequence[str]) -> Any:
    """A field path through embedded documents only (``$unwind``'s navigation)."""
    for part in parts:
        if type(value) is not dict:
            return MISSING
        value = value.get(part, MISSING)
        if value is MISSING:
            return MISSING
    return value


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


def path_leaves(value: Any, parts: tuple[str, ...], positional: bool = False) -> list:
    """Values a dotted path reaches, query style: arrays of documents are traversed, a
    missing key gives MISSING.  With ``positional``, a numeric segment also indexes an array."""
    if not parts:
        return [value]
    t = type(value)
    if t is dict:
        if parts[0] in value:
            return path_leaves(value[parts[0]], parts[1:], positional)
        return [MISSING]
    if t is list:
        out: list = []
        for e in value:
            if type(e) is dict:
                out.extend(path_leaves(e, parts, positional))
        if positional and parts[0].isdigit():
            idx = int(parts[0])
            if idx < len(value):
                out.extend(path_leaves(value[idx], parts[1:], positional))
        return out
    return [MISSING]
