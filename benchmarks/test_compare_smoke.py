"""compare.py end to end at a tiny size, so the comparison script never rots."""

from __future__ import annotations

import json

from benchmarks import compare
from benchmarks.reference_side import load_reference
from benchmarks.workload import QUERY_NAMES
from jobtask_engine.testing.factories import make_job_tasks
from tests.conformance.reference import ReferenceService


def test_compare_runs_and_sides_agree(tmp_path, monkeypatch):
    monkeypatch.setenv("JOBTASK_BENCH_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "report.json"
    lines: list[str] = []
    args = compare.parse_args(
        ["--sizes", "200,300", "--reference-size", "300", "--repeat", "1", "--reference-repeat", "1",
         "--load-repeat", "1", "--ops", "20", "--quiet", "--json", str(out), "--markdown", str(tmp_path / "figures.md")]
    )
    compare.run(args, out=lines.append)

    report = json.loads(out.read_text())
    without_ref, size = report["sizes"]
    assert (without_ref["size"], size["size"]) == (200, 300)
    assert all(q["reference_ms"] is None for q in without_ref["queries"].values())
    assert set(size["queries"]) == set(QUERY_NAMES)
    for name, q in [*without_ref["queries"].items(), *size["queries"].items()]:
        assert q["check"] == "ok", (name, q["check"])
        assert q["engine_ms"] is not None and q["duckdb_ms"] is not None
    assert all(q["reference_ms"] is not None for q in size["queries"].values())
    assert size["load"]["engine"]["bytes_per_record"] > 0
    assert size["load"]["engine-indexed"]["seconds"] > 0
    assert set(size["by_id_us"]) == {"get", "update", "delete"}
    assert len(report["targets"]) == 15
    for q in size["queries"].values():
        assert q["engine_dicts_ms"] is not None and q["dicts_over_file"] is not None
    assert size["load"]["dicts-insert"]["bytes_per_record"] > 0
    assert size["load"]["dicts-insert-indexed"]["seconds"] > 0
    assert set(size["engine_dicts_by_id_us"]) == {"get", "update", "delete"}
    first = size["first_answer"]
    assert all(first[m] > 0 for m in ("engine-file", "engine-dicts", "duckdb", "snapshot-save", "snapshot-open"))
    assert first["snapshot_bytes"] > 0
    markdown = (tmp_path / "figures.md").read_text()
    assert "| q7_group_day_provider |" in markdown and "benchmarks/compare.py --sizes 200,300" in markdown
    text = "\n".join(lines)
    assert "q9_distinct_job" in text and "targets:" in text and "first q6 answer" in text


def test_fast_reference_loader_stores_what_create_stores():
    records = make_job_tasks(60, seed=11)
    records[0] = {**records[0], "secret_id": "  padded-secret  "}  # create() trims strings
    slow = ReferenceService()
    slow.insert_many(records)
    slow_docs = slow.raw()
    fast_docs = load_reference(records).raw()

    def strip(docs):
        return [{k: v for k, v in d.items() if k != "_id"} for d in docs]

    assert strip(fast_docs) == strip(slow_docs)
    assert fast_docs[0]["secret_id"] == "padded-secret"
