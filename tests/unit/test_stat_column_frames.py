"""A group's and a project's output kept as columns (``GroupFrame``, ``FieldsFrame``) reads, cuts,
orders and shapes exactly as the documents it stands for (a ``DocFrame`` of them)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.stat.frames import DocFrame, FieldsFrame, GroupFrame
from jobtask_engine.values import datetimes_of
from jobtask_engine.stat.grouped import finish_group_columns, finish_groups, group_docs
from jobtask_engine.stat.shape import shape_frame, shape_rows
from jobtask_engine.stat.stages import SortStage
from jobtask_engine.testing import make_job_tasks
from jobtask_engine.values import MISSING

_scalars = st.one_of(st.integers(-5, 5), st.sampled_from(["a", "b", "c", ""]), st.none(), st.floats(-2, 2, allow_nan=False))
_values = st.one_of(_scalars, st.lists(_scalars, max_size=3), st.dictionaries(st.sampled_from(["x", "y"]), _scalars, max_size=2))
_key_values = st.one_of(st.integers(-3, 3), st.sampled_from(["p", "q", "r"]))

PATHS = [("_id",), ("_id", "k0"), ("_id", "k1"), ("_id", "nope"), ("_id", "k0", "x"), ("f0",), ("f1",), ("f0", "x"),
         ("f1", "y"), ("nope",)]


def _both(keys: list[tuple], fields: list[list]) -> tuple[GroupFrame, DocFrame]:
    names = [f"k{i}" for i in range(len(keys[0]))]
    field_names = [f"f{i}" for i in range(len(fields))]
    docs = group_docs(names, keys, field_names, fields)
    return GroupFrame(names, list(zip(*keys)), field_names, fields), DocFrame(docs)


@settings(max_examples=150)
@given(st.integers(1, 12).flatmap(lambda n: st.tuples(
    st.lists(st.tuples(_key_values, _key_values), min_size=n, max_size=n, unique=True),
    st.lists(st.lists(_values, min_size=n, max_size=n), min_size=2, max_size=2))))
def test_a_group_frame_reads_and_cuts_as_its_documents(case):
    keys, fields = case
    columns, docs = _both(keys, fields)
    assert len(columns) == len(docs)
    assert columns.docs() == docs.docs()
    for parts in PATHS:
        assert columns.values(parts) == docs.values(parts), parts
        assert columns.raw(parts) == docs.raw(parts), parts
    positions = list(range(len(docs)))[::-2]
    assert columns.take(positions).docs() == docs.take(positions).docs()
    assert columns.slice(1, 3).docs() == docs.slice(1, 3).docs()
    assert shape_frame(columns) == shape_rows(docs.docs())


@settings(max_examples=150)
@given(st.lists(st.tuples(_key_values, _key_values), min_size=2, max_size=20, unique=True))
def test_groups_kept_as_columns_come_in_the_order_of_their_documents(keys):
    fields = [list(range(len(keys)))]
    out = finish_group_columns(["a", "b"], keys, ["n"], fields)
    expected = finish_groups(group_docs(["a", "b"], keys, ["n"], fields))
    assert out.docs() == expected.docs()
    assert shape_frame(out) == shape_rows(expected.docs())
    for sort in (SortStage((("n", True),)), SortStage((("_id.b", False), ("n", True)))):
        assert sort.apply(out).docs() == sort.apply(expected).docs()


def test_groups_of_mixed_key_types_are_ordered_as_documents():
    """Strings and numbers in one key: their BSON order needs the documents."""
    keys = [(1, "x"), ("1", "x"), (None, "y")]
    out = finish_group_columns(["a", "b"], keys, ["n"], [[1, 2, 3]])
    assert type(out) is DocFrame
    assert [d["_id"]["a"] for d in out.docs()] == [None, 1, "1"]


def test_a_group_frame_with_a_missing_key_value_leaves_it_out():
    columns = GroupFrame(["a", "b"], [("x", MISSING), (1, 2)], ["b"], [["f1", "f2"]])
    assert columns.docs() == [{"_id": {"a": "x", "b": 1}, "b": "f1"}, {"_id": {"b": 2}, "b": "f2"}]
    assert shape_frame(columns) == shape_rows(columns.docs()) == [{"a": "x", "b": "f1"}, {"b": "f2"}]
    assert shape_frame(GroupFrame(["a"], [("x", MISSING)], ["n"], [[1, 2]])) == [{"a": "x", "n": 1}, {"n": 2}]


def test_a_field_named_like_a_key_takes_its_place_when_shaped():
    columns = GroupFrame(["s", "t"], [("a", "b"), (1, 2)], ["s"], [[10, 20]])
    assert shape_frame(columns) == [{"s": 10, "t": 1}, {"s": 20, "t": 2}]
    assert [list(r) for r in shape_frame(columns)] == [list(r) for r in shape_rows(columns.docs())]


_ms = st.integers(-62135596800000, 253402300799999)


@settings(max_examples=150)
@given(st.integers(0, 10).flatmap(lambda n: st.tuples(
    st.lists(st.one_of(_values, st.just(MISSING)), min_size=n, max_size=n),
    st.lists(st.one_of(_ms, st.none(), st.just(MISSING)), min_size=n, max_size=n),
    st.lists(st.sampled_from(["id-1", "id-2"]), min_size=n, max_size=n))))
def test_a_fields_frame_reads_and_cuts_as_its_documents(case):
    values, millis, ids = case
    n = len(values)
    frame = FieldsFrame(["_id", "v", "t"], [ids, values, millis], n, frozenset({"t"}))
    dates = datetimes_of(millis)
    docs = DocFrame([{k: v for k, v in (("_id", i), ("v", a), ("t", t)) if v is not MISSING}
                     for i, a, t in zip(ids, values, dates)])
    assert len(frame) == n and frame.docs() == docs.docs()
    for parts in [("_id",), ("v",), ("v", "x"), ("t",), ("nope",)]:
        assert frame.values(parts) == docs.values(parts), parts
    assert frame.raw(("t",)) == (list(millis), True)
    assert frame.take(list(range(n))[::-1]).docs() == docs.take(list(range(n))[::-1]).docs()
    assert frame.slice(1, None).docs() == docs.slice(1, None).docs()
    assert shape_frame(frame) == shape_rows(docs.docs())


def test_a_fields_frame_with_document_ids_is_shaped_as_documents():
    frame = FieldsFrame(["_id", "n"], [[{"s": "a"}, {"s": "b"}], [1, 2]], 2)
    assert shape_frame(frame) == [{"s": "a", "n": 1}, {"s": "b", "n": 2}]


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore(make_job_tasks(200, seed=9, domain_id="d"))


@pytest.mark.parametrize("fields", [
    [{"key": "created_at", "name": "c"}, {"key": "errors", "name": "e"}, {"key": "status", "name": "s"}],
    [{"key": "finished_at", "name": "f"}, {"name": "x", "operator": "add", "fields": ["created_count", 1]}],
])
def test_a_projection_kept_as_columns_answers_as_documents(store, fields):
    """Stored datetimes kept as epoch ms through a sort and a page, shaped as the documents would be."""
    request = {"domain_id": "d", "query": {"aggregate": [{"project": {"fields": fields}},
                                                         {"sort": [{"key": fields[0]["name"], "desc": True}]}],
                                           "page": {"start": 3, "limit": 50}}}
    dotted = {"domain_id": "d", "query": {"aggregate": [
        {"project": {"fields": [{**f, "name": f"o.{f['name']}"} for f in fields]}},
        {"sort": [{"key": f"o.{fields[0]['name']}", "desc": True}]}], "page": {"start": 3, "limit": 50}}}
    got, expected = store.stat(request), store.stat(dotted)
    assert got["total_count"] == expected["total_count"] == 200
    assert got["results"] == [{"_id": r["_id"], **r["o"]} for r in expected["results"]]
    assert any(isinstance(r.get(fields[0]["name"]), str) and r[fields[0]["name"]].endswith("Z") for r in got["results"])
