"""Indexes kept current under writes answer exactly like indexes built from scratch.

Postings, dense vectors and sorted permutations are updated in place on
create/update/delete once they exist.  The property: after any sequence of
writes interleaved with queries (which build those indexes), a store answers
every query exactly like a new store loaded with the surviving records.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.thresholds import DENSE_FRACTION

DOMAINS = ["d1", "d2"]
STATUSES = ["PENDING", "SUCCESS", "FAILURE"]

QUERIES = [
    {"domain_id": "d1"},
    {"domain_id": "d1", "status": "FAILURE"},
    {"domain_id": "d2", "status": ["SUCCESS", "PENDING"], "query": {"page": {"limit": 3}}},
    {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 5, "o": "gte"}], "page": {"limit": 2}}},
    {"domain_id": "d1", "query": {"sort": [{"key": "updated_count", "desc": True}], "page": {"start": 2, "limit": 3}}},
    {"domain_id": "d2", "query": {"filter": [{"k": "provider", "v": None, "o": "eq"}]}},
    {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": "job-1", "o": "gt"}]}},
    {"domain_id": "d1", "query": {"filter": [{"k": "created_at", "v": "2022-01-05T00:00:00Z", "o": "datetime_lt"}]}},
    {"domain_id": "d2", "query": {"filter": [{"k": "job_task_id", "v": "1", "o": "contain"}]}},
    {"domain_id": "d1", "query": {"filter": [{"k": "provider", "v": "AZ", "o": "contain"}]}},
]


STAT_QUERIES = [
    {"domain_id": "d1", "query": {"aggregate": [{"group": {"keys": [{"key": "status", "name": "s"}],
                                                            "fields": [{"name": "n", "operator": "count"}]}},
                                                 {"sort": [{"key": "s"}]}]}},
    {"domain_id": "d2", "query": {"distinct": "status"}},
    {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 3, "o": "gte"}],
                                  "aggregate": [{"count": {"name": "n"}}]}},
    # group codes over the whole table, caught up row by row after writes
    {"domain_id": "d1", "query": {"aggregate": [
        {"group": {"keys": [{"key": "created_at", "name": "day", "date_format": "%Y-%m-%d"},
                            {"key": "provider", "name": "provider"}],
                   "fields": [{"name": "n", "operator": "count"},
                              {"key": "updated_count", "name": "top", "operator": "max"}]}},
        {"sort": [{"key": "day"}, {"key": "provider"}]}]}},
]


def record(i: int, domain: str, status: str, updated: int, day: int, provider) -> dict:
    rec = {
        "job_task_id": f"job-task-{i:012x}",
        "domain_id": domain,
        "status": status,
        "updated_count": updated,
        "job_id": f"job-{i % 3}",
        "created_at": f"2022-01-{day:02d}T00:00:00.000Z",
    }
    if provider is not None:
        rec["provider"] = provider
    return rec


records = st.builds(
    lambda i, d, s, u, day, p: record(i, d, s, u, day, p),
    st.integers(0, 40),
    st.sampled_from(DOMAINS),
    st.sampled_from(STATUSES),
    st.integers(0, 10),
    st.integers(1, 9),
    st.sampled_from([None, "aws", "azure"]),
)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), records),
        st.tuples(st.just("update"), st.integers(0, 40), st.sampled_from(STATUSES), st.integers(0, 10),
                  st.sampled_from([None, "aws", "azure"])),
        st.tuples(st.just("delete"), st.integers(0, 40)),
        st.tuples(st.just("query"), st.integers(0, len(QUERIES) - 1)),
    ),
    max_size=40,
)


def _ids(store: JobTaskStore) -> dict[str, str]:
    return {r["job_task_id"]: r["domain_id"] for r in store}


@settings(max_examples=150, deadline=None)
@given(st.lists(records, max_size=30), operations)
def test_maintained_indexes_answer_like_fresh_ones(initial, ops):
    store = JobTaskStore()
    seen = set()
    for rec in initial:
        if rec["job_task_id"] not in seen:
            seen.add(rec["job_task_id"])
            store.create(rec)
    for op in ops:
        ids = _ids(store)
        if op[0] == "create" and op[1]["job_task_id"] not in ids:
            store.create(op[1])
        elif op[0] == "update":
            tid = f"job-task-{op[1]:012x}"
            if tid in ids:
                store.update(tid, ids[tid], {"status": op[2], "updated_count": op[3], "provider": op[4]})
        elif op[0] == "delete":
            tid = f"job-task-{op[1]:012x}"
            if tid in ids:
                store.delete(tid, ids[tid])
        elif op[0] == "query":
            store.list(QUERIES[op[1]])
            store.stat(STAT_QUERIES[op[1] % len(STAT_QUERIES)])
    fresh = JobTaskStore(list(store))
    for query in QUERIES:
        assert store.list(query) == fresh.list(query), query
    for query in STAT_QUERIES:
        assert store.stat(query) == fresh.stat(query), query


def _count(store: JobTaskStore, status: str) -> int:
    return store.list({"domain_id": "d1", "status": status, "query": {"count_only": True}})["total_count"]


def test_dense_vectors_follow_creates_updates_and_deletes():
    n = DENSE_FRACTION * 4
    half = n // 2
    store = JobTaskStore(
        record(i, "d1", "SUCCESS" if i < half else "FAILURE", i % 7, 1 + i % 9, None) for i in range(n)
    )
    # Both values are frequent enough to get dense vectors on first use.
    assert (_count(store, "SUCCESS"), _count(store, "FAILURE")) == (half, half)
    store.update(f"job-task-{3:012x}", "d1", {"status": "FAILURE"})
    store.delete(f"job-task-{5:012x}", "d1")
    store.create(record(1000, "d1", "SUCCESS", 0, 1, None))
    assert (_count(store, "SUCCESS"), _count(store, "FAILURE")) == (half - 1, half + 1)


def test_default_order_walk_matches_full_sort():
    store = JobTaskStore(record(i, "d1", "SUCCESS", 0, 1 + i % 9, None) for i in range(200))
    walked = store.list({"domain_id": "d1", "query": {"page": {"limit": 10}, "only": ["job_task_id"]}})
    everything = store.list({"domain_id": "d1", "query": {"page": {"limit": 0}, "only": ["job_task_id"]}})
    assert walked["results"] == everything["results"][:10]
    days = [r["created_at"] for r in everything["results"]]
    assert days == sorted(days, reverse=True)
    # ties on created_at keep insertion order
    first_day = [r["job_task_id"] for r in everything["results"] if r["created_at"] == days[0]]
    assert first_day == sorted(first_day)


def test_sorted_index_side_entries_merge_like_a_rebuild():
    """Writes below the rebuild threshold live in the side buffer; walks and ranges must merge it."""
    rows = [record(i, "d1" if i % 4 == 0 else "d2", "SUCCESS", i % 10, 1 + i % 9, None) for i in range(800)]
    store = JobTaskStore(rows)
    queries = [
        {"domain_id": "d1", "query": {"sort": [{"key": "updated_count", "desc": True}], "page": {"limit": 60}}},
        {"domain_id": "d1", "query": {"sort": [{"key": "updated_count"}], "page": {"limit": 60}}},
        {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 9, "o": "gte"}]}},
        {"domain_id": "d1", "query": {"filter": [{"k": "updated_count", "v": 1, "o": "lt"}]}},
        {"domain_id": "d1", "query": {"page": {"limit": 30}}},
    ]
    for q in queries:
        store.list(q)  # build the sorted indexes
    for i in (0, 8, 16, 24):
        store.update(f"job-task-{i:012x}", "d1", {"updated_count": 9 if i % 16 else 0})
    store.delete(f"job-task-{32:012x}", "d1")
    store.create(record(5000, "d1", "SUCCESS", 9, 1, None))
    assert 0 < len(store._table.sorted_index("updated_count").pending) < 20
    fresh = JobTaskStore(list(store))
    for q in queries:
        assert store.list(q) == fresh.list(q), q


def test_a_value_grown_frequent_is_promoted_to_a_vector_and_stays_exact():
    from jobtask_engine.storage import DensePosting

    n = DENSE_FRACTION * 8
    store = JobTaskStore(record(i, "d1", "SUCCESS", 0, 1, None) for i in range(n))
    assert _count(store, "FAILURE") == 0  # builds the status postings: SUCCESS is a vector
    postings = store._table.postings("status")
    assert type(postings.get("SUCCESS")) is DensePosting
    for i in range(20):
        store.update(f"job-task-{i:012x}", "d1", {"status": "FAILURE"})
    assert type(postings.get("FAILURE")) is not DensePosting  # grown by single writes: still a list
    assert _count(store, "FAILURE") == 20  # asked for densely: promoted
    assert type(postings.get("FAILURE")) is DensePosting
    store.create(record(n + 1, "d1", "FAILURE", 0, 1, None))
    store.delete(f"job-task-{0:012x}", "d1")
    for i in range(1, 20):
        store.update(f"job-task-{i:012x}", "d1", {"status": "SUCCESS"})
    assert _count(store, "FAILURE") == 1 and _count(store, "SUCCESS") == n - 1
    assert [r["job_task_id"] for r in store.list({"domain_id": "d1", "status": "FAILURE"})["results"]] == [
        f"job-task-{n + 1:012x}"
    ]
    fresh = JobTaskStore(list(store))
    for query in STAT_QUERIES:
        assert store.stat(query) == fresh.stat(query), query


def test_postings_built_after_deletes_leave_deleted_rows_out():
    rows = [record(i, "d1", STATUSES[i % 3], i % 5, 1 + i % 9, None) for i in range(300)]
    for i, rec in enumerate(rows):
        if i % 4:
            rec["secret_id"] = f"secret-{i % 2}"  # the rest have none stored (missing)
    store = JobTaskStore(rows)
    for i in range(0, 300, 7):
        store.delete(f"job-task-{i:012x}", "d1")
    queries = [  # first use of each field's postings comes after the deletes
        {"domain_id": "d1", "query": {"filter": [{"k": "secret_id", "v": None, "o": "eq"}], "count_only": True}},
        {"domain_id": "d1", "query": {"filter": [{"k": "secret_id", "v": ["secret-1", None], "o": "in"}]}},
        {"domain_id": "d1", "status": "FAILURE", "query": {"count_only": True}},
        {"domain_id": "d1", "query": {"distinct": "secret_id"}},
    ]
    fresh = JobTaskStore(list(store))
    for q in queries:
        method = store.stat if "distinct" in q["query"] else store.list
        assert method(q) == (fresh.stat if "distinct" in q["query"] else fresh.list)(q), q
    missing = sum(1 for i in range(300) if i % 7 and not i % 4)
    assert store.list(queries[0])["total_count"] == missing


def test_contain_text_follows_updates_deletes_and_creates():
    rows = [{**record(i, "d1", "SUCCESS", 0, 1, "aws"), "job_id": f"job-{i}"} for i in range(50)]
    store = JobTaskStore(rows)
    by_provider = {"domain_id": "d1", "query": {"filter": [{"k": "provider", "v": "AZ", "o": "contain"}]}}
    by_id = {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": "B-1", "o": "contain"}]}}
    assert store.list(by_provider)["total_count"] == 0 and store.list(by_id)["total_count"] == 11
    store.update(f"job-task-{1:012x}", "d1", {"provider": "azure"})  # an updatable field: the text is rebuilt
    store.delete(f"job-task-{10:012x}", "d1")  # job_id is not updatable: its text is kept, the row skipped
    assert store.list(by_provider)["total_count"] == 1 and store.list(by_id)["total_count"] == 10
    store.create({**record(100, "d1", "SUCCESS", 0, 1, "azure"), "job_id": "job-1000"})
    fresh = JobTaskStore(list(store))
    for q in (by_provider, by_id):
        assert store.list(q) == fresh.list(q), q
    assert store.list(by_provider)["total_count"] == 2 and store.list(by_id)["total_count"] == 11


def test_group_codes_catch_up_with_a_few_writes():
    from jobtask_engine.stat import fast

    store = JobTaskStore(record(i, "d1" if i % 2 else "d2", "SUCCESS", i % 7, 1 + i % 9, ["aws", "azure", None][i % 3])
                         for i in range(600))
    query = STAT_QUERIES[-1]
    before = store.stat(query)
    (codes,) = fast._KEY_CODES[store._table].values()
    store.update(f"job-task-{1:012x}", "d1", {"provider": "gcp", "updated_count": 99})
    store.update(f"job-task-{3:012x}", "d1", {"provider": None})
    store.delete(f"job-task-{5:012x}", "d1")
    store.create(record(1000, "d1", "SUCCESS", 1, 9, "gcp"))
    after = store.stat(query)
    assert fast._KEY_CODES[store._table][next(iter(fast._KEY_CODES[store._table]))] is codes  # caught up, not rebuilt
    assert after != before and after == JobTaskStore(list(store)).stat(query)


def test_rows_written_since_reaches_back_a_bounded_way():
    from jobtask_engine.thresholds import WRITE_LOG_SIZE

    store = JobTaskStore(record(i, "d1", "SUCCESS", 0, 1, None) for i in range(10))
    t = store._table
    start = t.version
    store.update(f"job-task-{2:012x}", "d1", {"updated_count": 1})
    store.delete(f"job-task-{4:012x}", "d1")
    store.create(record(50, "d1", "SUCCESS", 0, 1, None))
    assert t.rows_written_since(start) == [2, 4, 10]
    assert t.rows_written_since(t.version) == []
    assert t.rows_written_since(t.version + 1) is None
    for _ in range(WRITE_LOG_SIZE + 1):
        store.update(f"job-task-{2:012x}", "d1", {"updated_count": t.version})
    assert t.rows_written_since(start) is None  # forgotten: a cache built then must rebuild
    t._changed()  # rows unknown
    assert t.rows_written_since(t.version - 1) is None
