"""Every limit refuses what passes it with ERROR_LIMIT_EXCEEDED naming it, and an embedder can set each."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.limits import LIMITS_TABLE, Limits, check_pattern, default_limits, set_default_limits

from .hostile import nested

D = "d"
STORE_RECORDS = [{"domain_id": D, "job_task_id": f"job-task-{i}", "created_count": i, "created_at": "2023-01-01T00:00:00Z",
                  "errors": [{"error_code": "E", "additional": {"n": i}}]} for i in range(20)]


def _list(*conditions, **query):
    return {"domain_id": D, "query": {"filter": list(conditions), **query}}


def _stat(*stages):
    return {"domain_id": D, "query": {"aggregate": list(stages)}}


def _unwind_cartesian(n: int) -> dict:
    return _stat(
        {"group": {"keys": [{"key": "domain_id", "name": "d"}], "fields": [
            {"operator": "push", "key": "job_task_id", "name": "a"}, {"operator": "push", "key": "job_task_id", "name": "b"}]}},
        {"unwind": {"path": "a"}}, {"unwind": {"path": "b"}})


#: limit -> (a request just over it when the limit is ``n``, list or stat)
OVER = {
    "max_depth": lambda n: ("list", _list({"k": "errors.additional", "v": nested(n), "o": "eq"})),
    "max_string_length": lambda n: ("list", _list({"k": "job_id", "v": "x" * (n + 1), "o": "eq"})),
    "max_list_items": lambda n: ("list", _list(*[{"k": "job_id", "v": "x", "o": "eq"}] * (n + 1))),
    "max_in_values": lambda n: ("list", _list({"k": "job_task_id", "v": [f"t{i}" for i in range(n + 1)], "o": "in"})),
    "max_contain_values": lambda n: ("list", _list({"k": "job_id", "v": [f"t{i}" for i in range(n + 1)], "o": "contain_in"})),
    "max_keyword_words": lambda n: ("list", {"domain_id": D, "query": {"keyword": " ".join(f"w{i}" for i in range(n + 1))}}),
    "max_pattern_length": lambda n: ("list", _list({"k": "job_id", "v": "a" * (n + 1), "o": "regex"})),
    "max_regex_repeat": lambda n: ("list", _list({"k": "job_id", "v": f"a{{{n + 1}}}", "o": "regex"})),
    "max_operands": lambda n: ("stat", _stat({"project": {"fields": [{"name": "x", "operator": "add", "fields": ["created_count"] * (n + 1)}]}})),
    "max_date_format_length": lambda n: ("stat", _stat({"group": {"keys": [{"key": "created_at", "name": "k", "date_format": "%H" * (n // 2 + 1)}],
                                                                  "fields": [{"operator": "count", "name": "n"}]}})),
    "max_pipeline_rows": lambda n: ("stat", _unwind_cartesian(n)),
    "max_pipeline_stages": lambda n: ("stat", _stat(*[{"sort": [{"key": "created_count"}]}] * (n + 1))),
    "max_pipeline_terms": lambda n: ("stat", _stat({"project": {"fields": [
        {"name": "x", "operator": "add", "fields": [{"operator": "add", "fields": ["created_count"] * n}]}]}})),
    "max_pipeline_work": lambda n: ("stat", _stat({"sort": [{"key": "created_count"}]})),
}


def test_every_limit_has_a_row_in_the_table_and_a_refusal_test():
    names = {f.name for f in dataclasses.fields(Limits)}
    assert set(LIMITS_TABLE) == names
    assert set(OVER) == names - {"plan_cache_bytes"}  # the cache bound refuses nothing (tests/unit/test_plans.py)


SMALL = {"max_depth": 8, "max_string_length": 50, "max_list_items": 30, "max_in_values": 10, "max_contain_values": 3,
         "max_keyword_words": 3, "max_pattern_length": 20, "max_regex_repeat": 5, "max_operands": 3,
         "max_date_format_length": 6, "max_pipeline_rows": 100,
         "max_pipeline_stages": 4, "max_pipeline_terms": 5, "max_pipeline_work": 1_000}


@pytest.mark.parametrize("name", sorted(OVER))
def test_a_request_over_a_limit_is_refused_naming_it(name):
    store = JobTaskStore(STORE_RECORDS, limits=Limits(**{name: SMALL[name]}))
    method, request = OVER[name](SMALL[name])
    with pytest.raises(EngineError) as info:
        getattr(store, method)(request)
    assert info.value.code == "ERROR_LIMIT_EXCEEDED", info.value
    assert name in info.value.message or name == "max_regex_repeat"
    # the same request passes a store whose limit is set higher (an embedder's choice)
    roomy = JobTaskStore(STORE_RECORDS, limits=Limits(**{name: SMALL[name] * 1000}))
    try:
        getattr(roomy, method)(request)
    except EngineError as exc:
        assert exc.code != "ERROR_LIMIT_EXCEEDED" or name not in exc.message, exc


def test_the_module_default_applies_to_stores_made_afterwards():
    old = default_limits()
    try:
        set_default_limits(Limits(max_in_values=2))
        store = JobTaskStore(STORE_RECORDS)
        with pytest.raises(EngineError, match="max_in_values"):
            store.list(_list({"k": "job_id", "v": ["a", "b", "c"], "o": "in"}))
    finally:
        set_default_limits(old)
    JobTaskStore(STORE_RECORDS).list(_list({"k": "job_id", "v": ["a", "b", "c"], "o": "in"}))


@pytest.mark.parametrize("bad", [0, -1, 1.5, "10", None])
def test_limits_must_be_positive_integers(bad):
    with pytest.raises(EngineError):
        Limits(max_depth=bad)
    with pytest.raises(EngineError):
        JobTaskStore(limits={"max_depth": 3})


@pytest.mark.parametrize("pattern", ["^job-task-[0-9a-f]+$", ".*foo.*", "(get|put)*x", "[a-z]+@[a-z]+\\.com", "(a{2}){3}", "a|b|c", "^\\d{4}-\\d{2}$",
                                     "^.*a.*b", "a.*b", "job-.*-task-.*", "(?i)error.*timeout", "\\w+\\s\\w+"])
def test_ordinary_patterns_pass_the_regex_check(pattern):
    check_pattern(pattern, "k")


@pytest.mark.parametrize("pattern", ["(a+)+", "(a*)*", "(a|ab)*", "(a|a)+", "(\\w+\\s?)*$", "(a)\\1", "(?P<n>a)(?P=n)", ".*a.*b.*c.*d", "(a{1000}){1000}", "(?:x+)+y",
                                     ".*a.*b", "x*x*y", "a.*b.*c", "a{0,1000}a{0,1000}b"])
def test_backtracking_patterns_are_refused(pattern):
    with pytest.raises(EngineError) as info:
        check_pattern(pattern, "k")
    assert info.value.code == "ERROR_LIMIT_EXCEEDED"


def test_the_readme_table_is_the_limits_table():
    """The README prints every limit with its default, what it bounds and why, word for word."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    rows = {m["name"]: (int(m["default"].replace(",", "")), m["bounds"], m["why"])
            for m in re.finditer(r"^\| `(?P<name>\w+)` \| (?P<default>[\d,]+) \| (?P<bounds>.*) \| (?P<why>.*) \|$", readme, re.M)}
    defaults = Limits()
    assert rows == {name: (getattr(defaults, name), *LIMITS_TABLE[name]) for name in LIMITS_TABLE}
