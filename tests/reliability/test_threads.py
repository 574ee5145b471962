"""Many threads on one store: every call whole, no lost or phantom write, indexes that stay right.

The stress test runs 4 readers and 2 writers on one store for
``JOBTASK_STRESS_SECONDS`` (default 6 s, so CI stays well under a minute; set
it to 600 for a long soak).  Readers check, on every answer, what must hold
whatever the interleaving; at the end every index is compared with a freshly
built store and with a brute-force scan of the records.
"""

from __future__ import annotations

import os
import random
import sys
import threading
import time
from collections import Counter

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.testing import make_job_tasks

SECONDS = float(os.environ.get("JOBTASK_STRESS_SECONDS", "6"))
STATUSES = ["PENDING", "IN_PROGRESS", "SUCCESS", "FAILURE", "CANCELED"]
DOMAINS = [f"domain-s{i}" for i in range(3)]


def _record(rng: random.Random, n: int) -> dict:
    return {
        "job_task_id": f"job-task-s{n:010d}",
        "domain_id": rng.choice(DOMAINS),
        "status": rng.choice(STATUSES),
        "provider": rng.choice(["aws", "google_cloud", "azure"]),
        "job_id": f"job-{rng.randrange(20)}",
        "created_count": rng.randrange(100),
        "created_at": f"2023-0{rng.randrange(1, 10)}-1{rng.randrange(10)}T0{rng.randrange(10)}:00:00Z",
        "errors": [{"error_code": rng.choice(["E1", "E2"]), "message": "m"}] if rng.random() < 0.3 else [],
    }


class Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.lock = threading.Lock()

    def add(self, text: str) -> None:
        with self.lock:
            if len(self.items) < 50:
                self.items.append(text)


def _reader(store: JobTaskStore, seed: int, stop: threading.Event, problems: Problems, counts: Counter) -> None:
    rng = random.Random(seed)
    while not stop.is_set():
        domain, status = rng.choice(DOMAINS), rng.choice(STATUSES)
        try:
            kind = rng.randrange(4)
            if kind == 0:
                page = store.list({"domain_id": domain, "status": status, "query": {"sort": [{"key": "created_at"}], "page": {"limit": 50}}})
                rows = page["results"]
                if any(r["domain_id"] != domain or r["status"] != status for r in rows):
                    problems.add(f"page outside its filter: {domain} {status}")
                ids = [r["job_task_id"] for r in rows]
                if len(set(ids)) != len(ids):
                    problems.add("duplicate rows in a page")
                if len(rows) > page["total_count"] or (page["total_count"] <= 50 and len(rows) != page["total_count"]):
                    problems.add(f"total_count {page['total_count']} against {len(rows)} rows")
                if [r["created_at"] for r in rows] != sorted(r["created_at"] for r in rows):
                    problems.add("page out of order")
            elif kind == 1:
                # stat's groups, the list's count and the status index agree at one instant
                with store.exclusive():
                    answer = store.stat({"domain_id": domain, "query": {"aggregate": [
                        {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"operator": "count", "name": "n"}]}}]}})
                    listed = store.list({"domain_id": domain, "query": {"count_only": True}})
                    by_status = store.list({"domain_id": domain, "status": status, "query": {"count_only": True}})
                groups = {g["s"]: g["n"] for g in answer["results"]}
                if set(groups) - set(STATUSES):
                    problems.add(f"stat group outside the statuses: {answer}")
                if sum(groups.values()) != listed["total_count"]:
                    problems.add(f"stat counts {sum(groups.values())} rows, list {listed['total_count']}")
                if groups.get(status, 0) != by_status["total_count"]:
                    problems.add(f"stat counts {groups.get(status, 0)} {status}, the status index {by_status['total_count']}")
            elif kind == 2:
                page = store.list({"domain_id": domain, "query": {"filter": [{"k": "created_count", "v": 50, "o": "gte"}], "page": {"limit": 100}}})
                if any(r["created_count"] < 50 or r["domain_id"] != domain for r in page["results"]):
                    problems.add("range page outside its filter")
            else:
                seen = [r["job_task_id"] for r in store]
                if len(seen) != len(set(seen)):
                    problems.add("iteration repeated a record")
            counts["reads"] += 1
        except EngineError as exc:
            problems.add(f"reader EngineError {exc}")
        except Exception as exc:  # the defect under test: any other exception
            problems.add(f"reader {type(exc).__name__}: {exc}")


