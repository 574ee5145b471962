"""The columnar fast paths give the same answers as the general ones.

When the request matches every live row (one domain), the group-by on an indexed field reads the
table's postings, distinct reads the index, match tests whole columns against the filter's 0/1
selection, and sort orders raw column values.  Each answer here is also computed through the
general path (by first putting the rows in another order or behind a stage that materialises them)
and with explicit expected values.
"""

from __future__ import annotations

import pytest

from jobtask_engine.thresholds import KEPT_KEY_PLANS
from jobtask_engine import JobTaskStore
from jobtask_engine.testing.stat_strategies import sample_records


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many([r for r in sample_records() if r["domain_id"] == "d1"])
    return s


def stat(store: JobTaskStore, query: dict) -> list:
    return store.stat({"domain_id": "d1", "query": query})["results"]


GROUP = {"group": {"keys": [{"key": "provider", "name": "p"}], "fields": [
    {"name": "n", "operator": "count"},
    {"key": "updated_count", "name": "u", "operator": "sum"},
    {"key": "updated_count", "name": "a", "operator": "average"},
    {"key": "job_task_id", "name": "ids", "operator": "push"},
    {"key": "created_at", "name": "last", "operator": "max"},
]}}
#: A stage that keeps every row but hands the group a materialised, re-read frame.
DETOUR = {"match": {"filter": [{"k": "job_task_id", "v": "jt", "o": "contain"}]}}


def test_group_on_postings(store):
    expected = [
        {"p": None, "n": 1, "u": 3, "a": 3.0, "ids": ["jt-2"], "last": "2022-03-05T01:00:00.000Z"},
        {"p": "aws", "n": 2, "u": 6, "a": 3.0, "ids": ["jt-1", "jt-4"], "last": "2022-01-01T11:00:02.588Z"},
        {"p": "google", "n": 1, "u": 0, "a": 0.0, "ids": ["jt-3"], "last": "2023-06-01T23:59:59.999Z"},
    ]
    assert stat(store, {"aggregate": [GROUP]}) == expected
    assert stat(store, {"aggregate": [DETOUR, GROUP]}) == expected


def test_group_on_postings_cut_to_a_filter(store):
    query = {"aggregate": [GROUP], "filter": [{"k": "status", "v": "SUCCESS", "o": "eq"}]}
    assert [(r["p"], r["ids"]) for r in stat(store, query)] == [("aws", ["jt-1"]), ("google", ["jt-3"])]


def test_distinct_from_the_index(store):
    assert stat(store, {"distinct": "provider"}) == [None, "aws", "google"]
    assert stat(store, {"distinct": "job_id"}) == ["job-a", "job-b"]
    assert stat(store, {"distinct": "status", "filter": [{"k": "provider", "v": "aws", "o": "eq"}]}) == [
        "PENDING", "SUCCESS"]


@pytest.mark.parametrize(
    "cond, expected",
    [
        ({"k": "status", "v": "SUCCESS", "o": "eq"}, ["jt-1", "jt-3"]),
        ({"k": "status", "v": "SUCCESS", "o": "not"}, ["jt-2", "jt-4"]),
        ({"k": "updated_count", "v": 5.0, "o": "eq"}, ["jt-1"]),
        ({"k": "updated_count", "v": "5", "o": "eq"}, []),
        ({"k": "job_id", "v": [None, "job-b"], "o": "in"}, ["jt-2", "jt-3"]),
        ({"k": "provider", "v": [None], "o": "not_in"}, ["jt-1", "jt-3", "jt-4"]),
        ({"k": "workspace_id", "v": "w1", "o": "not"}, ["jt-2", "jt-3"]),
    ],
)
def test_match_on_the_selection(store, cond, expected):
    ids = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}
    assert [r["id"] for r in stat(store, {"aggregate": [{"match": {"filter": [cond]}}, ids]})] == expected
    detoured = stat(store, {"aggregate": [DETOUR, {"match": {"filter": [cond]}}, ids]})
    assert [r["id"] for r in detoured] == expected


def test_sort_on_raw_values_and_a_later_limit(store):
    ids = {"project": {"fields": [{"key": "job_task_id", "name": "id"}], "exclude_keys": True}}
    assert [r["id"] for r in stat(store, {"aggregate": [{"sort": [{"key": "updated_count", "desc": True}]}, {"limit": 2}, ids]})] == [
        "jt-1", "jt-2"]
    assert [r["id"] for r in stat(store, {"aggregate": [{"sort": [{"key": "created_at"}]}, {"skip": 1}, {"limit": 2}, ids]})] == [
        "jt-4", "jt-2"]
    paged = store.stat({"domain_id": "d1", "query": {"aggregate": [{"sort": [{"key": "job_task_id", "desc": True}]}],
                                                   "page": {"start": 2, "limit": 2}}})
    assert [r["job_task_id"] for r in paged["results"]] == ["jt-3", "jt-2"] and paged["total_count"] == 4


