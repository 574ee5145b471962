"""Each failure reported against the store, reproduced: it is now an EngineError (or works).

Grouped as reported: records that poisoned a domain, errors that were not
EngineError, and the smaller ones (iteration ghosts, loading files).
"""

from __future__ import annotations

import datetime as _dt
import json

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.testing import make_job_tasks

from .hostile import NotJSON, nested, time_cap

D = "domain-1"


@pytest.fixture
def store():
    return JobTaskStore(make_job_tasks(200, seed=2, domain_id=D))


def _refused(call, code: str | None = None) -> EngineError:
    with time_cap(), pytest.raises(EngineError) as info:
        call()
    if code is not None:
        assert info.value.code == code, info.value
    return info.value


# -- records that poisoned a domain ---------------------------------------------------

@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", _dt.datetime(1, 1, 1, tzinfo=_dt.timezone(_dt.timedelta(hours=5)))])
@pytest.mark.parametrize("field", ["created_at", "started_at", "finished_at"])
def test_an_instant_outside_utc_years_1_to_9999_is_refused_at_ingest(store, field, value):
    before = list(store)
    _refused(lambda: store.create({"domain_id": D, field: value}), "ERROR_INVALID_PARAMETER")
    _refused(lambda: store.insert_many([{"domain_id": D}, {"domain_id": D, field: value}]), "ERROR_INVALID_PARAMETER")
    if field != "created_at":
        tid = before[0]["job_task_id"]
        _refused(lambda: store.update(tid, D, {field: value}), "ERROR_INVALID_PARAMETER")
    assert list(store) == before
    store.list({"domain_id": D})  # pages, iteration and distinct all still answer
    store.stat({"domain_id": D, "query": {"distinct": "created_at"}})


def test_the_edges_of_the_range_are_kept_and_read_back(store):
    low = store.create({"domain_id": D, "created_at": "0001-01-01T00:00:00Z"})
    high = store.create({"domain_id": D, "created_at": "9999-12-31T23:59:59.999Z"})
    assert (low["created_at"], high["created_at"]) == ("0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z")
    assert list(store)[-2:] == [low, high]


