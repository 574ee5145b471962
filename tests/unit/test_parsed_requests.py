"""A parsed request is plain data: values, never functions or table state.

What the plan cache keeps is the parse's output; the planner and the executor
turn it into index reads and row tests for each call.  These tests walk every
parsed request the strategies generate and fail on anything callable, and
check that a plan is not changed through objects the caller still holds.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from hypothesis import given, settings

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.query.predicates import VALUE, Predicate
from jobtask_engine.request import parse_list_request, parse_stat_request
from jobtask_engine.testing import stat_strategies, strategies
from jobtask_engine.values import DateValue

_PLAIN = (str, int, float, bool, type(None), dt.datetime, DateValue)


def _impure(value: Any, where: str = "request", depth: int = 0) -> str | None:
    """Where ``value`` holds something other than plain data (None: nowhere)."""
    assert depth < 200, where
    if isinstance(value, _PLAIN) or value.__class__.__name__ == "_Missing":
        return None
    if callable(value) or isinstance(value, re.Pattern):
        return f"{where}: {value!r}"
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, (list, tuple, frozenset, set)):
        items = enumerate(value)
    elif hasattr(value, "__dict__") or hasattr(value, "__slots__"):
        slots = [s for c in type(value).__mro__ for s in getattr(c, "__slots__", ())]
        items = [*vars(value).items(), *((s, getattr(value, s)) for s in slots if hasattr(value, s))] if hasattr(
            value, "__dict__") else [(s, getattr(value, s)) for s in slots if hasattr(value, s)]
    else:
        return f"{where}: {type(value).__name__}"
    for key, item in items:
        found = _impure(item, f"{where}.{key}", depth + 1)
        if found:
            return found
    return None


@settings(max_examples=300, deadline=None)
@given(strategies.list_requests())
def test_a_parsed_list_request_is_plain_data(params):
    try:
        parsed = parse_list_request(params)
    except EngineError:
        return
    assert _impure(parsed) is None


@settings(max_examples=200, deadline=None)
@given(stat_strategies.stat_requests())
def test_a_parsed_stat_filter_and_match_are_plain_data(params):
    try:
        parsed = parse_stat_request(params)
    except EngineError:
        return
    assert _impure(parsed.filter) is None
    for stage in parsed.plan.stages or ():
        if type(stage).__name__ == "MatchStage":
            assert _impure(stage) is None


def test_the_impurity_check_can_fail():
    assert _impure(Predicate(VALUE, "x", value=lambda v: True)) is not None
    assert _impure({"a": [re.compile("x")]}) is not None


def _store() -> JobTaskStore:
    return JobTaskStore(
        {"job_task_id": f"t{i}", "domain_id": "d1", "status": "FAILURE",
         "errors": [{"error_code": f"E{i % 2}", "message": "m", "additional": {"n": i % 2}}]}
        for i in range(6)
    )


def _ids(answer: dict) -> list[str]:
    return sorted(r["job_task_id"] for r in answer["results"])


def test_a_cached_plan_is_not_changed_through_the_callers_objects():
    store = _store()
    query = {"error_code": "E1"}
    params = {"domain_id": "d1", "query": {"filter": [{"k": "errors", "v": query, "o": "match"}]}}
    first = _ids(store.list(params))
    query["error_code"] = "E0"  # the caller reuses its dict; the plan kept for E1 must not follow
    again = _ids(store.list({"domain_id": "d1", "query": {"filter": [{"k": "errors", "v": {"error_code": "E1"}, "o": "match"}]}}))
    assert first == again == ["t1", "t3", "t5"]


def test_a_cached_stat_match_is_not_changed_through_the_callers_objects():
    store = _store()
    values = ["E1"]
    def params(v):
        return {"domain_id": "d1", "query": {"aggregate": [
            {"unwind": {"path": "errors"}},
            {"match": {"filter": [{"k": "errors.error_code", "v": v, "o": "in"}]}},
            {"count": {"name": "n"}}]}}
    first = store.stat(params(values))["results"]
    values.append("E0")
    assert store.stat(params(["E1"]))["results"] == first == [{"n": 3}]
