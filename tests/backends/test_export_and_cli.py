"""The shared format (Parquet in the backends' schema), its conversions, the generator and the command line."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from benchmarks.workload import QUERIES
from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.backends import DuckDBRunner, generate_parquet
from jobtask_engine.backends.export import jsonl_to_parquet, parquet_to_jsonl
from jobtask_engine.cli import main
from jobtask_engine.testing import make_job_tasks
from jobtask_engine.testing.factories import DOMAIN_IDS


def test_store_to_parquet_and_back(tmp_path):
    store = JobTaskStore(make_job_tasks(300, seed=4))
    store.delete(next(iter(store))["job_task_id"], next(iter(store))["domain_id"])
    assert store.to_parquet(tmp_path / "t.parquet") == len(store)
    assert parquet_to_jsonl(tmp_path / "t.parquet", tmp_path / "t.jsonl") == len(store)
    assert list(JobTaskStore.load(tmp_path / "t.jsonl")) == list(store)


def test_jsonl_input_goes_through_the_engine_loader(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"job_task_id": " padded ", "domain_id": "d1", "status": " FAILURE ", "created_at": "2024-01-01T09:00:00+09:00"},
        {"job_task_id": "b", "domain_id": "d1", "errors": [{"error_code": "E", "additional": None}],
         "created_at": "2024-01-02T00:00:00Z"},
    ]))
    expected = JobTaskStore.load(path).list({"domain_id": "d1", "query": {"sort": [{"key": "job_task_id"}]}})
    with DuckDBRunner(path) as runner:
        assert runner.list({"domain_id": "d1", "query": {"sort": [{"key": "job_task_id"}]}}) == expected


def test_bad_paths_are_engine_errors(tmp_path):
    with pytest.raises(EngineError):
        DuckDBRunner(tmp_path / "nothing.parquet")
    with pytest.raises(EngineError):
        DuckDBRunner(str(tmp_path / "*.parquet"))
    (tmp_path / "broken.parquet").write_bytes(b"not parquet")
    with pytest.raises(EngineError):
        DuckDBRunner(tmp_path / "broken.parquet").list({"domain_id": "d1"})


def test_generator_proportions_and_answers(tmp_path):
    """The generated data looks like make_job_tasks, and the engine answers it as DuckDB does."""
    files = generate_parquet(tmp_path / "gen", 60_000, seed=3, rows_per_file=25_000)
    assert len(files) == 3
    parquet_to_jsonl(tmp_path / "gen", tmp_path / "gen.jsonl")
    store = JobTaskStore.load(tmp_path / "gen.jsonl")
    rows = list(store)
    assert len(rows) == 60_000 and len({r["job_task_id"] for r in rows}) == 60_000
    share = lambda key: {k: v / len(rows) for k, v in Counter(r[key] for r in rows).items()}  # noqa: E731
    status = share("status")
    assert abs(status["SUCCESS"] - 0.84) < 0.01 and abs(status["FAILURE"] - 0.12) < 0.01
    domains = share("domain_id")
    for domain, weight in zip(DOMAIN_IDS, (0.55, 0.25, 0.14, 0.06)):
        assert abs(domains[domain] - weight) < 0.05
    assert abs(share("provider")[None] - 0.10) < 0.04
    assert all((r["status"] == "FAILURE") == bool(r["errors"]) and len(r["errors"]) <= 3 for r in rows)
    assert all(r["created_at"] <= (r["started_at"] or "9") <= (r["finished_at"] or "9") for r in rows)
    assert 35 <= len(rows) / len({r["job_id"] for r in rows}) <= 45
    with DuckDBRunner(tmp_path / "gen") as runner:
        for q in QUERIES:
            assert getattr(runner, q.method)(q.params) == getattr(store, q.method)(q.params), q.name


def test_cli_convert_list_stat(tmp_path, capsys, spark):
    source = tmp_path / "tasks.jsonl"
    source.write_text("\n".join(json.dumps(r) for r in make_job_tasks(400, seed=5, domain_id="domain-1")))
    assert main(["convert", str(source), str(tmp_path / "tasks.parquet")]) == 0
    query = json.dumps({"aggregate": [{"group": {"keys": [{"key": "status", "name": "status"}],
                                                 "fields": [{"operator": "count", "name": "n"}]}}]})
    outputs = []
    for engine, data in (("memory", source), ("duckdb", tmp_path / "tasks.parquet"), ("spark", tmp_path / "*.parquet")):
        capsys.readouterr()
        assert main(["stat", "--engine", engine, "--data", str(data), "--query", query, "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
        assert main(["list", "--engine", engine, "--data", str(data), "--param", "status=FAILURE",
                     "--query", '{"page": {"limit": 5}}', "--format", "json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    assert outputs[0] == outputs[2] == outputs[4] and outputs[1] == outputs[3] == outputs[5]
    assert main(["list", "--engine", "duckdb", "--data", str(tmp_path / "tasks.parquet"), "--explain"]) == 0
    assert 'SELECT COUNT(*) FROM "jobtasks"' in capsys.readouterr().out
    assert main(["list", "--engine", "duckdb", "--data", str(tmp_path / "missing.parquet")]) == 2


def test_a_table_without_the_schema_is_refused():
    import duckdb

    con = duckdb.connect()
    con.execute("CREATE TABLE jobtasks AS SELECT 'x' AS job_task_id")
    with pytest.raises(EngineError) as caught:
        DuckDBRunner(connection=con)
    assert "row_no" in caught.value.message


def test_cli_convert_a_saved_list_response(tmp_path, capsys):
    store = JobTaskStore(make_job_tasks(50, seed=6, domain_id="domain-1"))
    response = store.list({"domain_id": "domain-1", "query": {"sort": [{"key": "id"}]}})
    (tmp_path / "saved.json").write_text(json.dumps(response))
    assert main(["convert", str(tmp_path / "saved.json"), str(tmp_path / "saved.parquet")]) == 0
    with DuckDBRunner(tmp_path / "saved.parquet") as runner:
        assert runner.list({"domain_id": "domain-1", "query": {"sort": [{"key": "id"}]}}) == response
    assert main(["convert", str(tmp_path / "missing.json"), str(tmp_path / "x.parquet")]) == 2


def test_cli_convert_a_snapshot(tmp_path, capsys):
    store = JobTaskStore(make_job_tasks(60, seed=7, domain_id="domain-1"))
    store.delete(next(iter(store))["job_task_id"], "domain-1")
    store.save(tmp_path / "tasks.snapshot")
    assert main(["convert", str(tmp_path / "tasks.snapshot"), str(tmp_path / "tasks.parquet")]) == 0
    request = {"domain_id": "domain-1", "query": {"sort": [{"key": "id"}]}}
    with DuckDBRunner(tmp_path / "tasks.parquet") as runner:
        assert runner.list(request) == store.list(request)
