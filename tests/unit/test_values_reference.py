"""The one value layer (``jobtask_engine.values``) against the reference's database.

The reference runs on mongomock; its BSON comparison (``bson_compare``), its
find sort key (``resolve_sort_key``) and its query matcher
(``filter_applies``) are the oracle here, over generated values of every
kind: not stored, null, booleans, ints and doubles (also across the two),
strings, datetimes, documents, empty and nested arrays.

Where mongomock departs from MongoDB's documented order, MongoDB wins and the
departure is named, detected and excluded, nothing broader:

- inside arrays and documents mongomock compares elements with Python's
  ``==``, for which ``True == 1`` and ``{"a": 1, "b": 2} == {"b": 2, "a": 1}``;
  MongoDB keeps booleans apart from numbers and compares documents field by
  field in order (KNOWN_DIFFERENCES KD5, KD6);
- an empty-document search ``{path: {}}`` passes in mongomock on a document
  without candidates (KD17);
- a find sorts a non-empty array by its first element in mongomock, by its
  smallest element ascending / largest descending in MongoDB (KD2): checked
  against MongoDB's rule, with mongomock's comparison of the elements.
"""

from __future__ import annotations

import datetime as dt
import functools
import numbers
import operator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine.values import (
    EMPTY_ARRAY_KEY,
    MISSING,
    NULL_KEY,
    DateValue,
    bson_equal,
    bson_key,
    freeze,
    leaves_sort_key,
    rank,
    sort_key,
)
from jobtask_engine.query.values import scalar_test

filtering = pytest.importorskip("mongomock.filtering")

_datetimes = st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda d: d.replace(microsecond=d.microsecond // 1000 * 1000)  # BSON dates hold milliseconds
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, 1, -1, 0.0, 1.0, -0.5, 2]),
    st.text(alphabet="aAb0 ", max_size=3),
    _datetimes,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["a", "b", "c"]), inner, max_size=3),
    ),
    max_leaves=8,
)
#: A field value as stored: any value, or not stored at all.
STORED = st.one_of(st.just(MISSING), VALUES)


def _python_conflates(a: Any, b: Any) -> bool:
    """mongomock's departure: two aligned parts equal under Python ``==`` but not in MongoDB."""
    ta, tb = type(a), type(b)
    if (ta is bool) != (tb is bool) and isinstance(a, numbers.Number) and isinstance(b, numbers.Number):
        return a == b
    if ta is dict and tb is dict:
        if a == b and list(a) != list(b):
            return True
        return any(ka == kb and _python_conflates(va, vb) for (ka, va), (kb, vb) in zip(a.items(), b.items()))
    if ta is list and tb is list:
        return any(_python_conflates(x, y) for x, y in zip(a, b))
    return False


def _deep_conflates(stored: Any, query: Any) -> bool:
    """The departures anywhere a find's equality could look (the value, or an array element)."""
    if query == {} and (stored is MISSING or stored == []):
        return True  # mongomock: an empty-document search passes without candidates (KD17)
    if _python_conflates(stored, query):
        return True
    return type(stored) is list and any(_python_conflates(e, query) for e in stored)


def _sign(x: Any, y: Any) -> int:
    return (x > y) - (x < y)


def _mongomock_sign(a: Any, b: Any) -> int:
    if filtering.bson_compare(operator.lt, a, b):
        return -1
    if filtering.bson_compare(operator.gt, a, b):
        return 1
    return 0


@settings(max_examples=400, deadline=None)
@given(VALUES, VALUES)
def test_order_and_equality_agree_with_the_reference(a: Any, b: Any) -> None:
    if _python_conflates(a, b):
        return
    expected = _mongomock_sign(a, b)
    assert _sign(bson_key(a), bson_key(b)) == expected
    assert bson_equal(a, b) == (expected == 0)
    assert (freeze(a) == freeze(b)) == (expected == 0)


@settings(max_examples=200, deadline=None)
@given(VALUES)
def test_a_value_equals_itself_and_its_copy(a: Any) -> None:
    import copy

    b = copy.deepcopy(a)
    assert bson_equal(a, b) and freeze(a) == freeze(b) and bson_key(a) == bson_key(b)
    hash(freeze(a))