# -- specialised group plans (stat/fast.py) against the general path -------------------------

import random  # noqa: E402

import jobtask_engine.stat.group as stat_group  # noqa: E402
from jobtask_engine.schema import MISSING  # noqa: E402


def _varied_records(n: int = 120, seed: int = 7) -> list[dict]:
    """Few days and providers (so counts tie), null providers, missing job ids, empty and odd errors."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        rec: dict = {
            "job_task_id": f"v-{i:03d}",
            "domain_id": "dv",
            "status": rnd.choice(["SUCCESS", "FAILURE", "FAILURE", "PENDING"]),
            "provider": rnd.choice(["aws", "google", None]),
            "updated_count": rnd.choice([0, 1, 2, 5, 9, 40]),
            "created_count": rnd.randrange(4),
            "created_at": f"2022-0{rnd.randrange(1, 4)}-0{rnd.randrange(1, 4)}T{rnd.randrange(24):02d}:00:00Z",
        }
        if rnd.random() < 0.3:
            rec["started_at"] = f"2022-02-0{rnd.randrange(1, 3)}T10:00:00Z"
        if rnd.random() < 0.6:
            rec["job_id"] = rnd.choice(["job-a", "job-b"])
        k = rnd.choice([0, 0, 1, 2, 3])
        rec["errors"] = [
            {k2: v for k2, v in (("error_code", rnd.choice(["E1", "E2", None])), ("message", rnd.choice(["m", "n"])))
             if v is not None}
            for _ in range(k)
        ]
        out.append(rec)
    return out


@pytest.fixture()
def varied() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many(_varied_records())
    table = s._table
    # Values the API cannot store, injected: a missing date, a missing provider, a null error code.
    table.columns["created_at"][3] = MISSING
    table.columns["created_at"][4] = None
    table.columns["provider"][5] = MISSING
    errs = table.columns["errors"]
    r = next(i for i, e in enumerate(errs) if e)
    errs[r] = [{"error_code": None, "message": "z"}] + list(errs[r])
    table._changed()
    return s


def _both(store: JobTaskStore, query: dict, monkeypatch) -> tuple[list, list]:
    """(answer with the specialised plans, answer with the general path); the plan must have fired."""
    params = {"domain_id": "dv", "query": query}
    fired = []
    with monkeypatch.context() as m:
        for module, name in ((stat_group, "compact_group"), (stat_group, "unwind_errors_group")):
            real = getattr(module, name)
            m.setattr(module, name, lambda *a, _real=real: fired.append(_real(*a)) or fired[-1])
        fast = store.stat(params)["results"]
    assert any(docs is not None for docs in fired)
    with monkeypatch.context() as m:
        m.setattr(stat_group, "compact_group", lambda *a: None)
        m.setattr(stat_group, "unwind_errors_group", lambda *a: None)
        general = store.stat(params)["results"]
    return fast, general


DAY_KEYS = [
    [{"key": "created_at", "name": "date", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "provider"}],
    [{"key": "created_at", "name": "month", "date_format": "%Y-%m"}],  # days formatting alike merge
    [{"key": "started_at", "name": "date", "date_format": "%Y-%m-%d"}, {"key": "job_id", "name": "job"}],
    [{"key": "created_at", "name": "y", "date_format": "%Y"}, {"key": "job_id", "name": "job"},
     {"key": "created_count", "name": "cc"}],
    [{"key": "provider", "name": "provider"}, {"key": "job_id", "name": "job"}],
    [{"key": "created_at", "name": "yr", "date_format": "year"}, {"key": "provider", "name": "p"}],
    [{"key": "created_at", "name": "d", "date_format": "day"}],
]
FIELDS = [
    {"name": "count", "operator": "count"},
    {"key": "updated_count", "name": "max_u", "operator": "max"},
    {"key": "updated_count", "name": "min_u", "operator": "min"},
    {"key": "updated_count", "name": "sum_u", "operator": "sum"},
    {"key": "updated_count", "name": "avg_u", "operator": "average"},
    {"key": "created_count", "name": "max_c", "operator": "max"},
]


@pytest.mark.parametrize("keys", DAY_KEYS)
@pytest.mark.parametrize("filtered", [False, True])
def test_compact_group_matches_the_general_path(varied, monkeypatch, keys, filtered):
    group = {"group": {"keys": keys, "fields": FIELDS}}
    query: dict = {"aggregate": [group, {"sort": [{"key": "count", "desc": True}]}]}
    if filtered:
        query["filter"] = [{"k": "status", "v": "FAILURE", "o": "eq"}]
    fast, general = _both(varied, query, monkeypatch)
    assert fast == general
    assert len(fast) > 1


def test_compact_group_after_a_sort_and_limit(varied, monkeypatch):
    query = {"aggregate": [
        {"sort": [{"key": "updated_count", "desc": True}]}, {"limit": 50},
        {"group": {"keys": DAY_KEYS[0], "fields": FIELDS}},
        {"sort": [{"key": "count", "desc": True}, {"key": "date", "desc": True}, {"key": "provider"}]},
        {"limit": 7},
    ]}
    fast, general = _both(varied, query, monkeypatch)
    assert fast == general


def test_compact_group_keys_null_and_missing():
    s = JobTaskStore()
    s.insert_many([
        {"job_task_id": "a", "domain_id": "dv", "status": "SUCCESS", "provider": "aws", "updated_count": 4,
         "created_at": "2022-01-01T10:00:00Z"},
        {"job_task_id": "b", "domain_id": "dv", "status": "SUCCESS", "provider": None, "updated_count": 7,
         "created_at": "2022-01-01T23:00:00Z"},
        {"job_task_id": "c", "domain_id": "dv", "status": "SUCCESS", "provider": "aws", "updated_count": 9,
         "created_at": "2022-01-02T00:00:00Z"},
    ])
    s._table.columns["provider"][2] = MISSING
    s._table._changed()
    keys = [{"key": "created_at", "name": "date", "date_format": "%Y-%m"}, {"key": "provider", "name": "p"}]
    out = s.stat({"domain_id": "dv", "query": {"aggregate": [{"group": {"keys": keys, "fields": FIELDS[:2]}}]}})
    assert out["results"] == [
        {"date": "2022-01", "count": 1, "max_u": 9},
        {"date": "2022-01", "p": None, "count": 1, "max_u": 7},
        {"date": "2022-01", "p": "aws", "count": 1, "max_u": 4},
    ]


@pytest.mark.parametrize("keys", [
    [{"key": "errors.error_code", "name": "error_code"}],
    [{"key": "errors.message", "name": "m"}, {"key": "errors.error_code", "name": "c"}],
])
@pytest.mark.parametrize("status", [None, "FAILURE", "PENDING"])
def test_unwind_errors_group_matches_the_general_path(varied, monkeypatch, keys, status):
    query: dict = {"aggregate": [
        {"unwind": {"path": "errors"}},
        {"group": {"keys": keys, "fields": [{"name": "count", "operator": "count"}, {"name": "n2", "operator": "count"}]}},
        {"sort": [{"key": "count", "desc": True}]},
    ]}
    if status:
        query["filter"] = [{"k": "status", "v": status, "o": "eq"}]
    fast, general = _both(varied, query, monkeypatch)
    assert fast == general
    assert len(fast) > 1


def test_unwind_errors_group_null_missing_and_empty():
    s = JobTaskStore()
    s.insert_many([
        {"job_task_id": "a", "domain_id": "dv", "status": "FAILURE", "errors": [
            {"error_code": "E1", "message": "x"}, {"message": "no code"}]},
        {"job_task_id": "b", "domain_id": "dv", "status": "FAILURE", "errors": []},
        {"job_task_id": "c", "domain_id": "dv", "status": "FAILURE", "errors": [{"error_code": "E1", "message": "y"}]},
        {"job_task_id": "d", "domain_id": "dv", "status": "SUCCESS"},
    ])
    s._table.columns["errors"][1] = [{"error_code": None, "message": "null code"}]
    s._table._changed()
    query = {"aggregate": [{"unwind": {"path": "errors"}},
                           {"group": {"keys": [{"key": "errors.error_code", "name": "c"}],
                                      "fields": [{"name": "n", "operator": "count"}]}}]}
    assert s.stat({"domain_id": "dv", "query": query})["results"] == [
        {"n": 1}, {"c": None, "n": 1}, {"c": "E1", "n": 2}]
    query["filter"] = [{"k": "status", "v": "SUCCESS", "o": "eq"}]
    assert s.stat({"domain_id": "dv", "query": query})["results"] == []


def test_compact_group_codes_follow_writes(varied, monkeypatch):
    """The per-table key codes are rebuilt after a write; only a few key plans are kept."""
    from jobtask_engine.stat import fast

    query = {"aggregate": [{"group": {"keys": DAY_KEYS[0], "fields": FIELDS}}]}
    before, _ = _both(varied, query, monkeypatch)
    varied.update("v-000", "dv", {"provider": "brand-new", "updated_count": 1000})
    varied.create({"job_task_id": "v-new", "domain_id": "dv", "status": "SUCCESS", "provider": "aws",
                   "updated_count": 77, "created_at": "2030-01-01T00:00:00Z"})
    varied.delete("v-001", "dv")
    after, general = _both(varied, query, monkeypatch)
    assert after == general and after != before
    assert {"date": "2030-01-01", "provider": "aws"} in [
        {k: r[k] for k in ("date", "provider")} for r in after if "provider" in r]
    for keys in DAY_KEYS:
        fast_, general_ = _both(varied, {"aggregate": [{"group": {"keys": keys, "fields": FIELDS}}]}, monkeypatch)
        assert fast_ == general_
    assert len(fast._KEY_CODES[varied._table]) <= KEPT_KEY_PLANS
