"""The bit-sliced group strategy answers as the general strategies do, before and after writes.

Each request is answered twice by the same store: as it comes (a dense selection grouped on a
code column takes ``bit slices``) and with that strategy turned off (``postings`` or computed
keys answer), over random records, int64 extremes and random creates, updates and deletes.
"""

from __future__ import annotations

from contextlib import contextmanager
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.stat import group, sliced
from jobtask_engine.testing.stat_strategies import sample_records
from jobtask_engine.testing.strategies import record_lists

INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
DOMAIN = "d1"


@contextmanager
def general_path():
    with mock.patch.object(group, "sliced_group", lambda *args: None):
        yield


def _strategies(store: JobTaskStore, params: dict) -> list[str]:
    """The group strategies of successive calls, up to the first by bit slices (10 at most)."""
    seen = []
    while len(seen) < 10 and group.BIT_SLICES not in seen:
        seen.append(store.explain(params)["stages"][0]["strategy"])
    assert seen[-1] == group.BIT_SLICES, seen
    return seen


def both(store: JobTaskStore, params: dict) -> tuple[list, list]:
    got = store.stat(params)["results"]
    with general_path():
        want = store.stat(params)["results"]
    return got, want


def _request(key: str, fields: list, filters: list | None = None) -> dict:
    query = {"aggregate": [{"group": {"keys": [{"key": key, "name": "k"}], "fields": fields}}]}
    if filters:
        query["filter"] = filters
    return {"domain_id": DOMAIN, "query": query}


_INT_FIELDS = ("created_count", "updated_count", "failure_count")
_FIELD = st.one_of(
    st.just({"operator": "count"}),
    st.builds(lambda op, key: {"operator": op, "key": key}, st.sampled_from(["sum", "average", "max", "min"]),
              st.sampled_from(_INT_FIELDS)),
)
_REQUESTS = st.builds(
    lambda key, fields, filt: _request(key, [dict(f, name=f"f{i}") for i, f in enumerate(fields)], filt),
    st.sampled_from(["status", "provider"]),
    st.lists(_FIELD, min_size=1, max_size=4),
    st.sampled_from([None, [{"k": "status", "v": ["SUCCESS", "FAILURE"], "o": "in"}],
                     [{"k": "created_count", "v": 3, "o": "gte"}]]),
)
_BIG = st.sampled_from([INT64_MIN, INT64_MAX, INT64_MAX - 1, -1, 0])
_WRITE = st.one_of(
    st.tuples(st.just("update"), st.integers(0, 30), st.sampled_from(_INT_FIELDS),
              st.one_of(st.integers(-5, 2000), _BIG)),
    st.tuples(st.just("status"), st.integers(0, 30), st.sampled_from(["SUCCESS", "FAILURE", "CANCELED"])),
    st.tuples(st.just("delete"), st.integers(0, 30)),
)


def _write(store: JobTaskStore, write: tuple) -> None:
    cols = store._table.columns
    ids = [i for i, d in zip(cols["job_task_id"], cols["domain_id"]) if d == DOMAIN]
    if not ids:
        return
    tid = ids[write[1] % len(ids)]
    if write[0] == "update":
        store.update(tid, DOMAIN, {write[2]: write[3]})
    elif write[0] == "status":
        store.update(tid, DOMAIN, {"status": write[2]})
    else:
        store.delete(tid, DOMAIN)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record_lists(domain_ids=(DOMAIN, "d2"), max_size=20), st.lists(_REQUESTS, min_size=1, max_size=3),
       st.lists(st.lists(_WRITE, max_size=3), max_size=3))
def test_bit_slices_answer_as_the_general_path(records, requests, rounds):
    store = JobTaskStore(records)
    with mock.patch.object(sliced, "_build_now", lambda *args: True):  # no rent: planes built at once
        for writes in [[]] + rounds:
            for w in writes:
                _write(store, w)
            for params in requests:
                got, want = both(store, params)
                assert got == want


def test_extremes_and_overflow_then_writes():
    store = JobTaskStore([dict(r, domain_id=DOMAIN) for r in sample_records()])
    ids = list(store._table.columns["job_task_id"])
    fields = [{"operator": "count", "name": "n"}, {"operator": "sum", "key": "updated_count", "name": "s"},
              {"operator": "average", "key": "updated_count", "name": "a"},
              {"operator": "max", "key": "updated_count", "name": "hi"},
              {"operator": "min", "key": "updated_count", "name": "lo"}]
    params = _request("status", fields)
    assert _strategies(store, params)[0] == group.POSTINGS  # rent paid towards the planes until built
    for changes in ({"updated_count": INT64_MAX}, {"updated_count": INT64_MAX, "status": "SUCCESS"},
                    {"updated_count": INT64_MIN, "status": "SUCCESS"}):
        store.update(ids[len(ids) // 2], DOMAIN, changes)
        store.update(ids[0], DOMAIN, dict(changes, status="SUCCESS"))
        got, want = both(store, params)
        assert got == want
    success = next(r for r in got if r["k"] == "SUCCESS")
    assert success["hi"] == INT64_MAX or success["lo"] == INT64_MIN
    store.delete(ids[1], DOMAIN)
    store.create({"job_task_id": "jt-new", "domain_id": DOMAIN, "status": "PENDING", "updated_count": -7,
                  "created_at": "2022-01-01T00:00:00Z"})
    got, want = both(store, params)
    assert got == want
    pending = next(r for r in got if r["k"] == "PENDING")
    assert pending["lo"] == -7
    assert type(next(r for r in got if r["k"] == "SUCCESS")["s"]) is float  # the sum left int64


def test_a_listed_selection_takes_postings():
    records = [dict(r, domain_id=DOMAIN) for r in sample_records()]
    records += [dict(r, domain_id="big", job_task_id=f"{r['job_task_id']}-{i}") for i in range(40) for r in sample_records()]
    store = JobTaskStore(records)
    params = _request("status", [{"operator": "sum", "key": "updated_count", "name": "s"}])
    for _ in range(3):
        assert store.explain(params)["stages"][0]["strategy"] == group.POSTINGS
    got, want = both(store, params)
    assert got == want


def test_rent_or_build():
    """Planes not built are paid for by the answers of the next strategy, then built; a few
    writes are caught up without paying again, many are paid for again."""
    store = JobTaskStore([dict(r, domain_id=DOMAIN, job_task_id=f"{r['job_task_id']}-{i}")
                          for i in range(20) for r in sample_records()])
    count_only = _request("status", [{"operator": "count", "name": "n"}])
    # The code column's planes cost less than one answer by postings: built at once.
    assert store.explain(count_only)["stages"][0]["strategy"] == group.BIT_SLICES
    summed = _request("status", [{"operator": "sum", "key": "updated_count", "name": "s"}])
    strategies = _strategies(store, summed)
    assert strategies[0] == group.POSTINGS and len(strategies) > 1
    ids = list(store._table.columns["job_task_id"])
    store.update(ids[0], DOMAIN, {"updated_count": 99})
    assert store.explain(summed)["stages"][0]["strategy"] == group.BIT_SLICES  # one row written: caught up
    for i, tid in enumerate(ids):
        store.update(tid, DOMAIN, {"updated_count": i})
    assert _strategies(store, summed)[0] == group.POSTINGS  # a rebuild, paid for first
    got, want = both(store, summed)
    assert got == want
