"""get / update / delete by id.  The shared store is left as it was found."""

from __future__ import annotations

import itertools
import random

import pytest

from jobtask_engine import EngineError


@pytest.fixture(scope="module")
def picks(records):
    """A few hundred (job_task_id, domain_id, record) triples in random order."""
    rng = random.Random(7)
    sample = rng.sample(records, min(500, len(records)))
    return [(r["job_task_id"], r["domain_id"], r) for r in sample]


@pytest.mark.benchmark(group="by id")
def test_get(benchmark, store, picks):
    cycle = itertools.cycle(picks)

    def get_next():
        tid, dom, record = next(cycle)
        return store.get(tid, dom), record

    info, record = benchmark(get_next)
    assert info["job_task_id"] == record["job_task_id"]
    assert info["updated_count"] == record["updated_count"]


@pytest.mark.benchmark(group="by id")
def test_update(benchmark, store, picks):
    cycle = itertools.cycle(picks)
    counter = itertools.count(1_000_000)
    touched = {}

    def update_next():
        tid, dom, record = next(cycle)
        touched[tid] = (dom, record)
        return store.update(tid, dom, {"updated_count": next(counter), "status": "SUCCESS"})

    try:
        info = benchmark(update_next)
        assert info["updated_count"] >= 1_000_000
        assert info["status"] == "SUCCESS"
    finally:
        for tid, (dom, record) in touched.items():
            store.update(tid, dom, {"updated_count": record["updated_count"], "status": record["status"]})
    tid, dom, record = picks[0]
    assert store.get(tid, dom)["updated_count"] == record["updated_count"]


@pytest.mark.benchmark(group="by id")
def test_delete(benchmark, store, records):
    """Each round deletes a record created for it (setup is not timed), so the data set is untouched."""
    template = dict(records[0])
    ids = (f"job-task-bench{i:08x}" for i in itertools.count())
    size_before = len(store)

    def setup():
        tid = next(ids)
        store.create({**template, "job_task_id": tid})
        return (tid, template["domain_id"]), {}

    benchmark.pedantic(store.delete, setup=setup, rounds=200 if benchmark.enabled else 1)
    assert len(store) == size_before
    with pytest.raises(EngineError):
        store.get("job-task-bench00000000", template["domain_id"])
