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


def test_the_cache_is_bounded_by_bytes():
    one = plans.PLAN_BYTES_PER_REQUEST_BYTE * plans.request_size(plans.request_key({"i": 0}))
    cache = PlanCache(lambda p: p["i"], lambda plan: False, max_bytes=16 * one)
    for i in range(40):
        assert cache({"i": i}) == i
    assert len(cache) == 16 and cache.estimated_bytes <= 16 * one
    assert cache({"i": 39}) == 39 and len(cache) == 16  # the newest are the ones kept


def test_a_request_too_big_for_the_cache_is_compiled_but_not_kept():
    calls = []
    cache = PlanCache(lambda p: calls.append(1) or len(p["v"]), lambda plan: False, max_bytes=1024 * 1024)
    big = {"v": [f"job-task-{i:012x}" for i in range(20_000)]}
    assert cache(big) == 20_000 and cache(big) == 20_000
    assert len(calls) == 2 and len(cache) == 0


def test_a_store_keeps_big_in_lists_within_its_plan_cache_budget():
    from jobtask_engine import JobTaskStore
    from jobtask_engine.limits import Limits

    store = JobTaskStore([{"domain_id": "d", "job_task_id": "job-task-1"}], limits=Limits(plan_cache_bytes=8 * 1024 * 1024))
    for n in range(30):
        ids = [f"job-task-{n}-{i:08x}" for i in range(5_000)]
        store.list({"domain_id": "d", "query": {"filter": [{"k": "job_task_id", "v": ids, "o": "in"}]}})
    assert store._list_plans.estimated_bytes <= 8 * 1024 * 1024
