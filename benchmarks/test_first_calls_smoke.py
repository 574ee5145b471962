"""first_calls.py end to end at a tiny size, so the script never rots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("first_calls.py")


def _run(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "JOBTASK_BENCH_CACHE": str(tmp_path)}
    return subprocess.run([sys.executable, str(SCRIPT), "--size", "300", *args],
                          check=True, capture_output=True, text=True, env=env, timeout=300).stdout


def test_each_query_first_and_second_call_with_its_plan(tmp_path):
    out = _run(tmp_path, "--queries", "q1_status_recent,q5_count_only")
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == ["q1_status_recent", "q5_count_only"]
    assert all("first" in line and "second" in line and "conditions" in line for line in lines)
    assert list(tmp_path.glob("*.noindex.snapshot"))


def test_one_run_from_the_jsonl_file(tmp_path):
    got = json.loads(_run(tmp_path, "--source", "jsonl", "--one", "q4_deep_page"))
    assert got["query"] == "q4_deep_page" and got["first_ms"][0] > 0 and got["plan"]["order"]