def _writer(store: JobTaskStore, seed: int, stop: threading.Event, problems: Problems, log: dict, lock: threading.Lock) -> None:
    """Writes from a known id range; ``log`` ends holding what each id should be (None: deleted)."""
    rng = random.Random(seed)
    n = seed * 10_000_000
    mine: list[str] = []
    while not stop.is_set():
        action = rng.random()
        try:
            if action < 0.4 or not mine:
                rec = _record(rng, n)
                n += 1
                info = store.create(rec)
                mine.append(info["job_task_id"])
                with lock:
                    log[info["job_task_id"]] = info
            elif action < 0.5:
                batch = [_record(rng, n + i) for i in range(rng.randrange(1, 20))]
                n += len(batch)
                store.insert_many(batch)
                for rec in batch:
                    got = store.get(rec["job_task_id"], rec["domain_id"])
                    mine.append(rec["job_task_id"])
                    with lock:
                        log[rec["job_task_id"]] = got
            elif action < 0.8:
                tid = rng.choice(mine)
                with lock:
                    domain = log[tid]["domain_id"]
                info = store.update(tid, domain, {"status": rng.choice(STATUSES), "created_count": rng.randrange(100)})
                with lock:
                    log[tid] = info
            elif action < 0.9:
                tid = mine.pop(rng.randrange(len(mine)))
                with lock:
                    domain = log[tid]["domain_id"]
                store.delete(tid, domain)
                with lock:
                    log[tid] = None
            else:
                # a write that is refused must leave nothing behind
                bad = _record(rng, n)
                n += 1
                bad["created_at"] = "0001-01-01T00:00:00+01:00"
                try:
                    store.create(bad)
                    problems.add("an unrepresentable datetime was accepted")
                except EngineError:
                    with lock:
                        log[bad["job_task_id"]] = None
        except Exception as exc:
            problems.add(f"writer {type(exc).__name__}: {exc}")


def _brute_force(records: list[dict], domain: str, **eq) -> list[str]:
    return [r["job_task_id"] for r in records if r["domain_id"] == domain and all(r[k] == v for k, v in eq.items())]


def _all_ids(store: JobTaskStore, request: dict) -> list[str]:
    """Every matching id, page by page (a page holds at most 1,000)."""
    ids: list[str] = []
    while True:
        query = {**request.get("query", {}), "page": {"start": len(ids) + 1, "limit": 1000}}
        page = store.list({**request, "query": query})
        ids += [r["job_task_id"] for r in page["results"]]
        if len(ids) >= page["total_count"] or not page["results"]:
            assert len(ids) == page["total_count"]
            return sorted(ids)


def _check_indexes_like_a_fresh_store(store: JobTaskStore) -> None:
    records = list(store)
    fresh = JobTaskStore(records)
    requests = []
    for domain in DOMAINS:
        for status in STATUSES:
            requests.append(({"domain_id": domain, "status": status}, _brute_force(records, domain, status=status)))
        requests.append(({"domain_id": domain, "query": {"filter": [{"k": "created_count", "v": 50, "o": "gte"}]}},
                         [r["job_task_id"] for r in records if r["domain_id"] == domain and r["created_count"] >= 50]))
        requests.append(({"domain_id": domain, "query": {"filter": [{"k": "errors.error_code", "v": "E1", "o": "eq"}]}},
                         [r["job_task_id"] for r in records if r["domain_id"] == domain and any(e["error_code"] == "E1" for e in r["errors"])]))
        requests.append(({"domain_id": domain, "query": {"filter": [{"k": "created_at", "v": "2023-05-01T00:00:00Z", "o": "datetime_lt"}]}},
                         [r["job_task_id"] for r in records if r["domain_id"] == domain and r["created_at"] < "2023-05-01"]))
    for request, expected in requests:
        assert _all_ids(store, request) == _all_ids(fresh, request) == sorted(expected), request
        request = {**request, "query": {**request.get("query", {}), "page": {"limit": 1000}}}
        for sort in ("created_at", "created_count", "status"):
            sorted_request = {**request, "query": {**request["query"], "sort": [{"key": sort, "desc": True}]}}
            assert store.list(sorted_request) == fresh.list(sorted_request), sorted_request
    stat = {"query": {"aggregate": [{"group": {"keys": [{"key": "status", "name": "s"}, {"key": "job_id", "name": "j"}],
                                               "fields": [{"operator": "count", "name": "n"}, {"operator": "sum", "key": "created_count", "name": "c"}]}},
                                    {"sort": [{"key": "s"}, {"key": "j"}]}]}}
    for domain in DOMAINS:
        assert store.stat({"domain_id": domain, **stat}) == fresh.stat({"domain_id": domain, **stat})


