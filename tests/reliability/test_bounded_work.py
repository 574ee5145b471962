"""The paths that keep heavy stat requests cheap answer exactly as the plain ones, and the
pipeline limits refuse early and let through what is just under them unchanged."""

from __future__ import annotations

import datetime as dt
import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.limits import Limits, pipeline_terms, using_limits
from jobtask_engine.stat.dates import compile_format, format_fn
from jobtask_engine.stat.frames import ColumnFrame, DocFrame
from jobtask_engine.stat.grouped import _id_order, finish_groups, group_docs
from jobtask_engine.stat.match import MatchCondition, condition_test, eq_test, in_test, regex_test, search_patterns
from jobtask_engine.stat.shape import flatten_row, shape_frame, shape_rows
from jobtask_engine.stat.stages import UnwindStage
from jobtask_engine.testing import make_job_tasks
from jobtask_engine.timeutil import to_ms
from jobtask_engine.values import MISSING, DateValue

from ..conformance.conftest import assert_same, load_both, outcome

D = "domain-0"
RECORDS = make_job_tasks(40, seed=3, domain_id=D)


def _stat(*stages: dict, **query: object) -> dict:
    return {"domain_id": D, "query": {"aggregate": list(stages), **query}}


@pytest.fixture(scope="module")
def pair():
    return load_both(RECORDS)


def _same_as_reference(pair, request: dict, store: JobTaskStore | None = None) -> None:
    """Same answer as the reference; a stored document's ``_id`` (an ObjectId there) left out."""
    reference, engine = pair
    store = store or engine

    def without_ids(answer: dict) -> dict:
        return {**answer, "results": [{k: v for k, v in r.items() if k != "_id"} for r in answer["results"]]}

    assert_same(outcome(lambda: without_ids(reference.stat(request))), outcome(lambda: without_ids(store.stat(request))), request)


# -- the pipeline limits -------------------------------------------------------------------

def test_a_pipeline_at_max_pipeline_stages_answers_as_the_reference(pair):
    stages = [{"sort": [{"key": "created_count", "desc": i % 2 == 0}, {"key": "job_task_id"}]} for i in range(15)]
    request = _stat(*stages, {"limit": 7})
    assert len(request["query"]["aggregate"]) == Limits().max_pipeline_stages
    _same_as_reference(pair, request)
    with pytest.raises(EngineError, match="max_pipeline_stages"):
        pair[1].stat(_stat(*stages, {"skip": 1}, {"limit": 7}))


def test_an_unwind_filter_counts_as_a_stage():
    store = JobTaskStore(RECORDS, limits=Limits(max_pipeline_stages=2))
    unwind = {"unwind": {"path": "errors", "filter": [{"k": "errors.error_code", "v": "E", "o": "eq"}]}}
    with pytest.raises(EngineError, match="max_pipeline_stages"):
        store.stat(_stat(unwind, {"count": {"name": "n"}}))
    store.stat(_stat({"unwind": {"path": "errors"}}, {"count": {"name": "n"}}))


def test_a_pipeline_at_max_pipeline_terms_answers_as_the_reference(pair):
    request = _stat(
        {"group": {"keys": [{"key": "status", "name": "s"}, {"key": "provider", "name": "p"}], "fields": [
            {"operator": "sum", "key": "created_count", "name": "c"}, {"operator": "max", "key": "finished_at", "name": "f"},
            {"operator": "count", "name": "n"}]}},
        {"project": {"fields": [{"key": "n", "name": "n"}, {"key": "f", "name": "f"},
                                {"name": "x", "operator": "add", "fields": ["c", {"operator": "multiply", "fields": ["n", 2, "c"]}, 1]}]}},
        {"sort": [{"key": "n", "desc": True}, {"key": "x"}]},
    )
    terms = pipeline_terms(request["query"]["aggregate"])
    _same_as_reference(pair, request)
    store = JobTaskStore(RECORDS, limits=Limits(max_pipeline_terms=terms))
    assert store.stat(request) == pair[1].stat(request)
    with pytest.raises(EngineError, match="max_pipeline_terms") as info:
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_terms=terms - 1)).stat(request)
    assert info.value.code == "ERROR_LIMIT_EXCEEDED"


