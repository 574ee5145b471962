"""The plan cache: a repeated list request reuses its compiled plan, and nothing else does."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine import plans
from jobtask_engine.plans import PlanCache, request_key


def _store() -> JobTaskStore:
    return JobTaskStore(
        {"job_task_id": f"t{i}", "domain_id": "d1", "status": "FAILURE" if i % 3 == 0 else "SUCCESS",
         "updated_count": i, "created_at": f"2024-01-{1 + i:02d}T00:00:00Z"}
        for i in range(9)
    )


def _ids(answer: dict) -> list[str]:
    return [r["job_task_id"] for r in answer["results"]]


@pytest.mark.parametrize("a, b", [
    (1, 1.0), (1, True), (0, False), ([1], (1,)), ("x", b"x"), ({"k": 1}, {"k": 1.0}),
    ({"a": 1, "b": 2}, {"b": 2, "a": 1}), ([1, 2], [2, 1]),
])
def test_keys_tell_apart_what_parsing_tells_apart(a, b):
    ka, kb = request_key(a), request_key(b)
    assert ka is None or kb is None or ka != kb


@pytest.mark.parametrize("value", [(1, 2), b"x", {1: "int key"}, {"k": {1, 2}}, dt.datetime(2024, 1, 1), object()])
def test_only_plain_requests_have_a_key(value):
    assert request_key(value) is None
    assert request_key({"query": value}) is None


def test_deep_requests_are_not_kept():
    deep: list = []
    for _ in range(100):
        deep = [deep]
    assert request_key(deep) is None


def test_a_repeated_request_reuses_its_plan_and_sees_writes():
    store = _store()
    params = {"domain_id": "d1", "status": "FAILURE", "query": {"sort": [{"key": "updated_count", "desc": True}]}}
    first = store.list(params)
    assert len(store._list_plans) == 1
    store.update("t1", "d1", {"status": "FAILURE"})
    store.delete("t0", "d1")
    again = store.list(params)
    assert len(store._list_plans) == 1
    assert _ids(first) == ["t6", "t3", "t0"] and _ids(again) == ["t6", "t3", "t1"]
    assert again == JobTaskStore(list(store)).list(params)


def test_refused_and_clock_bound_requests_are_not_kept():
    store = _store()
    bad = {"domain_id": "d1", "query": {"filter": [{"k": "status", "v": "x", "o": "bogus"}]}}
    for _ in range(2):
        with pytest.raises(EngineError):
            store.list(bad)
    timed = {"domain_id": "d1", "query": {"filter": [{"k": "created_at", "v": "now-1d", "o": "timediff_lt"}]}}
    assert len(store.list(timed)["results"]) == 9
    assert len(store._list_plans) == 0


def test_a_new_day_compiles_again(monkeypatch):
    calls = []
    cache = PlanCache(lambda p: calls.append(p) or len(calls), lambda plan: False)
    cache({"q": 1})
    cache({"q": 1})
    assert calls == [{"q": 1}]

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    monkeypatch.setattr(plans, "_dt", SimpleNamespace(date=SimpleNamespace(today=lambda: tomorrow)))
    cache({"q": 1})
    assert len(calls) == 2


def test_the_cache_is_bounded():
    cache = PlanCache(lambda p: p["i"], lambda plan: False, size=4)
    for i in range(10):
        assert cache({"i": i}) == i
    assert len(cache) <= 4
