"""``max_pipeline_work``: a stat pipeline's work is charged before each piece of it is done, so a
request just under the limit is answered as usual and one just over is refused, naming the
limit, the stage and the estimate, without the refused piece having run."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.cli import main
from jobtask_engine.limits import Limits, default_limits, set_default_limits, using_limits
from jobtask_engine.stat import group as group_module
from jobtask_engine.stat import stages as stages_module
from jobtask_engine.stat.budget import (DOC_VALUE, FAST_ROW_TERM, PROJECT_PATH, RESULT_VALUE, ROW_TERM, WorkBudget,
                                        charge, expr_work, open_budget)
from jobtask_engine.stat.execute import run_pipeline
from jobtask_engine.stat.expressions import Arith, PathExpr
from jobtask_engine.stat.frames import ColumnFrame
from jobtask_engine.stat.parse import parse_statistics_query
from jobtask_engine.stat.shape import shape_frame, shape_rows
from jobtask_engine.stat.work import stage_work
from jobtask_engine.schema import FIELD_NAMES
from jobtask_engine.testing import make_job_tasks
from jobtask_engine.timeutil import ms_to_iso, ms_to_iso_many
from jobtask_engine.values import MISSING, datetimes_of, ms_to_dt

D = "domain-0"
RECORDS = make_job_tasks(300, seed=5, domain_id=D)
ROOMY = Limits(max_pipeline_work=10**15)


def _stat(*stages: dict, **query: object) -> dict:
    return {"domain_id": D, "query": {"aggregate": list(stages), **query}}


@pytest.fixture(scope="module")
def store() -> JobTaskStore:
    return JobTaskStore(RECORDS)


def work_of(store: JobTaskStore, request: dict) -> int:
    """The request's estimated work, the highest its running total reached: its stat call
    charges the budget opened here (a roomy one)."""
    with using_limits(ROOMY), open_budget() as budget:
        store.stat(request)
    return budget.peak


#: Requests of every stage kind and group strategy, as the differential suites ask them.
ORDINARY = [
    _stat({"group": {"keys": [{"key": "status", "name": "status"}], "fields": [
        {"operator": "count", "name": "n"}, {"operator": "sum", "key": "updated_count", "name": "u"}]}}),
    _stat({"group": {"keys": [{"key": "created_at", "name": "day", "date_format": "%Y-%m-%d"}, {"key": "provider", "name": "p"}],
                     "fields": [{"operator": "count", "name": "n"}, {"operator": "max", "key": "updated_count", "name": "m"}]}},
          {"sort": [{"key": "n", "desc": True}, {"key": "day"}]}, {"limit": 5}),
    _stat({"unwind": {"path": "errors"}}, {"group": {"keys": [{"key": "errors.error_code", "name": "c"}],
                                                     "fields": [{"operator": "count", "name": "n"}]}}),
    _stat({"group": {"keys": [{"key": "job_task_id", "name": "t"}], "fields": [
        {"operator": "push", "key": "errors", "name": "e"}, {"operator": "add_to_set", "key": "created_at", "name": "c"}]}},
          {"sort": [{"key": "e", "desc": True}, {"key": "t"}]}, page={"start": 2, "limit": 7}),
    _stat({"match": {"filter": [{"k": "status", "v": "FAILURE", "o": "eq"}]}},
          {"project": {"fields": [{"key": "job_task_id", "name": "t"},
                                  {"name": "x", "operator": "add", "fields": ["created_count", "updated_count"]}]}},
          {"sort": [{"key": "x", "desc": True}]}),
    _stat({"sort": [{"key": "errors.error_code"}]}, {"limit": 3}),
    # a match after the group answers fewer groups than were reserved for
    _stat({"group": {"keys": [{"key": "job_task_id", "name": "t"}], "fields": [{"operator": "count", "name": "n"}]}},
          {"match": {"filter": [{"k": "t", "v": "job-task", "o": "contain"}]}}, {"unwind": {"path": "errors"}}),
]


@pytest.mark.parametrize("request_", ORDINARY, ids=range(len(ORDINARY)))
def test_a_request_just_under_the_limit_answers_as_usual_and_just_over_is_refused(store, request_):
    work = work_of(store, request_)
    assert work > 0
    expected = store.stat(request_)
    assert JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=work)).stat(request_) == expected
    with pytest.raises(EngineError) as info:
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=work - 1)).stat(request_)
    assert info.value.code == "ERROR_LIMIT_EXCEEDED"
    assert info.value.details["limit"] == "max_pipeline_work"
    assert f"limit = {work - 1}, got = " in info.value.message


def test_ordinary_requests_fit_the_default_many_times_over(store):
    """Small stores are nowhere near the limit (the differential suites are never refused)."""
    for request in ORDINARY:
        assert work_of(store, request) * 100 < Limits().max_pipeline_work


def test_the_estimate_grows_with_the_rows_met():
    request = _stat({"sort": [{"key": "created_count"}]}, page={"start": 1, "limit": 5})
    small = work_of(JobTaskStore(RECORDS[:100]), request)
    big = work_of(JobTaskStore(RECORDS), request)
    assert big - small == (len(RECORDS) - 100) * stages_module.SORT_PLAIN  # the same page of 5 answered


def _counting(monkeypatch, module, name: str) -> list:
    """Calls of ``module.name`` from here on, counted (the function still runs)."""
    calls: list = []
    real = getattr(module, name)

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _plan_stages(store: JobTaskStore, request: dict) -> tuple:
    return parse_statistics_query(request["query"]).stages


def test_a_project_over_the_limit_is_refused_before_any_field_is_computed(store, monkeypatch):
    request = _stat({"project": {"fields": [{"name": "x", "operator": "add", "fields": ["created_count", "updated_count"]},
                                            {"key": "status", "name": "s"}]}})
    (stage,) = _plan_stages(store, request)
    units, _ = stage_work(stage, len(RECORDS))
    assert units == len(RECORDS) * (3 * ROW_TERM + PROJECT_PATH)  # add of two paths; one renamed field
    computed = _counting(monkeypatch, Arith, "column")
    read = _counting(monkeypatch, ColumnFrame, "raw")
    with pytest.raises(EngineError, match="max_pipeline_work") as info:
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=units - 1)).stat(request)
    assert (computed, read) == ([], [])
    assert "stage = 1 (project)" in info.value.message
    assert f"got = {units} estimated, {len(RECORDS)} rows x 2 fields" in info.value.message
    JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=work_of(store, request))).stat(request)
    assert computed and read


def test_a_project_building_documents_is_charged_for_them(store):
    dotted = _stat({"project": {"fields": [{"key": "status", "name": "a.s"}]}})
    flat = _stat({"project": {"fields": [{"key": "status", "name": "s"}]}})
    (dotted_stage,), (flat_stage,) = _plan_stages(store, dotted), _plan_stages(store, flat)
    assert not dotted_stage.columnar() and flat_stage.columnar()
    assert dotted_stage.row_work() - flat_stage.row_work() == DOC_VALUE
    assert flat_stage.output_width() == 2  # _id and s


def test_a_project_reserves_its_whole_answer_before_it_runs(store, monkeypatch):
    request = _stat({"project": {"fields": [{"name": "x", "operator": "add", "fields": ["created_count", 1]}]}})
    work = work_of(store, request)
    computed = _counting(monkeypatch, Arith, "column")
    with pytest.raises(EngineError, match=r"stage = 1 \(project\).*an answer of 300 results x 2 values"):
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=work - 1)).stat(request)
    assert computed == []


def test_a_group_is_refused_once_its_groups_are_counted_before_their_documents_are_built(monkeypatch):
    """100 tasks, a group each: partitioned (bounded work, already charged), then refused before
    any group document or pushed value is made."""
    store = JobTaskStore(RECORDS[:100])
    request = _stat({"group": {"keys": [{"key": "job_task_id", "name": "t"}],
                               "fields": [{"operator": "push", "key": "errors", "name": "e"}]}})
    work = work_of(store, request)
    partitions = _counting(monkeypatch, group_module, "partition")
    reduced = _counting(monkeypatch, group_module, "_reduce_field")
    built = _counting(monkeypatch, group_module, "finish_group_columns")
    tight = JobTaskStore(RECORDS[:100], limits=Limits(max_pipeline_work=work // 2))
    with pytest.raises(EngineError, match="max_pipeline_work") as info:
        tight.stat(request)
    assert len(partitions) == 1 and reduced == [] and built == []
    assert "stage = 1 (group)" in info.value.message and "100 groups" in info.value.message
    store.stat(request)
    assert len(reduced) == 1 and len(built) == 1


def test_a_computed_sort_key_is_refused_before_any_key_is_made(monkeypatch):
    store = JobTaskStore(RECORDS)
    request = _stat({"sort": [{"key": "errors.additional"}]}, {"limit": 1})
    made = _counting(monkeypatch, stages_module, "leaves_sort_key")
    plain = len(RECORDS) * stages_module.SORT_PLAIN
    answer = (1 + len(FIELD_NAMES)) * RESULT_VALUE  # one whole record answered, reserved first
    with pytest.raises(EngineError, match="max_pipeline_work") as info:
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=answer + plain + 1)).stat(request)
    assert made == []
    assert "a computed sort key on errors.additional" in info.value.message
    store.stat(request)
    assert len(made) == len(RECORDS)


def test_an_unwind_is_charged_from_its_count_before_rows_are_made(monkeypatch):
    store = JobTaskStore(RECORDS)
    request = _stat({"unwind": {"path": "errors"}}, {"count": {"name": "n"}})
    (unwound,) = store.stat(request)["results"]
    takes = _counting(monkeypatch, ColumnFrame, "take")
    with pytest.raises(EngineError, match="max_pipeline_work") as info:
        JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=unwound["n"] * stages_module.UNWOUND_ROW - 1)).stat(request)
    assert takes == []
    assert f"{unwound['n']} rows unwound" in info.value.message


def test_stages_before_the_refused_one_ran_and_nothing_after(store):
    stages = _plan_stages(store, _stat({"sort": [{"key": "created_count"}]}, {"project": {"fields": [{"key": "status", "name": "s"}]}},
                                       {"sort": [{"key": "s"}]}))
    frame = ColumnFrame(store._table, list(range(len(RECORDS))))
    sort_units = len(RECORDS) * stages_module.SORT_PLAIN
    trace: list = []
    with using_limits(Limits(max_pipeline_work=sort_units + 1)):
        with pytest.raises(EngineError, match=r"stage = 2 \(project\)"):
            run_pipeline(frame, stages, None, trace)
    assert [t["stage"] for t in trace] == ["sort"]
    assert trace[0]["work"] == sort_units


def test_the_fast_paths_are_charged_by_their_own_rate(store):
    """Key codes of stored columns (a day and a provider) read each row in C."""
    request = ORDINARY[1]
    (stage, *_), rows = _plan_stages(store, request), len(RECORDS)
    assert stage_work(stage, rows)[0] == rows * 3 * FAST_ROW_TERM
    assert work_of(store, request) < rows * 3 * ROW_TERM


def test_an_answer_too_big_to_shape_is_refused_before_the_stage_making_it(monkeypatch):
    """100 groups reserve their answer when counted: refused before their columns are reduced."""
    store = JobTaskStore(RECORDS[:100])
    request = _stat({"group": {"keys": [{"key": "job_task_id", "name": "t"}], "fields": [{"operator": "count", "name": "n"}]}})
    (stage,) = _plan_stages(store, request)
    work = work_of(store, request)
    answer = 100 * 2 * RESULT_VALUE
    built = _counting(monkeypatch, group_module, "finish_group_columns")
    with pytest.raises(EngineError, match="an answer of 100 results x 2 values"):
        JobTaskStore(RECORDS[:100], limits=Limits(max_pipeline_work=work - 1)).stat(request)
    assert built == []
    paged = _stat(*request["query"]["aggregate"], page={"start": 1, "limit": 10})
    assert work_of(store, paged) == work - answer + 10 * 2 * RESULT_VALUE


def test_the_answer_is_charged_by_its_size(store):
    whole = work_of(store, _stat({"sort": [{"key": "created_count"}]}))
    page = work_of(store, _stat({"sort": [{"key": "created_count"}]}, page={"start": 1, "limit": 10}))
    assert page < whole


def test_the_limit_is_settable_per_store_and_for_every_store(store):
    request = ORDINARY[0]
    work = work_of(store, request)
    assert JobTaskStore(RECORDS, limits=Limits(max_pipeline_work=work)).limits.max_pipeline_work == work
    before = default_limits()
    set_default_limits(Limits(max_pipeline_work=work - 1))
    try:
        with pytest.raises(EngineError, match="max_pipeline_work"):
            JobTaskStore(RECORDS).stat(request)
    finally:
        set_default_limits(before)
    JobTaskStore(RECORDS).stat(request)
    with pytest.raises(EngineError):
        Limits(max_pipeline_work=0)


def test_a_budget_counts_across_charges_and_names_the_stage():
    budget = WorkBudget(100)
    budget.stage = "3 (sort)"
    budget.charge(60, "first")
    with pytest.raises(EngineError) as info:
        budget.charge(41, "41 rows x 1 sort keys")
    assert budget.spent == 60  # the refused charge is not counted as done
    assert info.value.message == ("Request exceeds the max_pipeline_work limit. (key = aggregate, stage = 3 (sort), "
                                  "limit = 100, got = 101 estimated, 41 rows x 1 sort keys)")
    charge(10**18, "no budget open: stages used on their own charge nothing")


def test_an_expression_is_charged_per_node():
    add = Arith("add", [PathExpr("a"), PathExpr("b"), Arith("multiply", [PathExpr("c"), PathExpr("d")])])
    assert expr_work(add) == 6 * ROW_TERM


def test_the_cli_raises_the_limit_for_one_command(capsys, tmp_path):
    path = tmp_path / "tasks.json"
    path.write_text(json.dumps(RECORDS))
    query = json.dumps({"aggregate": [{"sort": [{"key": "created_count"}]}]})
    before = default_limits()
    assert main(["stat", "--data", str(path), "--query", query, "--format", "json", "--max-pipeline-work", "1000"]) == 2
    assert "max_pipeline_work" in capsys.readouterr().err
    assert default_limits() is before
    assert main(["stat", "--data", str(path), "--query", query, "--format", "json", "--max-pipeline-work", str(10**12)]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) == len(RECORDS)
    assert main(["stat", "--data", str(path), "--query", query, "--max-pipeline-work", "0"]) == 2
    assert "--max-pipeline-work must be >= 1" in capsys.readouterr().err


# -- the sped-up conversions answer as the plain ones ----------------------------------------------

_ms = st.integers(min_value=-62135596800000, max_value=253402300799999)
_values = st.lists(st.one_of(_ms, _ms, _ms, st.none(), st.just(MISSING)), max_size=40)


@settings(max_examples=200)
@given(_values)
def test_datetimes_of_a_column_are_its_values_one_by_one(values):
    assert datetimes_of(values) == [ms_to_dt(v) for v in values]
    assert datetimes_of(tuple(values)) == [ms_to_dt(v) for v in values]


@settings(max_examples=200)
@given(st.lists(st.one_of(_ms, st.none()), max_size=40))
def test_iso_texts_of_a_column_are_its_values_one_by_one(values):
    expected = [None if v is None else f"{(dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=v)).isoformat(timespec='milliseconds')}Z"
                for v in values]
    assert ms_to_iso_many(values) == expected
    assert [None if v is None else ms_to_iso(v) for v in values] == expected


def test_stored_rows_shape_as_their_documents_with_fresh_arrays(store):
    frame = ColumnFrame(store._table, list(range(len(RECORDS))))
    shaped = shape_frame(frame)
    assert shaped == shape_rows(frame.docs())
    errors = [r["errors"] for r in shaped]
    assert any(e == [] for e in errors) and any(e for e in errors)
    assert len({id(e) for e in errors}) == len(errors)  # no array shared between answers or with the store
    errors[0].append("changed")
    assert shape_frame(frame)[0]["errors"] != errors[0]