def test_value_lists_are_not_terms():
    """An ``in`` list in a match is one set lookup a row, bounded by max_in_values instead."""
    aggregate = [{"match": {"filter": [{"k": "job_task_id", "v": [f"t{i}" for i in range(500)], "o": "in"}]}}, {"count": {"name": "n"}}]
    assert pipeline_terms(aggregate) == 1
    JobTaskStore(RECORDS).stat(_stat(*aggregate))


def test_a_nested_calculation_is_refused_before_any_row_is_read():
    def nested(levels: int) -> object:
        return "created_count" if levels == 0 else {"operator": "add", "fields": [nested(levels - 1)] * 16}

    store = JobTaskStore(make_job_tasks(2_000, seed=1, domain_id=D))
    started = time.process_time()
    with pytest.raises(EngineError, match="max_pipeline_terms"):
        store.stat(_stat({"project": {"fields": [{"name": "x", **nested(3)}]}}))
    assert time.process_time() - started < 30  # a stop for a runaway, not a speed check


# -- unwind: rows counted before they are made -----------------------------------------------

def _cartesian(n_key: str = "status") -> dict:
    return _stat(
        {"group": {"keys": [{"key": n_key, "name": "k"}], "fields": [
            {"operator": "push", "key": "created_count", "name": "a"}, {"operator": "push", "key": "updated_count", "name": "b"}]}},
        {"unwind": {"path": "a"}}, {"unwind": {"path": "b"}}, {"sort": [{"key": "k"}, {"key": "a"}, {"key": "b"}]})


def test_a_cartesian_unwind_just_under_max_pipeline_rows_answers_as_the_reference(pair):
    request = _cartesian()
    reference, store = pair
    expected = reference.stat(request)["results"]
    _same_as_reference(pair, request, JobTaskStore(RECORDS, limits=Limits(max_pipeline_rows=len(expected))))
    # the same rows by hand: every pair of each group's pushed values
    by_status: dict = {}
    for r in RECORDS:
        by_status.setdefault(r["status"], []).append(r)
    pairs = sorted((s, a["created_count"], b["updated_count"]) for s, rs in by_status.items() for a, b in itertools.product(rs, rs))
    assert [(d["k"], d["a"], d["b"]) for d in expected] == pairs
    with pytest.raises(EngineError, match="max_pipeline_rows"):
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_rows=len(expected) - 1)).stat(request)


def test_an_unwind_is_refused_from_its_count_before_rows_are_made():
    frame = DocFrame([{"a": list(range(10)), "b": [1, 2]}, {"a": [], "b": None}, {"a": 5}])
    with using_limits(Limits(max_pipeline_rows=10)):
        with pytest.raises(EngineError, match="max_pipeline_rows") as info:
            UnwindStage("a").apply(frame)
    assert "got = 11" in info.value.message
    with using_limits(Limits(max_pipeline_rows=11)):
        assert [d["a"] for d in UnwindStage("a").apply(frame).docs()] == [*range(10), 5]


def test_an_unwind_of_stored_errors_past_the_limit_is_refused():
    records = make_job_tasks(30, seed=2, domain_id=D)
    errors = sum(len(r["errors"]) for r in records)
    assert errors > 2
    request = _stat({"unwind": {"path": "errors"}}, {"count": {"name": "n"}})
    assert JobTaskStore(records, limits=Limits(max_pipeline_rows=errors)).stat(request)["results"] == [{"n": errors}]
    with pytest.raises(EngineError, match="max_pipeline_rows"):
        JobTaskStore(records, limits=Limits(max_pipeline_rows=errors - 1)).stat(request)


# -- date formats: one str.format per value ----------------------------------------------------

_SPECS = "YmdjwuUVGbBzZHMSL"
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")


