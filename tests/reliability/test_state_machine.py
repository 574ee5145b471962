"""The store against a plain-Python model, driven by hypothesis through every write and read.

The model is a dict of JobTaskInfo by id in insertion order; each rule does
the same thing to both and checks the answers agree: list pages (filters,
sorts, pages), stat counts and sums, iteration and ``get``.  Refused writes
must change neither.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from jobtask_engine import EngineError, JobTaskStore

STATUSES = ["PENDING", "IN_PROGRESS", "SUCCESS", "FAILURE", "CANCELED"]
DOMAINS = ["d1", "d2"]

records = st.fixed_dictionaries(
    {
        "domain_id": st.sampled_from(DOMAINS),
        "status": st.sampled_from(STATUSES),
        "created_count": st.integers(0, 5),
        "provider": st.sampled_from(["aws", "azure", None]),
        "created_at": st.sampled_from(["2023-01-01T00:00:00.000Z", "2023-06-01T12:00:00.000Z", "2024-01-01T00:00:00.000Z"]),
    }
)
bad_records = st.one_of(
    records.map(lambda r: {**r, "status": "NOPE"}),
    records.map(lambda r: {**r, "created_at": "0001-01-01T00:00:00+01:00"}),
    records.map(lambda r: {**r, "created_count": 2**64}),
)


class StoreModel(RuleBasedStateMachine):
    ids = Bundle("ids")

    def __init__(self) -> None:
        super().__init__()
        self.store = JobTaskStore()
        self.model: dict[str, dict] = {}
        self.n = 0

    def _new_id(self) -> str:
        self.n += 1
        return f"job-task-m{self.n:06d}"

    @rule(target=ids, record=records)
    def create(self, record):
        info = self.store.create({**record, "job_task_id": self._new_id()})
        self.model[info["job_task_id"]] = info
        return info["job_task_id"]

    @rule(batch=st.lists(records, min_size=1, max_size=5), bad=st.none() | bad_records)
    def insert_many(self, batch, bad):
        batch = [{**r, "job_task_id": self._new_id()} for r in batch]
        if bad is not None:
            batch.insert(len(batch) // 2, {**bad, "job_task_id": self._new_id()})
            try:
                self.store.insert_many(batch)
            except EngineError:
                return
            raise AssertionError("a batch with a bad record was accepted")
        assert self.store.insert_many(batch) == len(batch)
        for r in batch:
            self.model[r["job_task_id"]] = self.store.get(r["job_task_id"], r["domain_id"])

    @rule(tid=ids, status=st.sampled_from(STATUSES), count=st.integers(0, 5), bad=st.booleans())
    def update(self, tid, status, count, bad):
        if tid not in self.model:
            return
        domain = self.model[tid]["domain_id"]
        if bad:
            try:
                self.store.update(tid, domain, {"status": status, "started_at": "9999-12-31T23:59:59-01:00"})
            except EngineError:
                return
            raise AssertionError("an unrepresentable started_at was accepted")
        info = self.store.update(tid, domain, {"status": status, "created_count": count})
        assert info == {**self.model[tid], "status": status, "created_count": count}
        self.model[tid] = info

    @rule(tid=consumes(ids))
    def delete(self, tid):
        if tid not in self.model:
            return
        self.store.delete(tid, self.model[tid]["domain_id"])
        del self.model[tid]

    @rule(domain=st.sampled_from(DOMAINS), status=st.sampled_from(STATUSES), sort=st.sampled_from(["created_at", "created_count", "status"]),
          desc=st.booleans(), start=st.integers(1, 4), limit=st.integers(1, 5))
    def list(self, domain, status, sort, desc, start, limit):
        page = self.store.list({"domain_id": domain, "query": {
            "filter": [{"k": "status", "v": status, "o": "not"}],
            "sort": [{"key": sort, "desc": desc}], "page": {"start": start, "limit": limit}}})
        rows = [r for r in self.model.values() if r["domain_id"] == domain and r["status"] != status]
        # a stable sort by the key, ties in insertion order (as MongoDB without an index)
        rows = sorted(rows, key=lambda r: r[sort], reverse=False)
        if desc:
            rows = sorted(rows, key=lambda r: r[sort], reverse=True)
        assert page["total_count"] == len(rows)
        assert page["results"] == rows[start - 1 : start - 1 + limit]

    @rule(domain=st.sampled_from(DOMAINS))
    def stat(self, domain):
        answer = self.store.stat({"domain_id": domain, "query": {"aggregate": [
            {"group": {"keys": [{"key": "status", "name": "s"}],
                       "fields": [{"operator": "count", "name": "n"}, {"operator": "sum", "key": "created_count", "name": "c"}]}},
            {"sort": [{"key": "s"}]}]}})
        expected = {}
        for r in self.model.values():
            if r["domain_id"] == domain:
                n, c = expected.get(r["status"], (0, 0))
                expected[r["status"]] = (n + 1, c + r["created_count"])
        assert answer["results"] == [{"s": s, "n": n, "c": c} for s, (n, c) in sorted(expected.items())]

    @rule()
    def iterate(self):
        assert list(self.store) == list(self.model.values())

    @invariant()
    def same_size(self):
        assert len(self.store) == len(self.model)


TestStoreModel = StoreModel.TestCase
TestStoreModel.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
