"""``jobtask-engine serve --grpc-port``: gRPC alone (no server extra needed) or beside HTTP on one store."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest

from jobtask_engine.cli import main
from jobtask_engine.rpc import GrpcServer
from jobtask_engine.testing import make_job_tasks
from tests.grpc.conftest import call
from tests.processes import interrupt


def _env() -> dict:
    return {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _start(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())


def _serve_code(argv: list[str], blocked: tuple[str, ...] = ()) -> str:
    return (
        "import sys\n"
        f"for name in {list(blocked)!r}: sys.modules[name] = None\n"
        f"sys.argv = ['jobtask-engine', 'serve', *{argv!r}]\n"
        "import runpy\n"
        "runpy.run_module('jobtask_engine.cli', run_name='__main__')\n"
    )


def test_grpc_alone_needs_no_server_extra():
    domain = make_job_tasks(30, seed=3)[0]["domain_id"]
    expected = sum(1 for t in make_job_tasks(30, seed=3) if t["domain_id"] == domain)
    process = _start(_serve_code(["--grpc-port", "0", "--no-http", "--sample", "30", "--seed", "3"], blocked=("starlette", "uvicorn")))
    try:
        banner = process.stdout.readline()
        assert "serving 30 job tasks over gRPC at grpc://127.0.0.1:" in banner, banner + process.stderr.read()
        endpoint = banner.split(" at ")[1].strip()
        assert call(endpoint, "list", {"query": {"count_only": True}}, x_domain_id=domain) == {"total_count": expected}
    finally:
        interrupt(process)
    assert process.returncode == 0


def test_grpc_beside_http_serves_one_store():
    process = _start(_serve_code(["--port", "0", "--grpc-port", "0", "--log-level", "warning"]))
    try:
        grpc_banner = process.stdout.readline()
        assert "over gRPC at grpc://127.0.0.1:" in grpc_banner, grpc_banner + process.stderr.read()
        endpoint = grpc_banner.split(" at ")[1].strip()
        http_banner = process.stdout.readline()
        while " at http://" not in http_banner:
            http_banner = process.stdout.readline()
        url = http_banner.split(" at ")[1].strip()
        created = httpx.post(f"{url}/_engine/job-tasks", json={"job_task_id": "jt-1", "domain_id": "d1", "status": "FAILURE"}, timeout=10)
        assert created.status_code == 201
        assert call(endpoint, "get", {"job_task_id": "jt-1"}, x_domain_id="d1")["status"] == "FAILURE"
        assert call(endpoint, "delete", {"job_task_id": "jt-1"}, x_domain_id="d1") == {}
        assert httpx.get(f"{url}/_engine/health", timeout=10).json()["job_task_count"] == 0
    finally:
        interrupt(process)
    assert process.returncode == 0


def test_grpc_without_the_extra_says_how_to_install_it():
    code = "import sys\nsys.modules['grpc'] = None\nfrom jobtask_engine.cli import main\nsys.exit(main(['serve', '--grpc-port', '0', '--no-http']))\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "pip install 'jobtask-engine[grpc]'" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--no-http"], "--no-http needs --grpc-port"), (["--grpc-port", "70000"], "--grpc-port must be between 0 and 65535")],
)
def test_bad_grpc_options(capsys, argv, message):
    assert main(["serve", *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_taken_grpc_port_is_an_error(capsys):
    with GrpcServer() as taken:
        assert main(["serve", "--grpc-port", str(taken.port), "--no-http"]) == 2
    assert f"cannot listen on 127.0.0.1:{taken.port}" in capsys.readouterr().err
