"""``jobtask-engine demo`` and ``serve``, in-process and as real processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from jobtask_engine.cli import main
from jobtask_engine.cli.demo import questions
from tests.processes import interrupt


def test_demo_answers_every_question(capsys):
    assert main(["demo", "--size", "600", "--seed", "3"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for number, question in enumerate(questions(), start=1):
        assert f"{number}. {question.title}" in out
    assert "Timings (engine only)" in out
    assert "600 synthetic job tasks" in out


def test_demo_with_no_data(capsys):
    assert main(["demo", "--size", "0"]) == 0
    assert "nothing to ask" in capsys.readouterr().out


def _env() -> dict:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def test_demo_needs_nothing_beyond_the_core():
    """The README's first command runs on a core install: block every optional package, run ``-m``."""
    blocked = ["starlette", "uvicorn", "httpx", "anyio", "hypothesis", "pytest", "duckdb", "spaceone", "mongomock", "mongoengine", "bson"]
    code = (
        "import sys\n"
        f"for name in {blocked!r}: sys.modules[name] = None\n"
        "sys.argv = ['jobtask-engine', 'demo', '--size', '300']\n"
        "import runpy\n"
        "runpy.run_module('jobtask_engine.cli', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=_env())
    assert done.returncode == 0, done.stderr
    assert "How do the job tasks split by status?" in done.stdout
    assert "Timings (engine only)" in done.stdout


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "jobtask-engine"
    if not script.exists():
        pytest.skip("console script not installed next to this interpreter")
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "serve" in done.stdout


def test_serve_answers_over_http_until_interrupted(tmp_path, one_domain):
    data = tmp_path / "tasks.json"
    data.write_text(json.dumps(one_domain[:25]))
    process = subprocess.Popen(
        [sys.executable, "-m", "jobtask_engine.cli", "serve", "--host", "127.0.0.1", "--port", "0",
         "--data", str(data), "--sample", "40", "--log-level", "warning"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env(),
    )
    try:
        banner = process.stdout.readline()
        assert "serving 65 job tasks at http://127.0.0.1:" in banner, banner + process.stderr.read()
        url = banner.split(" at ")[1].strip()
        assert httpx.get(f"{url}/_engine/health", timeout=10).json() == {"status": "ok", "job_task_count": 65}
        listed = httpx.post(f"{url}/inventory/v1/job-tasks/search", json={"domain_id": one_domain[0]["domain_id"], "query": {"count_only": True}}, timeout=10)
        assert listed.json()["total_count"] >= 25
    finally:
        interrupt(process)
    assert process.returncode == 0


def test_serve_without_the_extra_says_how_to_install_it():
    code = (
        "import sys\n"
        "sys.modules['starlette'] = None\n"
        "from jobtask_engine.cli import main\n"
        "sys.exit(main(['serve', '--port', '0']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'jobtask-engine[server]'" in done.stderr
    assert "Traceback" not in done.stderr


def test_serve_refuses_bad_data(capsys, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("[{]")
    assert main(["serve", "--data", str(bad), "--port", "0"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
