"""Tests of the example service, written against the jobtask-engine pytest fixtures.

``jobtask_server`` is a live fake inventory backend on 127.0.0.1; ``jobtask_seed``
puts records in it; ``jobtask_store`` is the same engine in-process.  Nothing
here knows about the engine's internals: it is what a dependent team writes.
"""

from __future__ import annotations

import pytest

from failure_report import FailureReport, HttpInventory, InventoryError, JobFailures, build_failure_report, format_report, main

DOMAIN = "domain-acme"


def task(job_id: str, status: str, *codes: str) -> dict:
    return {
        "domain_id": DOMAIN,
        "job_id": job_id,
        "status": status,
        "failure_count": len(codes),
        "errors": [{"error_code": code, "message": f"{code} happened"} for code in codes],
    }


@pytest.fixture
def tasks() -> list[dict]:
    return [
        task("job-a", "SUCCESS"),
        task("job-a", "FAILURE", "ERROR_TIMEOUT"),
        task("job-a", "FAILURE", "ERROR_TIMEOUT", "ERROR_AUTH"),
        task("job-b", "FAILURE", "ERROR_AUTH"),
        task("job-b", "FAILURE", "ERROR_TIMEOUT"),
        task("job-c", "SUCCESS"),
        task("job-c", "SUCCESS"),
        task("job-d", "FAILURE", "ERROR_QUOTA"),
        task("job-d", "SUCCESS"),
        task("job-d", "SUCCESS"),
        {**task("job-z", "FAILURE", "ERROR_AUTH"), "domain_id": "domain-other"},
    ]


def test_report_over_http(jobtask_server, jobtask_seed, tasks):
    jobtask_seed(jobtask_server, tasks)
    report = build_failure_report(HttpInventory(jobtask_server.url), DOMAIN, top=2)
    assert report == FailureReport(
        domain_id=DOMAIN,
        tasks=10,
        failed_tasks=5,
        worst_jobs=[JobFailures("job-b", 2, 2), JobFailures("job-a", 3, 2)],
        error_codes=[("ERROR_TIMEOUT", 3), ("ERROR_AUTH", 2), ("ERROR_QUOTA", 1)],
    )
    assert report.failure_rate == 0.5


def test_report_of_an_empty_domain(jobtask_server):
    report = build_failure_report(HttpInventory(jobtask_server.url), DOMAIN)
    assert report == FailureReport(domain_id=DOMAIN, tasks=0, failed_tasks=0)
    assert "(none)" in format_report(report)


def test_api_errors_surface_with_their_code(jobtask_server):
    with pytest.raises(InventoryError) as caught:
        build_failure_report(HttpInventory(jobtask_server.url), None)  # type: ignore[arg-type]
    assert caught.value.status == 400
    assert caught.value.code == "ERROR_REQUIRED_PARAMETER"


def test_same_report_in_process_and_over_http(jobtask_server, jobtask_store, jobtask_seed):
    """The in-process store is an Inventory too: both paths give the same report."""
    jobtask_seed(jobtask_server, 500, seed=4)
    infos = jobtask_seed(jobtask_store, 500, seed=4)
    domain_id = infos[0]["domain_id"]
    over_http = build_failure_report(HttpInventory(jobtask_server.url), domain_id)
    in_process = build_failure_report(jobtask_store, domain_id)
    assert over_http == in_process
    assert over_http.tasks > 0 and over_http.failed_tasks > 0


def test_command_line(jobtask_server, jobtask_seed, tasks, capsys):
    jobtask_seed(jobtask_server, tasks)
    assert main(["--url", jobtask_server.url, "--domain-id", DOMAIN]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"Domain {DOMAIN}: 5 of 10 job tasks failed (50.0%)")
    assert "job-b  2/2 failed (100%)" in out
