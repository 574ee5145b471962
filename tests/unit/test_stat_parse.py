"""StatisticsQuery validation: every malformed request is refused before the store is read.

The reference builds the pipeline inside ``MongoModel.stat``'s ``try``, so every refusal there is
ERROR_DB_QUERY; only a query with neither aggregate nor distinct is ERROR_REQUIRED_PARAMETER.
Messages name the stage and the field at fault.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError
from jobtask_engine.stat import Page, parse_statistics_query
from jobtask_engine.stat.group import GroupStage
from jobtask_engine.stat.match import MatchStage
from jobtask_engine.stat.parse import dict_form_pipeline
from jobtask_engine.stat.stages import CountStage, LimitStage, SkipStage, SortStage, UnwindStage

COUNT = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"name": "n", "operator": "count"}]}}


def refused(query: dict) -> EngineError:
    with pytest.raises(EngineError) as info:
        parse_statistics_query(query)
    return info.value


# --------------------------------------------------------------------------- aggregate / distinct
@pytest.mark.parametrize("query", [{}, {"aggregate": []}, {"distinct": ""}, {"aggregate": {}}, {"aggregate": None}])
def test_neither_aggregate_nor_distinct_is_a_required_parameter(query):
    err = refused(query)
    assert err.code == "ERROR_REQUIRED_PARAMETER"
    assert "aggregate" in err.message


def test_aggregate_wins_over_distinct():
    plan = parse_statistics_query({"aggregate": [COUNT], "distinct": "status"})
    assert plan.distinct is None and isinstance(plan.stages[0], GroupStage)


def test_empty_aggregate_falls_back_to_distinct():
    plan = parse_statistics_query({"aggregate": [], "distinct": "status"})
    assert plan.stages is None and plan.distinct == "status"


@pytest.mark.parametrize("distinct", [["status"], 5, {"a": 1}])
def test_distinct_must_be_a_string(distinct):
    err = refused({"distinct": distinct})
    assert err.code == "ERROR_DB_QUERY"
    assert "distinct" in err.message


@pytest.mark.parametrize("aggregate", ["x", 5, ("a",)])
def test_aggregate_must_be_a_list(aggregate):
    err = refused({"aggregate": aggregate})
    assert err.code == "ERROR_DB_QUERY"
    assert "key = aggregate, type = list" in err.message


@pytest.mark.parametrize("stage", ["group", 5, None, ["group"]])
def test_a_stage_must_be_an_object(stage):
    assert refused({"aggregate": [stage]}).code == "ERROR_DB_QUERY"


def test_unknown_stage_names_the_supported_ones():
    err = refused({"aggregate": [{"bogus": {}}]})
    assert err.code == "ERROR_DB_QUERY"
    assert "aggregate.unwind or aggregate.group" in err.message


def test_first_known_stage_name_in_a_stage_wins():
    plan = parse_statistics_query({"aggregate": [{"limit": 2, "unwind": {"path": "errors"}}]})
    assert plan.stages == (UnwindStage("errors"),)


@pytest.mark.parametrize("name", ["lookup", "add_fields"])
def test_lookup_and_add_fields_are_refused(name):
    err = refused({"aggregate": [{name: {"from": "x"}}]})
    assert err.code == "ERROR_DB_QUERY" and name in err.message


# --------------------------------------------------------------------------- group
@pytest.mark.parametrize(
    "group, words",
    [
        ({}, "aggregate.group.keys || aggregate.group.fields"),
        ({"keys": [], "fields": []}, "aggregate.group.keys || aggregate.group.fields"),
        ({"keys": [{"key": "status"}]}, "'aggregate.group.keys' condition requires a name"),
        ({"keys": [{"name": "s"}]}, "'aggregate.group.keys' condition requires a key"),
        ({"keys": [{"key": "status", "name": "a.b"}]}, "aggregate.group.keys.name"),
        ({"keys": [{"key": "status", "name": "$s"}]}, "aggregate.group.keys.name"),
        ({"keys": [{"key": "status", "name": 5}]}, "aggregate.group.keys.name"),
        ({"keys": [{"key": "", "name": "s"}]}, "aggregate.group.keys.key"),
        ({"keys": [{"key": "a..b", "name": "s"}]}, "aggregate.group.keys.key"),
        ({"keys": [{"key": "$foo", "name": "s"}]}, "undefined variable"),
        ({"keys": [{"key": "created_at", "name": "d", "date_format": "%Q"}]}, "Invalid format character '%Q'"),
        ({"keys": [{"key": "created_at", "name": "d", "date_format": "%Y%"}]}, "Unmatched '%'"),
        ({"keys": [{"key": "created_at", "name": "d", "date_format": 5}]}, "format"),
        ({"keys": None}, "group"),
        ({"keys": "ab"}, "group"),
        ({"fields": [{"name": "n", "operator": "median"}]}, "median operator is not supported"),
        ({"fields": [{"name": "n"}]}, "None operator is not supported"),
        ({"fields": [{"operator": "count"}]}, "'aggregate.group.fields' condition requires a name"),
        ({"fields": [{"name": "a.b", "operator": "count"}]}, "aggregate.group.fields.name"),
        ({"fields": [{"name": "_id", "operator": "count"}]}, "_id"),
        ({"fields": [{"name": "s", "operator": "sum"}]}, "condition requires a key"),
        ({"fields": [{"name": "s", "operator": "average"}]}, "condition requires a key"),
        ({"fields": [{"name": "s", "operator": "max"}]}, "condition requires a key"),
        ({"fields": [{"name": "s", "operator": "first"}]}, "condition requires a key"),
        ({"fields": [{"name": "s", "operator": "add_to_set"}]}, "condition requires a key"),
        ({"fields": [{"name": "s", "operator": "merge_objects"}]}, "condition requires a key"),
        ({"fields": [{"name": "p", "operator": "push"}]}, "condition requires fields"),
        ({"fields": [{"name": "p", "operator": "push", "key": ""}]}, "condition requires fields"),
        ({"fields": [{"name": "p", "operator": "push", "fields": [{"name": "x"}]}]}, "'aggregate.group.fields.fields' condition requires a key"),
        ({"fields": [{"name": "p", "operator": "push", "fields": [{"key": "x"}]}]}, "'aggregate.group.fields.fields' condition requires a name"),
        ({"fields": [{"name": "p", "operator": "push", "fields": ["x"]}]}, "group"),
        ({"fields": [{"name": "m", "key": "x", "operator": "max", "conditions": [{"k": "a", "v": 1, "o": "eq"}]}]}, "conditions not supported"),
        ({"fields": [{"name": "p", "key": "x", "operator": "push", "conditions": [{"k": "a", "v": 1, "o": "eq"}]}]}, "conditions not supported"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"v": 1, "o": "eq"}]}]}, "conditions.key' condition requires a key"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "o": "eq"}]}]}, "conditions.value' condition requires a value"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "v": None, "o": "eq"}]}]}, "requires a value"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "v": 1}]}]}, "conditions.operator' condition requires a operator"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "v": 1, "o": "in"}]}]}, "in operator is not supported"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "v": 1, "o": "not"}]}]}, "$not takes exactly 1 arguments"),
        ({"fields": [{"name": "c", "operator": "count", "conditions": [{"k": "a", "v": {"$gt": 1}, "o": "eq"}]}]}, "expressions inside values"),
    ],
)
def test_group_refusals(group, words):
    err = refused({"aggregate": [{"group": group}]})
    assert err.code == "ERROR_DB_QUERY"
    assert words in err.message


def test_group_accepts_short_keys_and_later_names_override():
    plan = parse_statistics_query({"aggregate": [{"group": {
        "keys": [{"k": "status", "n": "s"}, {"key": "provider", "name": "s"}],
        "fields": [{"n": "c", "o": "count"}, {"name": "c", "operator": "sum", "key": "updated_count"}],
    }}]})
    group = plan.stages[0]
    assert [k.name for k in group.keys] == ["s"] and group.keys[0].expr.path == "provider"
    assert [(f.name, f.operator) for f in group.fields] == [("c", "sum")]


def test_push_with_an_empty_key_uses_sub_fields():
    plan = parse_statistics_query({"aggregate": [{"group": {"fields": [
        {"name": "p", "operator": "push", "key": "", "fields": [{"key": "status", "name": "s"}]}]}}]})
    assert type(plan.stages[0].fields[0].expr).__name__ == "ObjectExpr"


def test_later_stages_address_group_keys_through_id():
    plan = parse_statistics_query({"aggregate": [
        COUNT,
        {"group": {"keys": [{"key": "s", "name": "s2"}], "fields": [{"key": "n", "name": "t", "operator": "sum"}]}},
        {"sort": [{"key": "s2"}, {"key": "s", "desc": True}, {"key": "t"}]},
    ]})
    second, sort = plan.stages[1], plan.stages[2]
    assert second.keys[0].expr.path == "_id.s"
    assert second.fields[0].expr.path == "n"
    assert sort == SortStage((("_id.s2", False), ("_id.s", True), ("t", False)))


def test_project_exclude_keys_forgets_group_keys():
    plan = parse_statistics_query({"aggregate": [
        COUNT,
        {"project": {"fields": [{"key": "s", "name": "s"}], "exclude_keys": True}},
        {"sort": [{"key": "s"}]},
    ]})
    assert dict(plan.stages[1].spec)["s"].path == "_id.s"
    assert plan.stages[2] == SortStage((("s", False),))


# --------------------------------------------------------------------------- unwind / count / sort / limit / skip
@pytest.mark.parametrize(
    "stage, words",
    [
        ({"unwind": {}}, "aggregate.unwind.path"),
        ({"unwind": "errors"}, "aggregate.unwind.path"),
        ({"unwind": "xpathx"}, "TypeError"),
        ({"unwind": {"path": ""}}, "aggregate.unwind.path"),
        ({"unwind": {"path": "$errors"}}, "aggregate.unwind.path"),
        ({"unwind": {"path": "errors", "filter": [{"k": "a", "v": 1, "o": "gt"}]}}, "Unsupported operator: gt"),
        ({"count": {}}, "aggregate.count.name"),
        ({"count": {"name": ""}}, "non-empty string"),
        ({"count": {"name": 5}}, "non-empty string"),
        ({"count": {"name": "$n"}}, "$-prefixed"),
        ({"count": {"name": "a.b"}}, "cannot contain '.'"),
        ({"count": "n"}, "aggregate.count.name"),
        ({"count": "name"}, "TypeError"),
        ({"sort": [{"desc": True}]}, "KeyError"),
        ({"sort": []}, "at least one sort key"),
        ({"sort": {"key": "a"}}, "TypeError"),
        ({"sort": [{"key": 5}]}, "aggregate.sort.key"),
        ({"sort": [{"key": ""}]}, "aggregate.sort.key"),
        ({"sort": [{"key": "$a"}]}, "aggregate.sort.key"),
        ({"limit": 0}, "must be positive"),
        ({"limit": -1}, "must be positive"),
        ({"limit": 1.5}, "integer"),
        ({"limit": True}, "number"),
        ({"limit": "2"}, "number"),
        ({"skip": -1}, "non-negative"),
        ({"skip": None}, "number"),
    ],
)
def test_stage_refusals(stage, words):
    err = refused({"aggregate": [stage]})
    assert err.code == "ERROR_DB_QUERY"
    assert words in err.message


def test_simple_stages():
    plan = parse_statistics_query({"aggregate": [
        {"unwind": {"path": "errors", "filter": [{"k": "errors.error_code", "v": "E1", "o": "eq"}]}},
        {"count": {"name": "n"}},
        {"sort": [{"key": "n", "desc": 1}, {"key": "n"}]},
        {"skip": 0},
        {"limit": 2.0},
    ]})
    unwind, match, count, sort, skip, limit = plan.stages
    assert unwind == UnwindStage("errors") and isinstance(match, MatchStage)
    assert count == CountStage("n")
    assert sort == SortStage((("n", False),))  # the later duplicate wins, at the first position
    assert skip == SkipStage(0) and limit == LimitStage(2)


# --------------------------------------------------------------------------- match
@pytest.mark.parametrize(
    "match, words",
    [
        ({}, "nonempty array"),
        ({"filter": []}, "nonempty array"),
        ({"filter": None}, "TypeError"),
        ([], "AttributeError"),
        ({"filter": [{"k": "status", "v": "x"}]}, "aggregate.match.filter"),
        ({"filter": [{"k": "status", "v": "", "o": "eq"}]}, "aggregate.match.filter"),
        ({"filter": [{"k": "status", "v": 0, "o": "eq"}]}, "aggregate.match.filter"),
        ({"filter": [{"k": "", "v": "x", "o": "eq"}]}, "aggregate.match.filter"),
        ({"filter": [{"k": "status", "v": "x", "o": "gt"}]}, "Unsupported operator: gt"),
        ({"filter": [{"k": "status", "v": "x", "o": "in"}]}, "$in needs an array"),
        ({"filter": [{"k": "status", "v": 5, "o": "contain_in"}]}, "TypeError"),
        ({"filter": [{"k": "status", "v": "(", "o": "contain"}]}, "invalid regular expression"),
        ({"filter": ["x"]}, "AttributeError"),
    ],
)
def test_match_refusals(match, words):
    err = refused({"aggregate": [{"match": match}]})
    assert err.code == "ERROR_DB_QUERY"
    assert words in err.message


# --------------------------------------------------------------------------- project
@pytest.mark.parametrize(
    "project, words",
    [
        ({}, "aggregate.project.fields"),
        ({"fields": []}, "aggregate.project.fields"),
        ({"fields": [{"key": "a"}]}, "'aggregate.project.fields' condition requires a name"),
        ({"fields": [{"name": "x", "operator": "power"}]}, "power operator is not supported"),
        ({"fields": [{"name": "x", "operator": "size"}]}, "'aggregate.project.key' condition requires a key"),
        ({"fields": [{"name": "x", "operator": "sum"}]}, "'aggregate.project.key' condition requires a key"),
        ({"fields": [{"name": "x", "operator": "array_to_object"}]}, "'aggregate.project.fields' condition requires a key"),
        ({"fields": [{"name": "x", "operator": "object_to_array"}]}, "'aggregate.project.fields' condition requires a key"),
        ({"fields": [{"name": "x", "operator": "add"}]}, "condition requires a fields"),
        ({"fields": [{"name": "x", "operator": "divide", "fields": ["a"]}]}, "requires two fields"),
        ({"fields": [{"name": "x", "operator": "subtract", "fields": ["a", "b", "c"]}]}, "requires two fields"),
        ({"fields": [{"name": "x", "operator": "add", "fields": ["a", True]}]}, "accept only string or object or numeric"),
        ({"fields": [{"name": "x", "operator": "add", "fields": ["a", None]}]}, "accept only string or object or numeric"),
        ({"fields": [{"name": "x", "operator": "add", "fields": ["a", {"fields": [1]}]}]}, "requires a operator"),
        ({"fields": [{"name": "x", "operator": "add", "fields": ["a", {"operator": "size", "fields": [1]}]}]}, "operator are not allowed"),
        ({"fields": [{"name": "x", "operator": "add", "fields": ["a", {"operator": "add"}]}]}, "requires a fields"),
        ({"fields": [{"name": "$x", "key": "a"}]}, "aggregate.project.fields.name"),
        ({"fields": [{"name": "a..b", "key": "a"}]}, "aggregate.project.fields.name"),
    ],
)
def test_project_refusals(project, words):
    err = refused({"aggregate": [{"project": project}]})
    assert err.code == "ERROR_DB_QUERY"
    assert words in err.message


# --------------------------------------------------------------------------- page
@pytest.mark.parametrize(
    "page, expected",
    [
        (None, None), ({}, None), ([], None), ("", None), ("xyz", None), ({"start": 3}, None),
        ({"limit": 0}, None), ({"limit": -2}, None), ({"limit": 2}, Page(1, 2)),
        ({"limit": 2, "start": 0}, Page(1, 2)), ({"limit": 2, "start": -5}, Page(1, 2)),
        ({"limit": 2, "start": 3}, Page(3, 2)), ({"limit": 2.0, "start": 2.0}, Page(2, 2)),
    ],
)
def test_aggregate_page(page, expected):
    assert parse_statistics_query({"aggregate": [COUNT], "page": page}).page == expected


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.integers(0, 80))
def test_a_page_counts_and_ends_its_slice(start, limit, n):
    page = Page(start, limit)
    docs = list(range(n))
    assert page.rows_of(n) == len(docs[page.start - 1 : page.stop]) == len(docs[start - 1 : start - 1 + limit])


@pytest.mark.parametrize("page", [5, {"limit": "2"}, {"limit": None}, {"limit": 2, "start": "1"},
                                  {"limit": 1.5}, {"limit": True}, {"limit": 2, "start": 1.5}, "limit", ["limit"]])
def test_aggregate_page_refusals(page):
    assert refused({"aggregate": [COUNT], "page": page}).code == "ERROR_DB_QUERY"


def test_distinct_page_is_python_slicing():
    assert parse_statistics_query({"distinct": "status", "page": {"limit": True}}).page == Page(1, 1)
    assert refused({"distinct": "status", "page": {"limit": 2.0}}).code == "ERROR_DB_QUERY"
    assert refused({"distinct": "status", "page": {"limit": 2, "start": 2.0}}).code == "ERROR_DB_QUERY"


# --------------------------------------------------------------------------- dict form
def test_dict_form_becomes_a_pipeline():
    query = {
        "aggregate": {"count": {"name": "n"}, "group": {"keys": [{"key": "status", "name": "s"}]},
                      "unwind": [{"path": "errors"}]},
        "sort": {"name": "s", "desc": True},
        "limit": 3,
    }
    assert dict_form_pipeline(query) == [
        {"unwind": {"path": "errors"}},
        {"group": {"keys": [{"key": "status", "name": "s"}]}},
        {"count": {"name": "n"}},
        {"sort": [{"key": "s", "desc": True}]},
        {"limit": 3},
    ]


def test_dict_form_sort_shapes():
    base = {"aggregate": {"group": {"keys": [{"key": "status", "name": "s"}]}, "unwind": {"path": "errors"}}}
    assert dict_form_pipeline(dict(base, sort={"keys": [{"key": "s"}]}))[1:] == [
        {"group": {"keys": [{"key": "status", "name": "s"}]}}, {"sort": [{"key": "s", "desc": False}]}]
    assert dict_form_pipeline(dict(base, sort=[{"name": "s", "desc": True}]))[-1] == {"sort": [{"key": "s", "desc": True}]}


def test_dict_form_without_stages_falls_back_to_distinct_or_is_required():
    assert parse_statistics_query({"aggregate": {"other": 1}, "distinct": "status"}).distinct == "status"
    assert refused({"aggregate": {"other": 1}}).code == "ERROR_REQUIRED_PARAMETER"


def test_query_is_not_modified():
    query = {"aggregate": [{"group": {"keys": [{"key": "s", "name": "s"}], "fields": [
        {"name": "p", "operator": "push", "fields": [{"key": "s", "name": "x"}]}]}}]}
    before = repr(query)
    parse_statistics_query(query)
    assert repr(query) == before
