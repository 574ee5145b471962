"""The load, memory, limits and A/B scripts end to end at a tiny size, so they never rot (no figures checked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).parent


def _run(*args: str) -> str:
    done = subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=240, cwd=SCRIPTS.parent)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_server_load_runs():
    out = _run("benchmarks/server_load.py", "--records", "300", "--seconds", "0.3", "--connections", "1,3")
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert len(rows) == 4 and all(row[-1] == "0" for row in rows)  # four phases, no error answers


def test_server_bodies_memory_runs():
    out = _run("benchmarks/server_bodies_memory.py", "--bodies", "2", "--mib", "1")
    assert "answers [400]" in out


def test_limits_probe_runs():
    out = _run("benchmarks/limits_probe.py", "--size", "2000")
    assert out.count(" s") >= 8


def test_ab_runs():
    tree = str(SCRIPTS.parent)
    out = _run("benchmarks/ab.py", tree, tree, "--size", "2000", "--calls", "2", "--rounds", "1")
    assert sum(1 for line in out.splitlines() if line[:1] == "q" and line[1:2].isdigit()) == 9