def _reference_spec(spec: str, t: dt.datetime) -> str:
    """MongoDB's $dateToString specifiers, written out from the datetime's own fields."""
    iso_year, iso_week, iso_day = t.isocalendar()
    yday = t.timetuple().tm_yday
    return {
        "Y": f"{t.year:04d}", "m": f"{t.month:02d}", "d": f"{t.day:02d}", "j": f"{yday:03d}",
        "w": str(iso_day % 7 + 1), "u": str(iso_day), "U": f"{(yday - 1 + 7 - iso_day % 7) // 7:02d}",
        "V": f"{iso_week:02d}", "G": f"{iso_year:04d}", "b": _MONTHS[t.month - 1][:3], "B": _MONTHS[t.month - 1],
        "z": "+0000", "Z": "+0", "H": f"{t.hour:02d}", "M": f"{t.minute:02d}", "S": f"{t.second:02d}",
        "L": f"{t.microsecond // 1000:03d}", "%": "%",
    }[spec]


def _reference_format(fmt: str, t: dt.datetime) -> str:
    out, i = [], 0
    while i < len(fmt):
        if fmt[i] == "%":
            out.append(_reference_spec(fmt[i + 1], t))
            i += 2
        else:
            out.append(fmt[i])
            i += 1
    return "".join(out)


_formats = st.lists(st.sampled_from([f"%{c}" for c in _SPECS] + ["%%", "-", ":", "{", "}", "{0}", " T "]), min_size=1, max_size=10).map("".join)
_instants = st.one_of(
    st.datetimes(min_value=dt.datetime(1, 1, 1), max_value=dt.datetime(9999, 12, 31, 23, 59, 59, 999000)),
    st.sampled_from([dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59, 59, 999000), dt.datetime(1969, 12, 31, 23, 59, 59, 999000),
                     dt.datetime(1970, 1, 1), dt.datetime(2024, 2, 29, 12, 0, 0, 1000), dt.datetime(2020, 12, 31, 0, 0, 0, 999999)]),
).map(lambda t: t.replace(microsecond=t.microsecond // 1000 * 1000))


@settings(max_examples=300)
@given(_formats, st.lists(_instants, min_size=1, max_size=20))
def test_date_formats_render_as_the_specifiers_say(fmt, instants):
    on_value, on_ms = format_fn(compile_format(fmt, "k"))
    for t in instants:
        expected = _reference_format(fmt, t)
        assert on_value(t) == expected
        assert on_ms(to_ms(t)) == expected
        assert on_ms(to_ms(t)) == expected  # again, from the day cache


def test_date_formats_give_null_for_null_and_missing():
    for fmt in ("%Y-%m-%d", "%H:%M:%S.%L", "%Y%H"):
        on_value, on_ms = format_fn(compile_format(fmt, "k"))
        assert [on_value(None), on_value(MISSING), on_ms(None), on_ms(MISSING)] == [None] * 4


def test_a_fractional_millisecond_value_renders_as_its_datetime():
    _, on_ms = format_fn(compile_format("%S.%L", "k"))
    assert on_ms(1500.7) == "01.500"


def test_a_repeated_specifier_is_rendered_once_per_day():
    fmt = compile_format("%Y%H" * 8, "k")
    assert len(fmt.day_fns) == 1
    assert format_fn(fmt)[1](to_ms(dt.datetime(2023, 5, 6, 7))) == "202307" * 8


# -- group order in C ----------------------------------------------------------------------

_key_values = st.one_of(
    st.lists(st.text(max_size=3), min_size=2, max_size=30),
    st.lists(st.one_of(st.integers(-5, 5), st.floats(-5, 5, allow_nan=False)), min_size=2, max_size=30),
    st.lists(st.one_of(st.none(), st.text(max_size=2)), min_size=2, max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-3, 3)), min_size=2, max_size=30),
    st.lists(st.one_of(st.none(), st.integers(-3, 3), st.text(max_size=2), st.booleans(), st.floats()), min_size=2, max_size=30),
)


@given(st.lists(_key_values, min_size=1, max_size=3))
def test_groups_are_ordered_as_bson_orders_their_ids(columns):
    n = min(map(len, columns))
    docs = [{"_id": {f"k{j}": c[i] for j, c in enumerate(columns)}, "row": i} for i in range(n)]
    expected = [d["row"] for d in sorted(docs, key=_id_order)]
    assert [d["row"] for d in finish_groups(list(docs)).docs()] == expected