def _mongomock_sort_sign(a: Any, b: Any) -> int:
    """mongomock's find sort of two stored values (MISSING: the field is not stored)."""
    ka = filtering.resolve_sort_key("v", {} if a is MISSING else {"v": a})
    kb = filtering.resolve_sort_key("v", {} if b is MISSING else {"v": b})
    return _sign(ka[0], kb[0]) or _mongomock_sign(ka[1].obj, kb[1].obj)


def _not_a_nonempty_array(v: Any) -> bool:
    return not (type(v) is list and v)


@settings(max_examples=300, deadline=None)
@given(STORED.filter(_not_a_nonempty_array), STORED.filter(_not_a_nonempty_array))
def test_sort_order_of_missing_null_empty_and_scalars_agrees_with_the_reference(a: Any, b: Any) -> None:
    if _python_conflates(a, b):
        return
    expected = _mongomock_sort_sign(a, b)
    for desc in (False, True):
        assert _sign(sort_key(a, desc), sort_key(b, desc)) == expected


@settings(max_examples=300, deadline=None)
@given(st.lists(VALUES.filter(lambda v: type(v) is not list), min_size=1, max_size=4),
       STORED.filter(_not_a_nonempty_array))
def test_an_array_sorts_by_its_smallest_or_largest_element(items: list, other: Any) -> None:
    """MongoDB's rule (mongomock departs: first element), with mongomock's order of the elements."""
    if any(_python_conflates(x, y) for x in items for y in [*items, other]):
        return
    by_reference = functools.cmp_to_key(_mongomock_sign)
    smallest, largest = min(items, key=by_reference), max(items, key=by_reference)
    assert _sign(sort_key(items, False), sort_key(other, False)) == _mongomock_sort_sign(smallest, other)
    assert _sign(sort_key(items, True), sort_key(other, True)) == _mongomock_sort_sign(largest, other)


def test_the_named_sort_policies() -> None:
    assert sort_key(MISSING, False) == sort_key(None, True) == NULL_KEY
    assert sort_key([], False) == sort_key([], True) == EMPTY_ARRAY_KEY < NULL_KEY
    assert leaves_sort_key([], False) == EMPTY_ARRAY_KEY
    assert leaves_sort_key([MISSING, 3], False) == NULL_KEY
    # Comparison order (aggregation expressions): missing below null.
    assert bson_key(MISSING) < bson_key(None) < bson_key(0) < bson_key("") < bson_key({}) < bson_key([])
    assert bson_key([]) < bson_key(False) < bson_key(dt.datetime(1960, 1, 1))
    assert rank(MISSING) < rank(None)


def test_one_datetime_form() -> None:
    when = dt.datetime(2022, 1, 1, 11, 0, 2, 588000)
    ms = 1641034802588
    assert bson_key(when) == bson_key(DateValue(ms))
    assert bson_equal(when, DateValue(ms)) and not bson_equal(DateValue(ms), ms)
    aware = when.replace(tzinfo=dt.timezone.utc)
    assert bson_key(aware) == bson_key(when)


@settings(max_examples=400, deadline=None)
@given(STORED, VALUES)
def test_find_equality_agrees_with_the_reference(stored: Any, query: Any) -> None:
    """``{path: q}`` on an untyped path: the stored value or one of its elements equals ``q``;
    a null ``q`` also matches a field that is not stored."""
    if _deep_conflates(stored, query):
        return
    doc = {} if stored is MISSING else {"v": stored}
    expected = bool(filtering.filter_applies({"v": query}, doc))
    test = scalar_test("eq", query)
    reached = [stored] if type(stored) is not list else [*stored, stored]
    assert any(map(test, reached)) == expected


def test_find_equality_where_mongomock_departs_follows_mongodb() -> None:
    eq = scalar_test("eq", {"a": 1, "b": 2})
    assert eq({"a": 1, "b": 2}) and not eq({"b": 2, "a": 1})  # field order counts (KD5)
    assert not scalar_test("eq", [1])([True]) and not scalar_test("eq", 1)(True)  # KD6
    assert not scalar_test("eq", {})(MISSING)  # KD17
    assert scalar_test("eq", None)(MISSING) and scalar_test("eq", None)(None)
