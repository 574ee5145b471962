"""Hostile requests and records against list, stat, create and update: only EngineError, the store unchanged.

Valid requests and records (the project's own strategies) get one value
replaced somewhere by a hostile one (``hostile.py``); each call runs under a
time cap that stops the test if it runs away.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.testing import list_requests, make_job_tasks, records, stat_requests

from .hostile import hostile_values, mutated, time_cap

SEED = make_job_tasks(300, seed=11, domain_id="domain-1")
DOMAINS = ("domain-1", "domain-2")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

STORE = JobTaskStore(SEED)
BEFORE = list(STORE)


def _call(fn, *args) -> None:
    with time_cap():
        try:
            fn(*args)
        except EngineError as exc:
            assert exc.code.startswith("ERROR_") and exc.message


@FUZZ
@given(mutated(list_requests(DOMAINS)))
def test_hostile_list_requests(request):
    _call(STORE.list, request)
    assert len(STORE) == len(BEFORE)


@FUZZ
@given(mutated(stat_requests(DOMAINS)))
def test_hostile_stat_requests(request):
    _call(STORE.stat, request)
    assert len(STORE) == len(BEFORE)


def test_reads_left_the_store_unchanged():
    assert list(STORE) == BEFORE


#: a hostile value inside ``errors[].additional``, the one free-form part of a record
hostile_additional = st.builds(lambda r, h: {**r, "errors": [{"error_code": "E", "additional": {"x": h}}]}, records(DOMAINS), hostile_values())


@FUZZ
@given(mutated(records(DOMAINS)) | hostile_additional)
def test_hostile_records_on_create_and_insert_many(record):
    store = JobTaskStore(SEED[:20])
    before = list(store)
    try:
        with time_cap():
            info = store.create(record)
    except EngineError:
        assert list(store) == before
    else:
        # accepted: it reads back and iterates like any record
        assert list(store)[-1] == info
        if isinstance(info["domain_id"], str):
            assert store.get(info["job_task_id"], info["domain_id"]) == info
            store.list({"domain_id": info["domain_id"]})
        before = list(store)
    try:
        with time_cap():
            store.insert_many([SEED[50], record, SEED[51]])
    except EngineError:
        assert list(store) == before


@FUZZ
@given(st.dictionaries(st.sampled_from(["status", "provider", "created_count", "failure_count", "errors", "started_at", "finished_at", "nosuch"]),
                       hostile_values(), min_size=1, max_size=3))
def test_hostile_updates(changes):
    store = JobTaskStore(SEED[:20])
    before = list(store)
    target = SEED[3]
    try:
        with time_cap():
            store.update(target["job_task_id"], target["domain_id"], changes)
    except EngineError:
        assert list(store) == before
    list(store)  # whatever was accepted can be read back


@FUZZ
@given(hostile_values(), st.sampled_from(["additional", "message", "error_code"]))
def test_hostile_values_inside_a_records_errors(value, where):
    store = JobTaskStore(SEED[:5])
    before = list(store)
    error = {"error_code": "E", "additional": {"x": value}} if where == "additional" else {where: value}
    try:
        with time_cap():
            info = store.create({"domain_id": DOMAINS[0], "errors": [error]})
    except EngineError:
        assert list(store) == before
    else:
        assert list(store)[-1] == info
        assert store.list({"domain_id": DOMAINS[0], "query": {"page": {"limit": 1000}}})["total_count"] == len(before) + 1
