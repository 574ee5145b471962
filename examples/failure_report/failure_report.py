"""A small "dependent service": which jobs fail, how often, and why.

It reads the inventory JobTask API (``stat``) and turns the answers into a
failure report: the failure rate of a domain, the jobs with the most failed
tasks, and the error codes behind them.  It is what a team would write against
the real inventory service; its tests run it against jobtask-engine instead,
over HTTP (the ``jobtask_server`` fixture) or in-process (``jobtask_store``).

Usage against any JobTask API (the real one or ``jobtask-engine serve``)::

    python failure_report.py --url http://127.0.0.1:8080 --domain-id domain-123
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

STAT_PATH = "/inventory/v1/job-tasks/stat"


class InventoryError(Exception):
    """The inventory API refused a request: its SpaceONE error code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class Inventory(Protocol):
    def stat(self, request: dict) -> dict: ...


class HttpInventory:
    """The JobTask API over HTTP, with nothing but the standard library."""

    def __init__(self, base_url: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def stat(self, request: dict) -> dict:
        return self._post(STAT_PATH, request)

    def _post(self, path: str, body: dict) -> dict:
        data = json.dumps(body).encode()
        req = urllib.request.Request(
            self.base_url + path, data=data, method="POST", headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as exc:
            error = _error_of(exc)
            raise InventoryError(exc.code, error.get("code", "ERROR_UNKNOWN"), error.get("message", str(exc))) from None


def _error_of(exc: urllib.error.HTTPError) -> dict:
    try:
        return json.load(exc).get("error", {})
    except (ValueError, AttributeError):
        return {}


@dataclass(frozen=True)
class JobFailures:
    job_id: str
    tasks: int
    failed_tasks: int

    @property
    def failure_rate(self) -> float:
        return self.failed_tasks / self.tasks if self.tasks else 0.0


@dataclass(frozen=True)
class FailureReport:
    domain_id: str
    tasks: int
    failed_tasks: int
    worst_jobs: list[JobFailures] = field(default_factory=list)
    error_codes: list[tuple[str, int]] = field(default_factory=list)

    @property
    def failure_rate(self) -> float:
        return self.failed_tasks / self.tasks if self.tasks else 0.0


def _jobs_request(domain_id: str) -> dict:
    """Per job: its tasks, and how many of them failed (a conditional count)."""
    return {
        "domain_id": domain_id,
        "query": {
            "aggregate": [
                {
                    "group": {
                        "keys": [{"key": "job_id", "name": "job_id"}],
                        "fields": [
                            {"operator": "count", "name": "tasks"},
                            {
                                "operator": "count",
                                "name": "failed_tasks",
                                "conditions": [{"key": "status", "value": "FAILURE", "operator": "eq"}],
                            },
                        ],
                    }
                }
            ]
        },
    }


def _error_codes_request(domain_id: str) -> dict:
    """Error codes of failed tasks, most frequent first."""
    return {
        "domain_id": domain_id,
        "query": {
            "filter": [{"k": "status", "v": "FAILURE", "o": "eq"}],
            "aggregate": [
                {"unwind": {"path": "errors"}},
                {"group": {"keys": [{"key": "errors.error_code", "name": "code"}], "fields": [{"operator": "count", "name": "count"}]}},
                {"sort": [{"key": "count", "desc": True}, {"key": "code"}]},
            ],
        },
    }


def build_failure_report(inventory: Inventory, domain_id: str, *, top: int = 5) -> FailureReport:
    """Ask the inventory two stat questions and assemble the report."""
    jobs = [
        JobFailures(row["job_id"], row["tasks"], row["failed_tasks"])
        for row in inventory.stat(_jobs_request(domain_id))["results"]
    ]
    worst = sorted(
        (j for j in jobs if j.failed_tasks),
        key=lambda j: (-j.failed_tasks, -j.failure_rate, j.job_id or ""),
    )[:top]
    codes = [(row.get("code"), row["count"]) for row in inventory.stat(_error_codes_request(domain_id))["results"]]
    return FailureReport(
        domain_id=domain_id,
        tasks=sum(j.tasks for j in jobs),
        failed_tasks=sum(j.failed_tasks for j in jobs),
        worst_jobs=worst,
        error_codes=codes,
    )


def format_report(report: FailureReport) -> str:
    lines = [
        f"Domain {report.domain_id}: {report.failed_tasks} of {report.tasks} job tasks failed ({report.failure_rate:.1%})",
        "",
        "Jobs with the most failed tasks:",
    ]
    lines += [f"  {j.job_id}  {j.failed_tasks}/{j.tasks} failed ({j.failure_rate:.0%})" for j in report.worst_jobs] or ["  (none)"]
    lines += ["", "Error codes:"]
    lines += [f"  {code}  {count}" for code, count in report.error_codes] or ["  (none)"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Failure report from the inventory JobTask API.")
    parser.add_argument("--url", required=True, help="base URL of the inventory API")
    parser.add_argument("--domain-id", required=True)
    parser.add_argument("--top", type=int, default=5)
    args = parser.parse_args(argv)
    try:
        report = build_failure_report(HttpInventory(args.url), args.domain_id, top=args.top)
    except (InventoryError, urllib.error.URLError) as exc:
        print(f"failure_report: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
