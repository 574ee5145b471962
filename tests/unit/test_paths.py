"""Each named path walk on one document, showing where the MongoDB rules differ."""

from __future__ import annotations

from jobtask_engine.paths import (
    agg_get,
    distinct_leaves,
    doc_get,
    element_getter,
    elements_reached,
    kept_path,
    merge_kept,
    query_leaves,
    set_in,
    set_path,
)
from jobtask_engine.values import MISSING

DOC = {
    "errors": [
        {"error_code": "E1", "additional": {"x": [1, 2]}},
        {"message": "m"},
        "not a document",
        [{"error_code": "E9"}],
    ]
}
PATH = ("errors", "error_code")


def test_a_query_condition_reaches_every_element_and_missing_where_one_lacks_the_field() -> None:
    assert query_leaves(DOC, PATH) == ["E1", MISSING]
    assert query_leaves(DOC, ("errors", "0", "error_code"), positional=True) == [MISSING, MISSING, "E1"]
    assert query_leaves({"a": 1}, ("b",)) == [MISSING]


def test_an_aggregation_expression_maps_arrays_and_skips_elements_without_the_field() -> None:
    assert agg_get(DOC, PATH) == ["E1", ["E9"]]
    assert agg_get({"a": 1}, ("a", "b")) is MISSING


def test_unwind_walks_documents_only() -> None:
    assert doc_get(DOC, PATH) is MISSING
    assert doc_get({"a": {"b": 3}}, ("a", "b")) == 3


def test_distinct_gives_nothing_for_missing_and_indexes_with_numbers() -> None:
    assert distinct_leaves(DOC, PATH) == ["E1"]
    assert distinct_leaves(DOC, ("errors", "1", "message")) == ["m"]


def test_a_list_condition_inside_elements_and_through_untyped_arrays() -> None:
    get = element_getter(("additional", "x"))
    assert get({"additional": {"x": 5}}) == 5 and get({"additional": 5}) is MISSING
    elements = DOC["errors"][:2]
    assert elements_reached(elements, get, False) == [[1, 2], MISSING]
    assert elements_reached(elements, get, True) == [1, 2, [1, 2], MISSING]
    assert elements_reached([], get, True) == []


def test_projection_keeps_documents_and_arrays_of_them() -> None:
    assert kept_path(DOC, PATH) == {"errors": [{"error_code": "E1"}, {}, [{"error_code": "E9"}]]}
    assert kept_path({"a": 1}, ("b",)) == {} and kept_path(3, ("a",)) is MISSING
    assert merge_kept({"a": {"b": 1}}, {"a": {"c": 2}}) == {"a": {"b": 1, "c": 2}}


def test_writing_dotted_names() -> None:
    doc = {"a": 1}
    set_in(doc, ("a", "b"), 2)
    assert doc == {"a": {"b": 2}}
    original = {"a": {"b": [1, 2]}, "c": 0}
    copy = set_path(original, ("a", "b"), 1)
    assert copy == {"a": {"b": 1}, "c": 0} and original["a"]["b"] == [1, 2]