def test_groups_with_differing_id_layouts_keep_the_bson_order():
    docs = [{"_id": {"a": 2}}, {"_id": {"b": 1}}, {"_id": {"a": 1, "b": 1}}, {"_id": {"b": 0, "a": 5}}, {"_id": {}}]
    assert finish_groups(list(docs)).docs() == sorted(docs, key=_id_order)


# -- shaping column by column -----------------------------------------------------------------

def test_rows_of_one_layout_shape_as_row_by_row():
    when = dt.datetime(2023, 1, 2, 3, 4, 5, 6000)
    docs = [{"_id": {"s": f"s{i}", "n": i}, "n": i * 2, "e": [{"a": {"when": when}}, ()], "t": when, "x": None} for i in range(5)]
    shaped = shape_rows(docs)
    assert shaped == [flatten_row(d) for d in docs]
    assert shaped[0] == {"s": "s0", "n": 0, "e": [{"a": {"when": "2023-01-02T03:04:05.006Z"}}, ()], "t": "2023-01-02T03:04:05.006Z", "x": None}
    assert list(shaped[0]) == ["s", "n", "e", "t", "x"]
    shaped[1]["e"][0]["a"]["when"] = "changed"
    assert docs[1]["e"][0]["a"]["when"] is when  # fresh containers


def test_rows_of_differing_layouts_shape_row_by_row():
    docs = [{"_id": {"s": 1}, "n": 1}, {"_id": {"s": 2}}, {"n": 3, "_id": "x"}, {"_id": {}, "n": 4}]
    assert shape_rows(docs) == [flatten_row(d) for d in docs]


def _frames(store: JobTaskStore) -> list:
    table = store._table
    rows = list(range(len(table)))
    frames = [ColumnFrame(table, rows), ColumnFrame(table, rows[::-3])]
    frames.append(UnwindStage("errors").apply(ColumnFrame(table, rows)))
    frames.append(UnwindStage("job_id").apply(ColumnFrame(table, rows[5:])))
    return frames


def test_stored_rows_shape_from_their_columns_as_from_their_documents():
    records = make_job_tasks(60, seed=5, domain_id=D)
    for r in records[::4]:
        for k in ("started_at", "finished_at", "provider", "project_id"):
            r.pop(k, None)
    records[1]["finished_at"] = None
    records[2]["created_at"] = "0001-01-01T00:00:00.000Z"
    records[3]["created_at"] = "9999-12-31T23:59:59.999Z"
    store = JobTaskStore(records)
    for frame in _frames(store):
        assert shape_frame(frame) == shape_rows(frame.docs())


def test_a_stat_of_whole_records_answers_as_the_reference(pair):
    _same_as_reference(pair, _stat({"sort": [{"key": "finished_at", "desc": True}]}))
    _same_as_reference(pair, _stat({"unwind": {"path": "errors"}}, {"sort": [{"key": "errors.error_code"}]}))
    _same_as_reference(pair, _stat({"skip": 3}, page={"start": 2, "limit": 5}))


# -- contain patterns in one search ----------------------------------------------------------

_TEXTS = ["", "abc", "timeout while reading", "a|b", "x.y", "line1\nline2", "Error: E42", "(x)", "ab\\c", "ABC"]
_VALUES = ["abc", "a|b", "time.*read", "^ab", "c$", "E\\d+", "(x)", "", "line2", "\\.", "ABC", "b\\\\", "[ab]+c", "(?:x|y)"]


def contain_condition_test(patterns):
    """The test a ``contain_in`` condition on these patterns runs (as parse.py builds it)."""
    return condition_test(MatchCondition(("message",), "regex", search_patterns(patterns), False))