@pytest.mark.parametrize("operator", ["eq", "gt", "datetime_gt", "datetime_lte", "lt"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-23:59"])
def test_an_unrepresentable_instant_in_a_condition_is_refused(store, operator, value):
    _refused(lambda: store.list({"domain_id": D, "query": {"filter": [{"k": "created_at", "v": value, "o": operator}]}}), "ERROR_DB_QUERY")


# -- errors that were not EngineError ----------------------------------------------------

@pytest.mark.parametrize("pattern", ["a{4294967296}", "(" * 1000, "(a+)+$", "(a|a)*b"])
def test_patterns_that_overflowed_recursed_or_ran_for_minutes(store, pattern):
    for op, value in (("regex", pattern), ("regex_in", [pattern])):
        _refused(lambda: store.list({"domain_id": D, "query": {"filter": [{"k": "job_task_id", "v": value, "o": op}]}}))
    _refused(lambda: store.stat({"domain_id": D, "query": {"aggregate": [{"match": {"filter": [{"k": "job_id", "v": pattern, "o": "contain"}]}}, {"count": {"name": "n"}}]}}))


def test_a_catastrophic_pattern_of_110_bytes_is_refused_before_it_runs(store):
    pattern = "^(([a-z0-9])+.)+[A-Z]([a-z])+$"
    error = _refused(lambda: store.list({"domain_id": D, "query": {"filter": [{"k": "job_task_id", "v": pattern, "o": "regex"}]}}), "ERROR_LIMIT_EXCEEDED")
    assert "regex" in error.message


@pytest.mark.parametrize("depth", [40, 300, 1000, 5000])
def test_condition_values_nested_deep(store, depth):
    _refused(lambda: store.list({"domain_id": D, "query": {"filter": [{"k": "errors.additional", "v": nested(depth), "o": "gt"}]}}), "ERROR_LIMIT_EXCEEDED")
    _refused(lambda: store.list({"domain_id": D, "query": {"filter": [{"k": "job_id", "v": nested(depth, kind="list"), "o": "in"}]}}))


def test_a_nested_value_within_the_depth_limit_compares_quickly(store):
    # the sort key was computed twice per level: 25 levels took seconds
    store.list({"domain_id": D, "query": {"filter": [{"k": "errors.additional", "v": nested(25), "o": "gt"}]}})


@pytest.mark.parametrize("fields", [["created_at", float("nan")], ["created_at", float("inf")], ["created_at", 1e300], ["created_at", 2**62]])
@pytest.mark.parametrize("operator", ["add", "subtract"])
def test_date_arithmetic_past_the_range_or_with_nan(store, operator, fields):
    request = {"domain_id": D, "query": {"aggregate": [{"project": {"fields": [{"name": "x", "operator": operator, "fields": fields}]}}]}}
    _refused(lambda: store.stat(request), "ERROR_DB_QUERY")


def test_integer_arithmetic_past_int64_becomes_double_as_in_mongodb():
    store = JobTaskStore([{"domain_id": D, "created_count": 2**63 - 1, "updated_count": 2**63 - 1}])
    for operator, expected in (("add", 2.0**64), ("multiply", 2.0**126), ("subtract", 0)):
        request = {"domain_id": D, "query": {"aggregate": [{"project": {"fields": [{"name": "x", "operator": operator, "fields": ["created_count", "updated_count"]}]}}]}}
        (row,) = store.stat(request)["results"]
        assert row["x"] == expected and type(row["x"]) is (int if operator == "subtract" else float)
    request = {"domain_id": D, "query": {"aggregate": [{"group": {"keys": [{"key": "domain_id", "name": "d"}], "fields": [
        {"operator": "sum", "key": "created_count", "name": "s"}]}}]}}
    store.create({"domain_id": D, "created_count": 2**63 - 1})
    assert store.stat(request)["results"] == [{"d": D, "s": float(2 * (2**63 - 1))}]


@pytest.mark.parametrize("value", [NotJSON(), {1, 2}, b"x", object()])
def test_objects_json_cannot_hold_are_refused_in_process(store, value):
    for request in (
        {"domain_id": D, "query": {"filter": [{"k": "job_id", "v": value, "o": "eq"}]}},
        {"domain_id": D, "query": value},
        {"domain_id": D, "query": {"filter": [value]}},
        {"domain_id": D, "status": value},
        {"domain_id": D, "query": {"sort": [{"key": value}]}},
    ):
        _refused(lambda: store.list(request))
    _refused(lambda: store.stat({"domain_id": D, "query": {"aggregate": [{"group": value}]}}))


# -- smaller ------------------------------------------------------------------------------

def test_deleting_during_iteration_yields_no_ghosts(store):
    seen = []
    for info in store:
        seen.append(info)
        if len(seen) == 1:
            for later in list(store)[1:50]:
                store.delete(later["job_task_id"], D)
    assert len(seen) == 200
    assert all(v is None or isinstance(v, (str, int, list)) for r in seen for v in r.values())


def test_loading_a_saved_list_response(tmp_path, store):
    path = tmp_path / "saved.json"
    page = store.list({"domain_id": D, "query": {"page": {"limit": 30}}})
    path.write_text(json.dumps(page))
    loaded = JobTaskStore.load(path)
    assert len(loaded) == 30 and list(loaded) == page["results"]


def test_a_missing_file_is_an_engine_error(tmp_path):
    _refused(lambda: JobTaskStore.load(tmp_path / "nope.jsonl"), "ERROR_INVALID_PARAMETER")
    _refused(lambda: JobTaskStore.load(tmp_path), "ERROR_INVALID_PARAMETER")  # a directory


@pytest.mark.parametrize("shape", ["array", "lines"])
def test_a_deep_object_in_a_file_is_an_engine_error(tmp_path, shape):
    deep = "[" * 100_000 + "]" * 100_000
    record = '{"domain_id": "d", "errors": [{"additional": {"x": ' + deep + "}}]}"
    path = tmp_path / "deep.json"
    path.write_text(f"[{record}]" if shape == "array" else record + "\n")
    _refused(lambda: JobTaskStore.load(path), "ERROR_INVALID_PARAMETER")


def test_a_truncated_last_line_names_its_record(tmp_path):
    lines = [json.dumps({"domain_id": "d", "job_task_id": f"job-task-{i}"}) for i in range(5)]
    path = tmp_path / "cut.jsonl"
    path.write_text("\n".join(lines[:4]) + "\n" + lines[4][:20] + "\n")
    error = _refused(lambda: JobTaskStore.load(path), "ERROR_INVALID_PARAMETER")
    assert "after record 4" in error.message


@pytest.mark.parametrize("depth", [150, 990, 5000])
@pytest.mark.parametrize("kind", ["dict", "list"])
def test_a_record_nested_past_mongodbs_100_levels_is_refused(store, depth, kind):
    before = list(store)
    record = {"domain_id": D, "errors": [{"error_code": "E", "additional": {"x": nested(depth, kind=kind)}}]}
    _refused(lambda: store.create(record), "ERROR_INVALID_PARAMETER")
    _refused(lambda: store.insert_many([{"domain_id": D}, record]), "ERROR_INVALID_PARAMETER")
    _refused(lambda: store.update(before[0]["job_task_id"], D, {"errors": record["errors"]}), "ERROR_INVALID_PARAMETER")
    assert list(store) == before


def test_a_file_record_nested_past_100_levels_is_refused(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps({"domain_id": "d", "errors": [{"additional": {"x": nested(300)}}]}) + "\n")
    _refused(lambda: JobTaskStore.load(path), "ERROR_INVALID_PARAMETER")


def test_a_record_within_the_nesting_limit_reads_back(store):
    record = {"domain_id": D, "errors": [{"error_code": "E", "additional": {"x": nested(90)}}]}
    info = store.create(record)
    assert info["errors"][0]["additional"] == record["errors"][0]["additional"]
    assert list(store)[-1] == info
