"""A small dependent service: how healthy are a domain's collector runs?

It calls the inventory JobTask API the way Cloudforet services do, through
spaceone-core's ``SpaceConnector`` over gRPC: ``JobTask.stat`` for the status
counts and the most frequent error codes, ``JobTask.list`` for the latest
failures.  Nothing in it knows about jobtask-engine: its tests point the
connector's ``inventory`` endpoint at the fake (the ``jobtask_grpc_server``
fixture) and change nothing else.

Usage against any JobTask gRPC endpoint (the real one, or
``jobtask-engine serve --grpc-port 50051 --no-http --sample 5000``)::

    python collector_health.py --endpoint grpc://127.0.0.1:50051 --domain-id domain-123
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict, dataclass, field

from spaceone.core import config
from spaceone.core.connector.space_connector import SpaceConnector

STATUS_COUNTS = {"aggregate": [
    {"group": {"keys": [{"key": "status", "name": "status"}], "fields": [{"operator": "count", "name": "count"}]}},
]}


def top_error_codes_query(limit: int) -> dict:
    return {
        "filter": [{"k": "status", "v": "FAILURE", "o": "eq"}],
        "aggregate": [
            {"unwind": {"path": "errors"}},
            {"group": {"keys": [{"key": "errors.error_code", "name": "error_code"}],
                       "fields": [{"operator": "count", "name": "count"}]}},
            {"sort": [{"key": "count", "desc": True}, {"key": "error_code"}]},
            {"limit": limit},
        ],
    }


@dataclass
class Failure:
    job_task_id: str
    job_id: str
    created_at: str
    error_codes: list[str] = field(default_factory=list)


@dataclass
class Health:
    total: int
    by_status: dict[str, int]
    failure_rate: float
    top_error_codes: list[tuple[str, int]]
    latest_failures: list[Failure]


class CollectorHealth:
    """Reads the JobTask API of one domain (a system token plus ``x_domain_id``, or a user token)."""

    def __init__(self, connector: SpaceConnector | None = None, domain_id: str | None = None) -> None:
        # As a Cloudforet service does: the endpoint comes from the CONNECTORS config.
        self.inventory = connector or SpaceConnector(service="inventory")
        self.domain_id = domain_id

    def _dispatch(self, method: str, params: dict) -> dict:
        extra = {"x_domain_id": self.domain_id} if self.domain_id else {}
        return self.inventory.dispatch(f"JobTask.{method}", params, **extra)

    def status_counts(self) -> dict[str, int]:
        rows = self._dispatch("stat", {"query": STATUS_COUNTS}).get("results", [])
        return {row["status"]: int(row["count"]) for row in rows}  # numbers arrive as doubles

    def top_error_codes(self, limit: int = 3) -> list[tuple[str, int]]:
        rows = self._dispatch("stat", {"query": top_error_codes_query(limit)}).get("results", [])
        return [(row.get("error_code", ""), int(row["count"])) for row in rows]

    def latest_failures(self, limit: int = 5) -> list[Failure]:
        query = {"sort": [{"key": "created_at", "desc": True}], "page": {"limit": limit},
                 "only": ["job_task_id", "job_id", "errors.error_code", "created_at"]}
        answer = self._dispatch("list", {"status": "FAILURE", "query": query})
        return [
            Failure(r["job_task_id"], r.get("job_id", ""), r.get("created_at", ""),
                    [e.get("error_code", "") for e in r.get("errors", [])])
            for r in answer.get("results", [])  # an empty page arrives as {}: no "results" key
        ]

    def health(self) -> Health:
        by_status = self.status_counts()
        total = sum(by_status.values())
        failures = by_status.get("FAILURE", 0)
        return Health(total, by_status, failures / total if total else 0.0, self.top_error_codes(), self.latest_failures())


def configure_inventory(endpoint: str) -> None:
    """Point every ``SpaceConnector(service="inventory")`` at ``endpoint`` (what a service's config file does)."""
    connectors = dict(config.get_global("CONNECTORS") or {})
    space = dict(connectors.get("SpaceConnector", {}))
    space["endpoints"] = {**space.get("endpoints", {}), "inventory": endpoint}
    connectors["SpaceConnector"] = space
    config.set_global_force(CONNECTORS=connectors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", required=True, help="grpc://host:port of the inventory service")
    parser.add_argument("--domain-id", required=True)
    args = parser.parse_args(argv)
    configure_inventory(args.endpoint)
    health = CollectorHealth(domain_id=args.domain_id).health()
    json.dump(asdict(health), sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