def test_readers_and_writers_on_one_store():
    store = JobTaskStore(make_job_tasks(2_000, seed=3, domain_id=DOMAINS[0]))
    problems, counts, log, log_lock = Problems(), Counter(), {}, threading.Lock()
    stop = threading.Event()
    threads = [threading.Thread(target=_reader, args=(store, i, stop, problems, counts)) for i in range(4)]
    threads += [threading.Thread(target=_writer, args=(store, i + 1, stop, problems, log, log_lock)) for i in range(2)]
    for t in threads:
        t.start()
    time.sleep(SECONDS)
    stop.set()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    assert problems.items == []
    assert counts["reads"] > 0
    # every write the writers saw succeed is there, exactly; nothing else from them is
    ids = {r["job_task_id"]: r for r in store}
    for tid, info in log.items():
        if info is None:
            assert tid not in ids, f"deleted or refused {tid} is still there"
        else:
            assert ids[tid] == info
    assert len(ids) == len(store) == 2_000 + sum(1 for v in log.values() if v is not None)
    _check_indexes_like_a_fresh_store(store)


def test_two_threads_creating_lose_nothing():
    store = JobTaskStore()
    store.list({"domain_id": "d", "status": "PENDING"})  # the status index exists before the writes
    errors: list[BaseException] = []

    def create(offset: int) -> None:
        try:
            for i in range(1_500):
                tid = f"job-task-{offset + i:08d}"
                info = store.create({"job_task_id": tid, "domain_id": "d", "status": STATUSES[i % 5], "created_at": "2023-01-01T00:00:00Z"})
                if info["job_task_id"] != tid:
                    raise AssertionError(f"create of {tid} answered with {info['job_task_id']}")
                if i % 100 == 0:
                    store.list({"domain_id": "d", "query": {"filter": [{"k": "created_at", "v": "2022-01-01T00:00:00Z", "o": "datetime_gt"}], "count_only": True}})
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(k * 100_000,)) for k in range(2)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # hand the GIL over as often as possible: interleave everything
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(store) == 3_000
    for status in STATUSES:
        assert store.list({"domain_id": "d", "status": status, "query": {"count_only": True}})["total_count"] == 600


def test_deleting_while_iterating_sees_a_consistent_view():
    store = JobTaskStore(make_job_tasks(3_000, seed=5, domain_id="d"))
    before = [r["job_task_id"] for r in store]
    seen = []
    for info in store:
        seen.append(info)
        if len(seen) % 3 == 0:
            store.delete(before[-len(seen)], "d")
    assert [r["job_task_id"] for r in seen] == before
    assert all(type(v) is not object and repr(v) != "MISSING" for r in seen for v in r.values())
    assert len(store) == 2_000


def test_exclusive_blocks_keep_other_writers_out():
    store = JobTaskStore([{"job_task_id": "job-task-1", "domain_id": "d", "created_count": 0}])
    stop = threading.Event()

    def bump() -> None:
        while not stop.is_set():
            with store.exclusive():
                n = store.get("job-task-1", "d")["created_count"]
                store.update("job-task-1", "d", {"created_count": n + 1})

    threads = [threading.Thread(target=bump) for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(1.0)
    stop.set()
    for t in threads:
        t.join(30)
    with store.exclusive():
        n = store.get("job-task-1", "d")["created_count"]
    assert n > 0
    # no lost update: every increment is counted (each read-modify-write was whole)
    assert store.list({"domain_id": "d", "query": {"filter": [{"k": "created_count", "v": n, "o": "eq"}], "count_only": True}})["total_count"] == 1


def test_a_reader_cannot_upgrade_to_a_write_inside_its_read():
    from jobtask_engine.rwlock import RWLock

    lock = RWLock()
    with lock.reading():
        with lock.reading():  # re-entrant reads are fine
            pass
        with pytest.raises(RuntimeError):
            with lock.writing():
                pass
    with lock.writing():
        with lock.reading(), lock.writing():  # the writer may read and write again
            pass