@pytest.mark.parametrize("values", [[v] for v in _VALUES] + [list(_VALUES), ["a|b", "abc"], ["^ab", "c$", "line1.line2"]])
def test_contain_patterns_match_as_searched_one_by_one(values):
    patterns = [f".*{v}.*" for v in values]
    tests = [regex_test(p) for p in patterns]
    together = contain_condition_test(patterns)

    def one_by_one(v: object) -> bool:
        return any(t(v) for t in tests)

    for text in _TEXTS:
        assert together(text) == one_by_one(text), (values, text)
        assert together([1, text, None]) == one_by_one([1, text, None])
    assert together(5) is False and together(None) is False


def test_patterns_that_cannot_share_one_search_are_searched_one_by_one():
    patterns = [".*(?P<n>a).*", ".*(?P<n>b).*"]
    test = contain_condition_test(patterns)
    assert test("xbx") and test("a") and not test("c")


def test_a_datetime_column_with_nulls_shapes_as_row_by_row():
    when = dt.datetime(1, 1, 1, 0, 0, 0, 1000)
    docs = [{"_id": {"k": i}, "t": None if i % 2 else when.replace(year=1 + i * 1111)} for i in range(9)]
    assert shape_rows(docs) == [flatten_row(d) for d in docs]
    assert shape_rows(docs)[0]["t"] == "0001-01-01T00:00:00.001Z"


def test_group_documents_leave_missing_keys_out_of_their_ids():
    keys = [("a", 1), ("b", MISSING), (MISSING, MISSING)]
    docs = group_docs(["s", "n"], keys, ["count", "xs"], [[3, 2, 1], [[1], [2], [3]]])
    assert docs == [{"_id": {"s": "a", "n": 1}, "count": 3, "xs": [1]}, {"_id": {"s": "b"}, "count": 2, "xs": [2]},
                    {"_id": {}, "count": 1, "xs": [3]}]
    assert group_docs(["s"], [("a",), ("b",)], [], []) == [{"_id": {"s": "a"}}, {"_id": {"s": "b"}}]


def test_keys_after_a_distinct_key_never_decide_the_group_order():
    docs = [{"_id": {"t": f"t{(i * 7) % 10}", "d": {"x": i} if i % 2 else [i], "n": None}, "row": i} for i in range(10)]
    assert finish_groups(list(docs)).docs() == sorted(docs, key=_id_order)
    ties = [{"_id": {"t": "same", "d": {"x": -i} if i % 2 else [i]}, "row": i} for i in range(6)]
    assert finish_groups(list(ties)).docs() == sorted(ties, key=_id_order)


# -- in lists in one set lookup ---------------------------------------------------------------

_leaf = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([1.0, -0.0, 0.5, float("nan"), 2.0**53]),
                  st.sampled_from(["a", "b", ""]), st.sampled_from([dt.datetime(2020, 1, 1), dt.datetime(1970, 1, 1, 0, 0, 0, 5000)]),
                  st.sampled_from([DateValue(0), DateValue(5), DateValue(1577836800000)]))
_value = st.recursive(_leaf, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.sampled_from("xy"), inner, max_size=2)),
                      max_leaves=6)


@settings(max_examples=400)
@given(st.lists(_value, max_size=6), st.lists(st.one_of(_value, st.just(MISSING)), max_size=8))
def test_an_in_list_matches_as_its_equality_tests_one_by_one(wanted, seen):
    tests = [eq_test(q) for q in wanted]
    test = in_test(wanted)
    for v in seen:
        assert test(v) == any(t(v) for t in tests), (wanted, v)


def test_an_in_list_of_documents_answers_as_the_reference(pair):
    wanted = [{"k": "x", "v": 1}, {}, "E", 3]
    _same_as_reference(pair, _stat({"match": {"filter": [{"k": "errors.additional", "v": wanted, "o": "in"}]}}, {"count": {"name": "n"}}))
    codes = sorted({e["error_code"] for r in RECORDS for e in r["errors"]})[:2] + ["none"]
    _same_as_reference(pair, _stat({"match": {"filter": [{"k": "errors.error_code", "v": codes, "o": "not_in"}]}},
                                   {"sort": [{"key": "job_task_id"}]}, {"limit": 5}))
