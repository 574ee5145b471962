"""Scans answered from small kept structures give the general path's answers, under writes too.

- ``unwind errors`` + a count per ``errors.<sub>``: rows counted per shared stored list
  (``storage/object_codes.ObjectCodes`` through ``Table.object_counts``);
- ``distinct`` of a code column over one domain's rows: pair counts kept per domain
  (``storage/pair_counts.PairCounts`` through ``Table.codes_beside``).

Each answer is compared with the one the general path gives (the new path switched off).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jobtask_engine import JobTaskStore
from jobtask_engine.schema import MISSING
from jobtask_engine.selection import Selection
from jobtask_engine.stat import distinct as stat_distinct
from jobtask_engine.stat import group as stat_group

CODES = ["E1", "E2", "E3", "TIMEOUT"]
ERROR_LISTS = [
    [],
    [{"error_code": "E1", "message": "a"}],
    [{"error_code": "E2", "message": "b"}, {"error_code": "E1", "message": "c"}],
    [{"message": "no code"}],
    [{"error_code": "E3", "message": "a"}, {"message": "x"}, {"error_code": "E3", "message": "a"}],
    [{"error_code": "TIMEOUT", "message": "slow"}],
]
STATUSES = ["SUCCESS", "FAILURE", "PENDING"]


def _record(i: int, domain: str = "dv", errors: list | None = None, status: str | None = None, job: str | None = None) -> dict:
    rec = {
        "job_task_id": f"t-{i:05d}",
        "domain_id": domain,
        "status": status or STATUSES[i % 3],
        "errors": ERROR_LISTS[i % len(ERROR_LISTS)] if errors is None else errors,
    }
    if job is not False:
        rec["job_id"] = job if job is not None else f"job-{i % 7}"
    return rec


def _unwind_query(status: str | None, keys: list | None = None) -> dict:
    keys = keys or [{"key": "errors.error_code", "name": "code"}]
    query: dict = {"aggregate": [
        {"unwind": {"path": "errors"}},
        {"group": {"keys": keys, "fields": [{"name": "n", "operator": "count"}]}},
        {"sort": [{"key": "n", "desc": True}]},
    ]}
    if status:
        query["filter"] = [{"k": "status", "v": status, "o": "eq"}]
    return query


def _unwind_both(store: JobTaskStore, query: dict, monkeypatch, domain: str = "dv") -> tuple[list, list, bool]:
    """(answer, general answer, whether the per-list count served it)."""
    params = {"domain_id": domain, "query": query}
    fired = []
    with monkeypatch.context() as m:
        real = stat_group.unwind_errors_group
        m.setattr(stat_group, "unwind_errors_group", lambda *a: fired.append(real(*a)) or fired[-1])
        fast = store.stat(params)["results"]
    with monkeypatch.context() as m:
        m.setattr(stat_group, "unwind_errors_group", lambda *a: None)
        general = store.stat(params)["results"]
    return fast, general, any(d is not None for d in fired)


def _distinct_both(store: JobTaskStore, field: str, monkeypatch, domain: str = "dv", filt: list | None = None) -> tuple[list, list, bool]:
    query: dict = {"distinct": field}
    if filt:
        query["filter"] = filt
    params = {"domain_id": domain, "query": query}
    fired = []
    with monkeypatch.context() as m:
        real = stat_distinct._values_beside_key
        m.setattr(stat_distinct, "_values_beside_key", lambda *a: fired.append(real(*a)) or fired[-1])
        fast = store.stat(params)["results"]
    with monkeypatch.context() as m:
        m.setattr(stat_distinct, "_values_beside_key", lambda *a: None)
        general = store.stat(params)["results"]
    return fast, general, any(v is not None for v in fired)


# -- unwind errors, counted per stored list -------------------------------------------------

@pytest.fixture
def failing() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many([_record(i) for i in range(120)] + [_record(i, domain="other") for i in range(120, 150)])
    return s


@pytest.mark.parametrize("status", [None, "FAILURE", "PENDING"])
@pytest.mark.parametrize("keys", [
    [{"key": "errors.error_code", "name": "code"}],
    [{"key": "errors.message", "name": "m"}, {"key": "errors.error_code", "name": "code"}],
])
def test_unwind_counts_per_list_match_the_general_path(failing, monkeypatch, status, keys):
    fast, general, fired = _unwind_both(failing, _unwind_query(status, keys), monkeypatch)
    assert fired and fast == general and fast


def test_unwind_counts_follow_writes(failing, monkeypatch):
    query = _unwind_query("FAILURE")
    before, _, _ = _unwind_both(failing, query, monkeypatch)
    failing.update("t-00001", "dv", {"errors": [{"error_code": "NEW", "message": "n"}], "status": "FAILURE"})
    failing.update("t-00004", "dv", {"status": "FAILURE"})  # same list, now selected
    failing.delete("t-00007", "dv")
    failing.create(_record(900, errors=[{"error_code": "E1", "message": "fresh list"}], status="FAILURE"))
    after, general, fired = _unwind_both(failing, query, monkeypatch)
    assert fired and after == general and after != before
    assert {"code": "NEW", "n": 1} in after


def test_unwind_counts_null_missing_and_boolean_codes(failing, monkeypatch):
    table = failing._table
    errs = table.columns["errors"]
    rows = [r for r, e in enumerate(errs) if e][:3]
    errs[rows[0]] = [{"error_code": None, "message": "null"}]
    errs[rows[1]] = [{"message": "no code at all"}]
    table._changed()
    fast, general, fired = _unwind_both(failing, _unwind_query(None), monkeypatch)
    assert fired and fast == general
    # A boolean key groups apart from 1/0 in MongoDB: the general path answers.
    errs[rows[2]] = [{"error_code": True, "message": "t"}, {"error_code": 1, "message": "one"}]
    table._changed()
    fast, general, fired = _unwind_both(failing, _unwind_query(None), monkeypatch)
    assert not fired and fast == general


def test_unwind_counts_past_255_distinct_lists(monkeypatch):
    s = JobTaskStore()
    s.insert_many([_record(i, errors=[{"error_code": f"C{i % 300}", "message": str(i)}], status="FAILURE")
                   for i in range(600)])
    fast, general, fired = _unwind_both(s, _unwind_query("FAILURE"), monkeypatch)
    # 600 distinct lists (each message differs): every element read instead, same answer.
    assert fired and fast == general and len(fast) == 300
    assert s._table.object_counts("errors", s._table.all_rows()) is None
    # A smaller selection still fits the codes.
    query = _unwind_query(None)
    query["filter"] = [{"k": "job_task_id", "v": ["t-00001", "t-00002", "t-00301"], "o": "in"}]
    fast, general, fired = _unwind_both(s, query, monkeypatch)
    assert fired and fast == general


def test_object_counts_start_over_when_codes_run_out():
    s = JobTaskStore()
    s.insert_many([_record(i, errors=[{"error_code": f"C{i}", "message": "m"}]) for i in range(400)])
    table = s._table
    errs = table.columns["errors"]
    # Three batches of 200 distinct lists each: the codes start over between them.
    for start in (0, 200, 100):
        rows = list(range(start, start + 200))
        got = table.object_counts("errors", Selection(table.capacity, rows=rows))
        assert got == [(errs[r], 1) for r in rows]
        dense = Selection(table.capacity, rows=rows).mask()
        assert table.object_counts("errors", Selection(table.capacity, mask=bytes(dense))) == got
    assert table.object_counts("errors", table.all_rows()) is None  # 400 distinct lists at once


def test_object_counts_refuse_a_too_varied_request_once_per_version(monkeypatch):
    from jobtask_engine.storage import object_codes

    s = JobTaskStore()
    s.insert_many([_record(i, errors=[{"error_code": f"C{i}", "message": "m"}]) for i in range(300)])
    table = s._table
    coded: list = []
    real = object_codes.ObjectCodes._code
    monkeypatch.setattr(object_codes.ObjectCodes, "_code", lambda self, col, rows: coded.append(len(rows)) or real(self, col, rows))
    assert table.object_counts("errors", table.all_rows()) is None
    tries = len(coded)
    assert table.object_counts("errors", table.all_rows()) is None and len(coded) == tries  # not coded again
    assert table.object_counts("errors", list(range(10))) is not None  # fewer rows still served
    s.update("t-00000", "dv", {"status": "CANCELED"})
    assert table.object_counts("errors", table.all_rows()) is None and len(coded) > tries + 1  # tried again


def test_object_counts_of_rows_repeated_and_unordered(failing):
    table = failing._table
    errs = table.columns["errors"]
    rows = [5, 3, 5, 0, 11, 3, 5]
    got = table.object_counts("errors", rows)
    expected: dict = {}
    for r in rows:
        key = id(errs[r])
        expected[key] = (errs[r], expected.get(key, (None, 0))[1] + 1)
    assert [(id(o), n) for o, n in got] == [(k, n) for k, (_, n) in expected.items()]


OPS = st.lists(
    st.tuples(st.sampled_from(["create", "update", "delete", "status"]), st.integers(0, 10_000),
              st.integers(0, len(ERROR_LISTS) - 1), st.sampled_from(STATUSES)),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), ops=OPS, status=st.sampled_from([None, *STATUSES]),
       few=st.lists(st.integers(0, 80), max_size=4))
def test_unwind_counts_equal_the_general_path_on_random_writes(monkeypatch, n, ops, status, few):
    s = JobTaskStore()
    s.insert_many([_record(i, errors=ERROR_LISTS[(i * 7) % len(ERROR_LISTS)]) for i in range(n)])
    query = _unwind_query(status)
    if few:  # a few rows named: a listed selection
        query.setdefault("filter", []).append({"k": "job_task_id", "v": [f"t-{i:05d}" for i in few], "o": "in"})
    fresh = n
    for op, pick, which, new_status in ops:
        fast, general, _ = _unwind_both(s, query, monkeypatch)
        assert fast == general
        ids = [r["job_task_id"] for r in s.list({"domain_id": "dv", "query": {}})["results"]]
        if op == "create" or not ids:
            s.create(_record(fresh, errors=ERROR_LISTS[which], status=new_status))
            fresh += 1
        elif op == "update":
            s.update(ids[pick % len(ids)], "dv", {"errors": ERROR_LISTS[which]})
        elif op == "status":
            s.update(ids[pick % len(ids)], "dv", {"status": new_status})
        else:
            s.delete(ids[pick % len(ids)], "dv")
    fast, general, _ = _unwind_both(s, query, monkeypatch)
    assert fast == general


# -- distinct beside a domain -----------------------------------------------------------

@pytest.fixture
def jobs() -> JobTaskStore:
    s = JobTaskStore()
    s.insert_many([_record(i, domain="dv" if i % 3 else "dw", job=f"job-{i % 11}") for i in range(200)])
    return s


def test_distinct_beside_the_domain(jobs, monkeypatch):
    for domain in ("dv", "dw"):
        fast, general, fired = _distinct_both(jobs, "job_id", monkeypatch, domain)
        assert fired and fast == general and fast
        fast, general, fired = _distinct_both(jobs, "status", monkeypatch, domain)
        assert fired and fast == general and fast


def test_distinct_with_another_filter_reads_the_rows(jobs, monkeypatch):
    filt = [{"k": "status", "v": "FAILURE", "o": "eq"}]
    fast, general, fired = _distinct_both(jobs, "job_id", monkeypatch, "dv", filt)
    assert not fired and fast == general


def test_distinct_beside_the_domain_follows_writes(jobs, monkeypatch):
    _distinct_both(jobs, "job_id", monkeypatch, "dv")  # counts made
    jobs.create(_record(500, domain="dv", job="job-brand-new"))
    jobs.create(_record(501, domain="dv", job=None))  # null is a value
    jobs.create(_record(502, domain="dv", job=False))  # not stored: no value
    for r in jobs.list({"domain_id": "dv", "query": {"filter": [{"k": "job_id", "v": "job-3", "o": "eq"}]}})["results"]:
        jobs.delete(r["job_task_id"], "dv")  # job-3 leaves the domain
    jobs.update("t-00001", "dv", {"status": "CANCELED"})
    fast, general, fired = _distinct_both(jobs, "job_id", monkeypatch, "dv")
    assert fired and fast == general
    assert "job-brand-new" in fast and "job-3" not in fast
    fast, general, fired = _distinct_both(jobs, "job_id", monkeypatch, "dw")
    assert fired and fast == general and "job-brand-new" not in fast


def test_distinct_beside_the_domain_as_codes_widen(monkeypatch):
    s = JobTaskStore()
    s.insert_many([_record(i, domain="dv" if i % 2 else "dw", job=f"job-{i % 5}") for i in range(100)])
    assert _distinct_both(s, "job_id", monkeypatch)[2]
    # 300 new job ids: the column's codes outgrow a byte after the counts were made.
    for i in range(300):
        s.create(_record(1000 + i, job=f"wide-{i}"))
    s.delete("t-00003", "dv")
    fast, general, fired = _distinct_both(s, "job_id", monkeypatch)
    assert fired and fast == general and len(fast) == 305
    assert s._table.columns["job_id"].codes.typecode == "H"


def test_distinct_beside_a_missing_value(jobs, monkeypatch):
    table = jobs._table
    _distinct_both(jobs, "job_id", monkeypatch, "dv")  # counts made
    # Values the API cannot store, injected and logged as row writes: not stored, null.
    table.columns["job_id"][4] = MISSING
    table._changed(4)
    table.columns["job_id"][5] = None
    table._changed(5)
    fast, general, fired = _distinct_both(jobs, "job_id", monkeypatch, "dv")
    assert fired and fast == general and None in fast
    table._changed()  # rows unknown: the counts start over
    assert _distinct_both(jobs, "job_id", monkeypatch, "dv")[:2] == (fast, general)
    assert table.codes_beside("job_id", "domain_id", MISSING) is None
    assert table.codes_beside("job_id", "domain_id", "never-held") == []
    assert table.codes_beside("job_task_id", "domain_id", "dv") is None  # not a code column


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 60), ops=st.lists(st.tuples(st.sampled_from(["create", "delete"]), st.integers(0, 10_000),
                                                    st.sampled_from(["dv", "dw"]), st.integers(0, 9)), max_size=12),
       field=st.sampled_from(["job_id", "status"]))
def test_distinct_beside_the_domain_equals_the_general_path_on_random_writes(monkeypatch, n, ops, field):
    s = JobTaskStore()
    s.insert_many([_record(i, domain="dv" if i % 2 else "dw", job=f"job-{i % 4}") for i in range(n)])
    fresh = n
    for op, pick, domain, job in ops:
        for d in ("dv", "dw"):
            fast, general, _ = _distinct_both(s, field, monkeypatch, d)
            assert fast == general
        ids = [r["job_task_id"] for r in s.list({"domain_id": domain, "query": {}})["results"]]
        if op == "create" or not ids:
            s.create(_record(fresh, domain=domain, job=f"job-{job}" if job else None))
            fresh += 1
        else:
            s.delete(ids[pick % len(ids)], domain)
    for d in ("dv", "dw"):
        fast, general, _ = _distinct_both(s, field, monkeypatch, d)
        assert fast == general


# -- contain over the ids' text, their shared prefix left out ------------------------------

from jobtask_engine.storage.text import ContainText  # noqa: E402


def _contains(col: list, needle: str) -> list[int]:
    return [r for r, v in enumerate(col) if type(v) is str and needle in v.lower()]


SUFFIX = st.text("ab7f3-K\u00e9", min_size=0, max_size=5)


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["", "job-task-", "JT-", "a", "aa"]),
    width=st.integers(0, 5),
    suffixes=st.lists(st.text("ab7f3-K", min_size=5, max_size=5), min_size=1, max_size=12),
    needle=st.one_of(st.text("ab7f3-kjotsK\u00e9", max_size=6), st.sampled_from(["job-task-", "k-7", "-7f3", "sk-a", "b-t"])),
    gone=st.lists(st.integers(0, 11), max_size=3),
)
def test_contain_text_with_the_prefix_cut_answers_as_a_scan(prefix, width, suffixes, needle, gone):
    col: list = [prefix + s[:width] for s in suffixes]
    text = ContainText(col, 0)
    for r in gone:  # deleted after the text was made: the column reads MISSING there
        if r < len(col):
            col[r] = MISSING
    needle = needle.lower()
    got = text.rows_containing(col, needle)
    if not needle.isascii() or not all(map(str.isascii, [prefix, *suffixes])):
        assert got in (None, _contains(col, needle))
    else:
        assert got == _contains(col, needle)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.one_of(st.none(), SUFFIX, st.just("job-task-7f3")), min_size=1, max_size=12),
       needle=st.text("ab7f3-kK", max_size=4))
def test_contain_text_of_varied_lengths_answers_as_a_scan(values, needle):
    needle = needle.lower()
    got = ContainText(values, 0).rows_containing(values, needle)
    if all(v is None or v.isascii() for v in values):
        assert got == _contains(values, needle)
    else:
        assert got is None


def test_contain_text_cuts_the_shared_prefix():
    ids = [f"job-task-{(i * 0x9E3779B97F4A7C15 + 0xf00) % 16 ** 12:012x}" for i in range(700)]
    text = ContainText(ids, 0)
    blob, starts, prefix = text.text
    assert prefix == b"job-task-" and starts.step == 13 and len(blob) == 13 * len(ids)
    assert ids[0] == "job-task-000000000f00"
    for needle in ["7f3", "job", "k-0", "-00", "task-000000000", "job-task-000000000f00", "", "x", "\n"]:
        want = None if "\n" in needle else _contains(ids, needle)
        assert text.rows_containing(ids, needle) == want
    # Mixed case: lowered once, searched lower-case.
    upper = [v.upper() for v in ids]
    assert ContainText(upper, 0).rows_containing(upper, "job-task-00") == _contains(upper, "job-task-00")
