"""Value rules of the stat pipeline: BSON order and equality, field paths, date formats, reducers."""

from __future__ import annotations

import datetime as dt

import pytest

from jobtask_engine import EngineError
from jobtask_engine.stat.accumulators import INTS, MILLIS, REDUCERS, VALUES
from jobtask_engine.stat.dates import compile_format, date_part_fn, format_fn
from jobtask_engine.paths import agg_get, doc_get
from jobtask_engine.values import MISSING, bson_equal, bson_key, freeze

D = dt.datetime(2022, 1, 1, 11, 0, 2, 588000)


def test_bson_order_across_types():
    values = [D, True, [1], {"a": 1}, "a", 2.5, 1, None, MISSING]
    assert sorted(values, key=bson_key) == [MISSING, None, 1, 2.5, "a", {"a": 1}, [1], True, D]


def test_documents_compare_field_by_field_and_arrays_element_by_element():
    assert bson_key({"a": 1}) < bson_key({"a": 2}) < bson_key({"b": 0})
    assert bson_key({"a": "x"}) > bson_key({"a": 5})
    assert bson_key([1, 2]) < bson_key([1, 3]) < bson_key([2])
    assert bson_key([]) < bson_key([0])


def test_equality_is_typed():
    assert bson_equal(1, 1.0)
    assert not bson_equal(1, True)
    assert not bson_equal("1", 1)
    assert not bson_equal(None, MISSING)
    assert not bson_equal({"a": 1, "b": 2}, {"b": 2, "a": 1})
    assert bson_equal([1, {"a": 1}], [1.0, {"a": 1}])


def test_freeze_keeps_booleans_apart():
    assert freeze(True) != freeze(1)
    assert freeze([1, {"a": 2}]) == freeze([1, {"a": 2}])
    assert hash(freeze({"a": [1]}))


def test_field_paths():
    doc = {"a": {"b": 1}, "l": [{"x": 1}, {"y": 2}, 5, [{"x": 3}]]}
    assert agg_get(doc, ("a", "b")) == 1
    assert agg_get(doc, ("a", "c")) is MISSING
    assert agg_get(doc, ("l", "x")) == [1, [3]]
    assert agg_get(doc, ("a", "b", "c")) is MISSING
    assert doc_get(doc, ("l", "x")) is MISSING
    assert doc_get(doc, ("a", "b")) == 1


@pytest.mark.parametrize(
    "fmt, expected",
    [
        ("%Y-%m-%dT%H:%M:%S.%LZ", "2022-01-01T11:00:02.588Z"),
        ("%j|%U|%V|%G|%u|%w", "001|00|52|2021|6|7"),
        ("%b %B %z %Z %% x", "Jan January +0000 +0 % x"),
        ("", ""),
    ],
)
def test_date_formats(fmt, expected):
    on_value, on_ms = format_fn(compile_format(fmt, "t"))
    assert on_value(D) == expected
    ms = int((D - dt.datetime(1970, 1, 1)).total_seconds() * 1000)
    assert on_ms(ms) == expected
    assert on_value(None) is None and on_ms(MISSING) is None


@pytest.mark.parametrize("fmt", ["%a", "%Q", "100%", "%-d", "%I"])
def test_unknown_specifiers_are_refused(fmt):
    with pytest.raises(EngineError) as info:
        compile_format(fmt, "aggregate.group.keys.date_format")
    assert info.value.code == "ERROR_DB_QUERY" and "aggregate.group.keys.date_format" in info.value.message


def test_date_parts():
    year, year_ms = date_part_fn("year")
    assert year(D) == 2022 and year(None) is None and year(MISSING) is None
    assert year_ms(0) == 1970 and year_ms(None) is None
    with pytest.raises(EngineError):
        year("2022")


@pytest.mark.parametrize(
    "op, values, kind, expected",
    [
        ("sum", [1, 2, 3], INTS, 6),
        ("sum", [1, "x", None, MISSING, 2.5, True], VALUES, 3.5),
        ("sum", [], VALUES, 0),
        ("sum", [2**62, 2**62], INTS, float(2**63)),
        ("sum", [5, None], MILLIS, 0),
        ("average", [1, 2], INTS, 1.5),
        ("average", ["x", None], VALUES, None),
        ("average", [True, 4], VALUES, 4.0),
        ("max", [None, MISSING], VALUES, None),
        ("max", [1, "a", None], VALUES, "a"),
        ("min", [1, "a", None], VALUES, 1),
        ("max", [{"a": 1}, {"a": 2}], VALUES, {"a": 2}),
        ("max", [0, 86_400_000, None], MILLIS, dt.datetime(1970, 1, 2)),
        ("first", [MISSING, 1], VALUES, None),
        ("last", [1, None], VALUES, None),
        ("first", [86_400_000], MILLIS, dt.datetime(1970, 1, 2)),
        ("push", [1, MISSING, None], VALUES, [1, None]),
        ("add_to_set", [0, 0.0, False, "", None, MISSING, [1], [1]], VALUES, [0, False, "", None, [1]]),
        ("merge_objects", [{"a": 1}, None, MISSING, {"a": 2, "b": 1}], VALUES, {"a": 2, "b": 1}),
    ],
)
def test_reducers(op, values, kind, expected):
    got = REDUCERS[op](values, kind)
    assert got == expected and type(got) is type(expected)
