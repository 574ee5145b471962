"""Key codes laid out in day runs, their run-by-run counts, and the groups' leading rows.

Every structure is checked against the plain way of computing the same thing: ``day_runs``
against ``day_number`` per row, the run-laid codes against the tuple-hashing build, and the
group answers (counts, max, min, sum) against the general path (``partition``), on fixed
and random data, before and after creates, updates and deletes.
"""

from __future__ import annotations

import random
from array import array
from itertools import compress

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import jobtask_engine.stat.group as stat_group
from jobtask_engine import JobTaskStore
from jobtask_engine.columns import MISSING_MS, NULL_MS
from jobtask_engine.schema import MISSING
from jobtask_engine.stat import day_runs as day_runs_mod
from jobtask_engine.stat import fast, leaders as leaders_mod
from jobtask_engine.stat.day_runs import day_runs
from jobtask_engine.stat.leaders import Leaders
from jobtask_engine.timeutil import MS_PER_DAY

DAY = MS_PER_DAY
T0 = 1_704_067_200_000  # 2024-01-01T00:00:00Z


def _expected_days(raw: array) -> list:
    return [None if x == NULL_MS else MISSING if x == MISSING_MS else x // DAY for x in raw]


def _expanded(runs: list, n: int) -> list:
    out: list = []
    at = 0
    for a, b, day in runs:
        assert a == at and b > a
        out += day if type(day) is list else [day] * (b - a)
        at = b
    assert at == n
    return out


# -- day runs ---------------------------------------------------------------------------------

def test_day_runs_of_rows_in_time_order_are_one_run_a_day():
    raw = array("q", [T0 + i * 3_600_000 for i in range(24 * 5)])  # an hour apart, five days
    runs = day_runs(raw)
    assert [(a, b, d) for a, b, d in runs] == [(24 * i, 24 * (i + 1), T0 // DAY + i) for i in range(5)]


def test_day_runs_null_missing_and_steps_back():
    raw = array("q", [T0, T0 + 1, NULL_MS, T0 + 2, MISSING_MS, MISSING_MS, T0 - DAY, T0 + 5 * DAY, T0])
    assert _expanded(day_runs(raw), len(raw)) == _expected_days(raw)


def test_day_runs_shuffled_rows_are_read_row_by_row(monkeypatch):
    monkeypatch.setattr(day_runs_mod, "DAY_RUN_STRETCH", 16)
    rnd = random.Random(3)
    raw = array("q", [T0 + rnd.randrange(40) * DAY + rnd.randrange(DAY) for _ in range(500)])
    raw[17] = NULL_MS
    raw[300] = MISSING_MS
    runs = day_runs(raw)
    assert any(type(d) is list for _, _, d in runs)
    assert _expanded(runs, len(raw)) == _expected_days(raw)


_instants = st.one_of(
    st.integers(T0 - 3 * DAY, T0 + 3 * DAY),
    st.integers(-(2**62), 2**62),
    st.sampled_from([NULL_MS, MISSING_MS, T0, T0 + DAY - 1, T0 + DAY]),
)


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.tuples(st.lists(_instants, max_size=60), st.booleans()), max_size=6),
       stretch=st.sampled_from([1, 3, 64, 4096]), lanes=st.sampled_from([3, 10, 256]))
def test_day_runs_equal_day_numbers_on_random_columns(parts, stretch, lanes):
    """Sorted and unsorted stretches, sentinels, far instants: the runs give every row's day
    (long runs checked through the byte views, short ones with min/max)."""
    values = []
    for part, ordered in parts:
        values += sorted(part) if ordered else part
    raw = array("q", values)
    old = day_runs_mod.DAY_RUN_STRETCH, day_runs_mod.DAY_RUN_LANES
    day_runs_mod.DAY_RUN_STRETCH, day_runs_mod.DAY_RUN_LANES = stretch, lanes
    try:
        assert _expanded(day_runs(raw), len(raw)) == _expected_days(raw)
    finally:
        day_runs_mod.DAY_RUN_STRETCH, day_runs_mod.DAY_RUN_LANES = old


@pytest.mark.parametrize("where", [0, 1, 150, 298, 299])
@pytest.mark.parametrize("by", [-1, DAY, 2**32, -(2**32), 2**24, -(2**24), 2**40])
def test_day_runs_lanes_catch_a_row_out_of_its_day(where, by):
    """A long run in time order with one row moved (an hour, a day, a high word, a byte-3
    step away): the row gets its own day whatever the byte views say."""
    start = T0 + 3 * DAY
    raw = array("q", [start + i * (DAY // 300) for i in range(300)])  # one day, 300 rows
    raw[where] += by
    assert _expanded(day_runs(raw), len(raw)) == _expected_days(raw)


@pytest.mark.parametrize("where", [2, 4, 5, 9, 290, 294, 296, 297])
@pytest.mark.parametrize("to", [-1000, DAY + 1000])
def test_day_runs_lanes_catch_a_neighbour_day_in_the_end_buckets(where, to):
    """A row a second into the day before (after), among the run's first (last) rows, where
    byte 3 alone cannot tell it from the day's own first (last) hours."""
    start = T0 + 3 * DAY
    raw = array("q", [start + i * (DAY // 300) for i in range(300)])
    raw[where] = start + to
    assert _expanded(day_runs(raw), len(raw)) == _expected_days(raw)


# -- run-laid codes against the hashing build -------------------------------------------------

PLANS = [
    (("created_at", "day"), ("provider", "plain")),
    (("provider", "plain"), ("created_at", "day")),
    (("created_at", "day"),),
    (("started_at", "day"), ("job_id", "plain")),
]


def _records(n: int, seed: int, ordered: bool = True, days: int = 30) -> list[dict]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        t = T0 + (i * days * DAY // n if ordered else rnd.randrange(days * DAY))
        rec = {
            "job_task_id": f"k-{i:05d}",
            "domain_id": rnd.choice(["da", "da", "db"]),
            "status": rnd.choice(["SUCCESS", "FAILURE"]),
            "provider": rnd.choice(["aws", "google", "azure", None]),
            "updated_count": rnd.randrange(50),
            "created_count": rnd.randrange(5),
            "created_at": _iso(t),
        }
        if rnd.random() < 0.5:
            rec["started_at"] = _iso(t + rnd.randrange(DAY))
        if rnd.random() < 0.7:
            rec["job_id"] = rnd.choice(["job-1", "job-2", "job-3"])
        out.append(rec)
    return out


def _iso(ms: int) -> str:
    from jobtask_engine.timeutil import ms_to_iso

    return ms_to_iso(ms)


def _same_partition(table, plan) -> None:
    new = fast._build_by_runs(table, plan)
    assert new is not None and new.runs is not None
    real = fast._build_by_runs
    try:
        fast._build_by_runs = lambda *a: None
        old = fast._build_codes(table, plan)
    finally:
        fast._build_by_runs = real
    assert [new.uniq[c] for c in new.codes] == [old.uniq[c] for c in old.codes]
    assert all(new.code_of[k] == c for c, k in enumerate(new.uniq))


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("ordered", [True, False])
def test_run_codes_equal_the_hashing_build(plan, ordered):
    s = JobTaskStore(_records(400, 5, ordered))
    t = s._table
    t.columns["created_at"][7] = MISSING
    t.columns["created_at"][8] = None
    t.columns["provider"][9] = MISSING
    t._changed()
    s.delete("k-00011", "da" if t.columns["domain_id"][11] == "da" else "db")
    _same_partition(t, plan)


def test_run_codes_decline_other_shapes_and_booleans():
    s = JobTaskStore(_records(50, 1))
    t = s._table
    assert fast._build_by_runs(t, (("created_at", "day"), ("created_count", "plain"))) is None
    assert fast._build_by_runs(t, (("created_at", "day"), ("started_at", "day"))) is None
    assert fast._build_by_runs(t, (("provider", "plain"), ("job_id", "plain"))) is None
    assert fast._build_by_runs(t, (("created_at", "day"), ("provider", "plain"), ("job_id", "plain"))) is None
    t.columns["provider"][3] = True  # not storable through the API: a boolean keeps apart from 1
    t._changed()
    assert fast._build_by_runs(t, PLANS[0]) is None
    got = fast._build_codes(t, PLANS[0])
    assert got.codes is None


def test_many_days_fall_back_to_hashing(monkeypatch):
    monkeypatch.setattr(fast, "KEY_SPACE_FLOOR", 0)
    s = JobTaskStore(_records(200, 2, ordered=False, days=400))
    assert fast._build_by_runs(s._table, PLANS[0]) is None  # 400 days x 6 codes > 200 / 8
    _both(s, _query(DAY_PROVIDER), calls=2)


# -- the group answers against the general path ------------------------------------------------

DAY_PROVIDER = [{"key": "created_at", "name": "date", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "p"}]
FIELDS = [
    {"name": "n", "operator": "count"},
    {"key": "updated_count", "name": "hi", "operator": "max"},
    {"key": "updated_count", "name": "lo", "operator": "min"},
    {"key": "created_count", "name": "c", "operator": "sum"},
]


def _query(keys: list, fields: list = FIELDS, status: str | None = None) -> dict:
    q: dict = {"aggregate": [{"group": {"keys": keys, "fields": fields}}]}
    if status:
        q["filter"] = [{"k": "status", "v": status, "o": "eq"}]
    return q


def _both(store: JobTaskStore, query: dict, domain: str = "da", calls: int = 3) -> list:
    """The key-codes answer (asked ``calls`` times: leaders are made at the second), which
    must equal the general path's."""
    params = {"domain_id": domain, "query": query}
    answers = [store.stat(params)["results"] for _ in range(calls)]
    real = stat_group.compact_group
    try:
        stat_group.compact_group = lambda *a: None
        general = store.stat(params)["results"]
    finally:
        stat_group.compact_group = real
    assert all(a == general for a in answers)
    return general


def _layout(store: JobTaskStore, plan=PLANS[0]):
    return fast._KEY_CODES[store._table][plan]


@pytest.mark.parametrize("keys", [DAY_PROVIDER, DAY_PROVIDER[::-1], DAY_PROVIDER[:1],
                                  [{"key": "created_at", "name": "m", "date_format": "%Y-%m"},
                                   {"key": "provider", "name": "p"}]])
@pytest.mark.parametrize("status", [None, "FAILURE"])
def test_group_answers_equal_the_general_path(keys, status):
    s = JobTaskStore(_records(600, 11))
    _both(s, _query(keys, status=status))
    _both(s, _query(keys, status=status), domain="db")


def test_counts_and_leaders_follow_writes(monkeypatch):
    s = JobTaskStore(_records(800, 4))
    query = _query(DAY_PROVIDER)
    _both(s, query)
    got = _layout(s)
    assert got.runs is not None and got.leaders[("updated_count", "max")] is not None
    loops = []
    real = fast._reduce_ints
    monkeypatch.setattr(fast, "_reduce_ints", lambda op, *a: loops.append(op) or real(op, *a))
    _both(s, query, calls=1)
    assert loops == ["sum"]  # max and min read off the leaders, counts off the runs
    ids = [f"k-{i:05d}" for i in range(800)]
    dom = {r["job_task_id"]: r["domain_id"] for r in s}
    rnd = random.Random(9)
    for step in range(40):
        i = rnd.choice(ids)
        if i not in dom:
            continue
        what = step % 5
        if what == 0:
            s.update(i, dom[i], {"updated_count": 10_000 + step})  # a new leader
        elif what == 1:
            s.update(i, dom[i], {"updated_count": 0})
        elif what == 2:
            s.update(i, dom[i], {"provider": rnd.choice(["aws", None, "azure"])})
        elif what == 3:
            s.delete(i, dom.pop(i))
        else:
            new = f"n-{step}"
            s.create({"job_task_id": new, "domain_id": "da", "status": "SUCCESS", "provider": "aws",
                      "updated_count": rnd.randrange(60), "created_at": _iso(T0 + rnd.randrange(40) * DAY)})
            dom[new] = "da"
        _both(s, query, calls=1)
        _both(s, query, domain="db", calls=1)
    assert _layout(s) is got  # caught up all along, never rebuilt
    assert got.runs is not None  # created_at never changed: the runs still hold


def test_a_deleted_leader_and_an_update_caught_up_together():
    s = JobTaskStore(_records(400, 8))
    query = _query(DAY_PROVIDER)
    _both(s, query)
    got = _layout(s)
    lead = got.leaders[("updated_count", "max")]
    c = max(range(len(lead.lists)), key=lambda c: len(lead.lists[c]))
    top, other = lead.lists[c][0], lead.lists[c][-1]
    dom = s._table.columns["domain_id"]
    s.update(f"k-{other:05d}", dom[other], {"updated_count": 99})  # (caught up first:
    s.delete(f"k-{top:05d}", dom[top])  # its list must not still name the deleted row)
    _both(s, query, calls=1)
    assert _layout(s) is got


def test_a_new_string_on_the_last_day_drops_the_runs():
    """One day: the new string's pair gets code 1 x width, which is also what the layout
    would read for it (base 0 + its new value code): the value code past the width tells."""
    s = JobTaskStore(_records(100, 12, days=1))
    query = _query(DAY_PROVIDER)
    _both(s, query)
    got = _layout(s)
    assert got.runs is not None and len(got.uniq) == got.runs.width
    s.update("k-00003", s._table.columns["domain_id"][3], {"provider": "gcp"})
    _both(s, query, calls=1)
    _both(s, query, domain="db", calls=1)
    assert got.runs is None


def test_a_new_string_or_a_changed_day_drops_the_runs():
    s = JobTaskStore(_records(300, 6))
    _both(s, _query(DAY_PROVIDER))
    got = _layout(s)
    s.update("k-00010", s._table.columns["domain_id"][10], {"provider": "brand-new"})
    _both(s, _query(DAY_PROVIDER), calls=1)
    assert _layout(s) is got and got.runs is None
    records = _records(300, 6)
    for rec in records:
        rec["started_at"] = rec["created_at"]  # in time order, every row: one run a day
    s = JobTaskStore(records)
    plan = (("started_at", "day"), ("provider", "plain"))
    keys = [{"key": "started_at", "name": "d", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "p"}]
    _both(s, _query(keys))
    got = _layout(s, plan)
    assert got.runs is not None and got.runs.base_of(10) is not None
    s.update("k-00010", s._table.columns["domain_id"][10], {"provider": "azure"})  # follows the layout
    _both(s, _query(keys), calls=1)
    assert got.runs is not None
    s.update("k-00010", s._table.columns["domain_id"][10], {"started_at": _iso(T0 + 90 * DAY)})
    _both(s, _query(keys), calls=1)
    assert _layout(s, plan) is got and got.runs is None


# -- leaders ------------------------------------------------------------------------------

def _brute(codes, vals, mask, op):
    best: dict = {}
    pick = max if op == "max" else min
    for c, v in zip(compress(codes, mask), compress(vals, mask)):
        best[c] = v if c not in best else pick(best[c], v)
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), kept=st.sampled_from([1, 2, 3, 32]), op=st.sampled_from(["max", "min"]),
       share=st.sampled_from([0.05, 0.5, 0.95]))
def test_leaders_give_the_selection_extremes_or_decline(seed, kept, op, share):
    """Random groups, values, selections and writes: an answer is always the brute force's."""
    rnd = random.Random(seed)
    n, groups = 300, 7
    codes = [rnd.randrange(groups) for _ in range(n)]
    vals = [rnd.randrange(-20, 20) for _ in range(n)]
    live = bytearray(1 for _ in range(n))
    old = leaders_mod.LEADERS_KEPT
    leaders_mod.LEADERS_KEPT = kept
    try:
        lead = Leaders(codes, vals, None, groups, op == "max")
        for _ in range(5):
            moves = []  # a batch of writes, caught up together as ``fast._catch_up`` does
            for _ in range(rnd.randrange(30)):
                r = rnd.randrange(n + 5)
                if r >= len(codes):  # a created row
                    r = len(codes)
                    codes.append(rnd.randrange(groups + 2))
                    vals.append(rnd.randrange(-30, 30))
                    live.append(1)
                    moves.append((r, None, codes[r]))
                elif live[r] and rnd.random() < 0.2:  # deleted
                    live[r] = 0
                    moves.append((r, codes[r], None))
                    vals[r] = MISSING
                elif live[r]:
                    was = codes[r]
                    codes[r] = rnd.randrange(groups + 2) if rnd.random() < 0.3 else was
                    vals[r] = rnd.randrange(-30, 30)
                    moves.append((r, was, codes[r]))
            seen = {}
            for r, old_code, new_code in moves:  # a row written twice: its first code, its last state
                seen.setdefault(r, old_code)
            for r, old_code in seen.items():
                lead.drop(r, old_code)
            for r in seen:
                lead.add(r, codes[r] if live[r] else None, vals)
            mask = bytearray(1 if live[r] and rnd.random() < share else 0 for r in range(len(codes)))
            want = _brute(codes, vals, mask, op)
            got = lead.extremes(list(want), mask, vals)
            assert got is None or got == want
        fresh = Leaders(codes, vals, live, groups + 2, op == "max")
        mask = bytearray(live)
        want = _brute(codes, vals, mask, op)
        assert fresh.extremes(list(want), mask, vals) == want  # every live row selected: a leader is
    finally:
        leaders_mod.LEADERS_KEPT = old


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 10_000), ordered=st.booleans(), days=st.sampled_from([1, 3, 40]),
       keys=st.sampled_from([DAY_PROVIDER, DAY_PROVIDER[:1], DAY_PROVIDER[::-1]]),
       status=st.sampled_from([None, "SUCCESS"]))
def test_key_codes_answer_equals_the_general_path(seed, ordered, days, keys, status):
    """Random records (in time order or not), nulls, writes between the calls."""
    rnd = random.Random(seed)
    s = JobTaskStore(_records(rnd.randrange(1, 250), seed, ordered, days))
    t = s._table
    for _ in range(rnd.randrange(3)):
        r = rnd.randrange(len(t.columns["created_at"]))
        t.columns["created_at"][r] = rnd.choice([None, MISSING])
    t._changed()
    query = _query(keys, status=status)
    _both(s, query, calls=2)
    rows = [r for r in s]
    for rec in rnd.sample(rows, min(len(rows), 5)):
        pick = rnd.randrange(3)
        if pick == 0:
            s.update(rec["job_task_id"], rec["domain_id"], {"updated_count": rnd.randrange(100)})
        elif pick == 1:
            s.update(rec["job_task_id"], rec["domain_id"], {"provider": rnd.choice(["aws", "gcp", None])})
        else:
            s.delete(rec["job_task_id"], rec["domain_id"])
    _both(s, query, calls=2)
    _both(s, query, domain="db", calls=2)
