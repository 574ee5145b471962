"""``jobtask-engine list`` and ``stat`` over exported files, in every output format."""

from __future__ import annotations

import csv
import io
import json

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.cli import main

STATUS_COUNTS = {
    "aggregate": [
        {"group": {"keys": [{"key": "status", "name": "status"}], "fields": [{"operator": "count", "name": "count"}]}},
        {"sort": [{"key": "count", "desc": True}]},
    ]
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_table_picks_the_only_domain(capsys, array_file, one_domain):
    status, out, err = run(capsys, "list", "--data", str(array_file), "--query", '{"page": {"limit": 4}}')
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["job_task_id", "status", "provider"]
    assert set(lines[1]) <= {"-", " "}
    assert len(lines) == 2 + 4 + 1
    assert lines[-1] == f"total_count: {len(one_domain):,}"


def test_list_json_is_the_store_answer(capsys, lines_file, records):
    domain = records[0]["domain_id"]
    query = {"filter": [{"k": "failure_count", "v": 0, "o": "gt"}], "sort": [{"key": "job_task_id"}]}
    status, out, err = run(capsys, "list", "--data", str(lines_file), "--domain-id", domain, "--query", json.dumps(query), "--format", "json")
    assert status == 0, err
    expected = JobTaskStore(records).list({"domain_id": domain, "query": query})
    assert json.loads(out) == expected


def test_list_csv_has_a_header_and_every_row(capsys, array_file, one_domain):
    query = {"only": ["job_task_id", "status", "errors"], "page": {"limit": 10}}
    status, out, err = run(capsys, "list", "--data", str(array_file), "--query", json.dumps(query), "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 10
    assert {"job_task_id", "status", "errors"} <= set(rows[0])
    assert all(isinstance(json.loads(r["errors"]), list) for r in rows)


def test_list_params_become_top_level_filters(capsys, lines_file, records):
    domain = records[0]["domain_id"]
    status, out, err = run(
        capsys, "list", "--data", str(lines_file), "--domain-id", domain,
        "--param", "status=FAILURE", "--param", "status=CANCELED", "--query", '{"count_only": true}', "--format", "json",
    )
    assert status == 0, err
    expected = sum(1 for r in records if r["domain_id"] == domain and r["status"] in ("FAILURE", "CANCELED"))
    assert json.loads(out) == {"results": [], "total_count": expected}


def test_list_reads_a_saved_list_response(capsys, tmp_path, one_domain):
    saved = tmp_path / "export.json"
    saved.write_text(json.dumps({"results": one_domain[:20], "total_count": 20}))
    status, out, err = run(capsys, "list", "--data", str(saved), "--query", '{"count_only": true}')
    assert status == 0, err
    assert out.strip().endswith("total_count: 20")


def test_byte_order_mark_and_single_object_files(capsys, tmp_path, one_domain):
    bom = tmp_path / "bom.json"
    bom.write_bytes(b"\xef\xbb\xbf" + json.dumps(one_domain[:3]).encode())
    assert run(capsys, "list", "--data", str(bom), "--query", '{"count_only": true}')[1].strip().endswith("total_count: 3")
    single = tmp_path / "single.json"
    single.write_text(json.dumps(one_domain[0], indent=2))
    assert run(capsys, "list", "--data", str(single), "--query", '{"count_only": true}')[1].strip().endswith("total_count: 1")


def test_query_file(capsys, tmp_path, array_file):
    query_file = tmp_path / "query.json"
    query_file.write_text('{"page": {"limit": 2}, "only": ["job_task_id"]}')
    status, out, err = run(capsys, "list", "--data", str(array_file), "--query-file", str(query_file), "--format", "csv")
    assert status == 0, err
    assert out.splitlines()[0].startswith("job_task_id")
    assert len(out.splitlines()) == 3


def test_columns_option(capsys, array_file):
    status, out, err = run(capsys, "list", "--data", str(array_file), "--columns", "job_id,status", "--query", '{"page": {"limit": 1}}')
    assert status == 0, err
    assert out.splitlines()[0].split() == ["job_id", "status"]


def test_stat_table_and_chart(capsys, array_file, one_domain):
    status, out, err = run(capsys, "stat", "--data", str(array_file), "--query", json.dumps(STATUS_COUNTS))
    assert status == 0, err
    assert out.splitlines()[0].split() == ["status", "count"]
    status, chart, err = run(capsys, "stat", "--data", str(array_file), "--query", json.dumps(STATUS_COUNTS), "--format", "chart")
    assert status == 0, err
    lines = chart.splitlines()
    top = lines[0].split()
    assert top[0] == "SUCCESS" and int(top[-1]) == sum(1 for r in one_domain if r["status"] == "SUCCESS")
    assert len(lines[0]) >= len(lines[-1].rstrip())


def test_stat_json_and_csv(capsys, lines_file, records):
    domain = records[0]["domain_id"]
    args = ("stat", "--data", str(lines_file), "--domain-id", domain, "--query", json.dumps(STATUS_COUNTS))
    status, out, err = run(capsys, *args, "--format", "json")
    assert status == 0, err
    assert json.loads(out) == JobTaskStore(records).stat({"domain_id": domain, "query": STATUS_COUNTS})
    status, out, err = run(capsys, *args, "--format", "csv")
    assert status == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert sum(int(r["count"]) for r in rows) == sum(1 for r in records if r["domain_id"] == domain)


def test_stat_chart_with_explicit_columns(capsys, array_file):
    query = {"aggregate": [{"group": {"keys": [{"key": "job_id", "name": "job"}, {"key": "status", "name": "status"}],
                                      "fields": [{"operator": "count", "name": "n"}, {"operator": "sum", "key": "failure_count", "name": "failures"}]}},
                           {"sort": [{"key": "failures", "desc": True}]}, {"limit": 3}]}
    status, out, err = run(capsys, "stat", "--data", str(array_file), "--query", json.dumps(query), "--format", "chart", "--label", "job", "--value", "failures")
    assert status == 0, err
    assert len(out.splitlines()) == 3
    assert all(line.startswith("job-") for line in out.splitlines())


def test_stat_distinct_table(capsys, array_file, one_domain):
    status, out, err = run(capsys, "stat", "--data", str(array_file), "--query", '{"distinct": "status"}')
    assert status == 0, err
    assert out.splitlines()[0].strip() == "value"
    assert set(out.split()[2:]) == {r["status"] for r in one_domain}


@pytest.mark.parametrize(
    "make_file, args, needle",
    [
        (None, ["--data", "{dir}/missing.json"], "cannot read"),
        ('[{"domain_id": "d"},', [], "not valid JSON"),
        ('{"domain_id": "d"}\n{"domain_id": \n', [], "data.json:2:"),
        ('[1, 2]', [], "record 1 is not a JSON object"),
        ("hello", [], "expected a JSON array or JSON Lines"),
        ('[{"domain_id": "d", "status": "EXPLODED"}]', [], "ERROR_INVALID_PARAMETER"),
        ('[{"domain_id": "d", "created_count": "many"}]', [], "created_count"),
        ('[{"domain_id": "a"}, {"domain_id": "b"}]', [], "--domain-id is required"),
        ('[{"domain_id": "d"}]', ["--query", "{bad"], "--query: not valid JSON"),
        ('[{"domain_id": "d"}]', ["--query", "[1]"], "expected a JSON object"),
        ('[{"domain_id": "d"}]', ["--query-file", "{dir}/nope.json"], "cannot read"),
        ('[{"domain_id": "d"}]', ["--query", '{"filter": [{"k": "status", "v": 1, "o": "bogus"}]}'], "ERROR_DB_QUERY"),
        ('[{"domain_id": "d"}]', ["--query", '{"filter": [{"k": "status", "v": 1, "o": "in"}]}'], "ERROR_OPERATOR_LIST_VALUE_TYPE"),
        ('[{"domain_id": "d"}]', ["--param", "status"], "expected KEY=VALUE"),
    ],
)
def test_list_bad_input_exits_2_with_a_message(capsys, tmp_path, make_file, args, needle):
    data = tmp_path / "data.json"
    if make_file is not None:
        data.write_text(make_file)
    argv = ["list", "--data", str(data)] + [a.replace("{dir}", str(tmp_path)) for a in args]
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert needle in err
    assert err.startswith("jobtask-engine: error: ")
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    "args, needle",
    [
        ([], "stat needs --query"),
        (["--query", '{"aggregate": [{"explode": {}}]}'], "ERROR_DB_QUERY"),
        (["--query", '{"distinct": "status"}', "--format", "chart"], "no numeric column"),
        (["--query", json.dumps(STATUS_COUNTS), "--format", "chart", "--label", "nope"], "--label nope: no such column"),
    ],
)
def test_stat_bad_input_exits_2_with_a_message(capsys, array_file, args, needle):
    status, out, err = run(capsys, "stat", "--data", str(array_file), *args)
    assert status == 2
    assert needle in err
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    "argv",
    [[], ["bogus"], ["list"], ["list", "--data", "x", "--format", "xml"], ["list", "--data", "x", "--query", "{}", "--query-file", "q"], ["demo", "--size", "-1"], ["serve", "--port", "70000"]],
)
def test_usage_errors_exit_2(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert "Traceback" not in err
    assert err.strip()


def test_help_exits_0(capsys):
    status, out, _ = run(capsys, "--help")
    assert status == 0
    assert "demo" in out and "serve" in out
