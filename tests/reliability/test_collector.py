"""The cyclic collector is paused while any call under ``collector_paused`` runs, resumed
after the last, and left off when it was off before."""

from __future__ import annotations

import gc
import threading

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.collector import collector_paused
from jobtask_engine.testing import make_job_tasks


def test_nested_pauses_resume_after_the_outermost():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_embedder_stays_off():
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_overlapping_calls_in_threads_resume_when_the_last_ends():
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with collector_paused():
            second_in.set()
            first_out.wait(10)
            seen.append(gc.isenabled())  # the first call ended; this one still runs

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert seen == [False]
    assert gc.isenabled()


def test_a_refused_stat_resumes_the_collector():
    store = JobTaskStore(make_job_tasks(10, seed=1, domain_id="d"))
    bad = {"domain_id": "d", "query": {"aggregate": [{"project": {"fields": [{"name": "x", "operator": "divide", "fields": ["created_count", 0]}]}}]}}
    with pytest.raises(EngineError, match="divide by zero"):  # raised while the pipeline runs
        store.stat(bad)
    assert gc.isenabled()
    assert store.stat({"domain_id": "d", "query": {"aggregate": [{"count": {"name": "n"}}]}}) == {"results": [{"n": 10}]}
