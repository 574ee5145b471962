"""``jobtask-engine save`` and ``--data`` given a snapshot or a gzip file; the progress line."""

from __future__ import annotations

import gzip
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from jobtask_engine import JobTaskStore
from jobtask_engine.cli import main

ROOT = Path(__file__).resolve().parents[2]

STATUS_COUNTS = {
    "aggregate": [
        {"group": {"keys": [{"key": "status", "name": "status"}], "fields": [{"operator": "count", "name": "count"}]}},
        {"sort": [{"key": "status"}]},
    ]
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_save_then_query_the_snapshot(capsys, tmp_path, lines_file, records):
    snap = tmp_path / "tasks.snapshot"
    status, out, err = run(capsys, "save", "--data", str(lines_file), "--out", str(snap))
    assert status == 0, err
    assert f"saved {len(records)} job tasks" in err
    domain = records[0]["domain_id"]
    answers = []
    for data in (lines_file, snap):
        status, out, err = run(capsys, "stat", "--data", str(data), "--domain-id", domain,
                               "--query", json.dumps(STATUS_COUNTS), "--format", "json")
        assert status == 0, err
        answers.append(json.loads(out))
    assert answers[0] == answers[1] == JobTaskStore(records).stat({"domain_id": domain, "query": STATUS_COUNTS})


def test_snapshot_picks_the_only_domain(capsys, tmp_path, array_file, one_domain):
    snap = tmp_path / "one.snapshot"
    assert run(capsys, "save", "--data", str(array_file), "--out", str(snap))[0] == 0
    status, out, err = run(capsys, "list", "--data", str(snap), "--format", "json")
    assert status == 0, err
    assert json.loads(out)["total_count"] == len(one_domain)


def test_gzip_record_files(capsys, tmp_path, lines_file, records):
    gz = tmp_path / "tasks.jsonl.gz"
    gz.write_bytes(gzip.compress(lines_file.read_bytes()))
    domain = records[0]["domain_id"]
    status, out, err = run(capsys, "list", "--data", str(gz), "--domain-id", domain, "--format", "json")
    assert status == 0, err
    assert json.loads(out) == JobTaskStore(records).list({"domain_id": domain})


def test_a_damaged_snapshot_is_a_usage_error(capsys, tmp_path, lines_file):
    snap = tmp_path / "tasks.snapshot"
    assert run(capsys, "save", "--data", str(lines_file), "--out", str(snap))[0] == 0
    snap.write_bytes(snap.read_bytes()[:-10])
    status, out, err = run(capsys, "list", "--data", str(snap), "--domain-id", "x")
    assert status == 2
    assert "truncated" in err and str(snap) in err


def test_save_refuses_bad_records_and_unwritable_targets(capsys, tmp_path, lines_file):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"job_task_id": "a", "status": "NOPE"}\n')
    status, _, err = run(capsys, "save", "--data", str(bad), "--out", str(tmp_path / "s"))
    assert status == 2 and "status" in err
    assert not (tmp_path / "s").exists()
    status, _, err = run(capsys, "save", "--data", str(lines_file), "--out", str(tmp_path / "missing" / "s"))
    assert status == 2 and "Cannot write snapshot" in err


_LOAD = """
import sys
sys.path.insert(0, {root!r})
import jobtask_engine.ingest as ingest
ingest.PROGRESS_AFTER = 0.0
from jobtask_engine import JobTaskStore
print(len(JobTaskStore.load({path!r})))
"""


def _stderr_of_load(path: Path, terminal: bool) -> tuple[str, str]:
    code = _LOAD.format(root=str(ROOT), path=str(path))
    if not terminal:
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        return done.stdout, done.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the child closed its end
            break
        if not chunk:
            break
        seen += chunk
    out = proc.communicate(timeout=60)[0]
    os.close(master)
    return out, seen.decode()


def test_progress_line_only_on_a_terminal(tmp_path, records):
    path = tmp_path / "many.jsonl"
    line = "\n".join(json.dumps(r) for r in records) + "\n"
    path.write_text(line * 1)
    out, err = _stderr_of_load(path, terminal=True)
    assert out.strip() == str(len(records))
    assert "loading many.jsonl: 100%" in err
    out, err = _stderr_of_load(path, terminal=False)
    assert out.strip() == str(len(records)) and err == ""
