"""The nine request shapes of the JobTask workload, in one place.

The pytest-benchmark suite, ``compare.py`` and the DuckDB side all read the
requests from here, so the engine, DuckDB and the reference always answer the
same questions.  Every request targets the largest domain of the factory
catalog; values are chosen so that each query has a non-trivial answer at
every size from 2k to 1M records.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from jobtask_engine.testing.factories import DOMAIN_IDS

__all__ = ["DOMAIN", "Query", "QUERIES", "QUERY_NAMES", "UPDATED_AT_LEAST", "CONTAINS", "SINCE", "STATUSES_IN", "DEEP_START"]

#: The busiest domain (55 % of the records).
DOMAIN = DOMAIN_IDS[0]
#: Query 2's threshold: about 8 % of the domain's tasks have ``updated_count >= 300``.
UPDATED_AT_LEAST = 300
#: Query 3's substring: three hex digits, about 0.25 % of job_task_ids contain it.
CONTAINS = "7f3"
#: Query 5's lower bound on ``created_at`` (half of the generated year).
SINCE = "2024-07-01T00:00:00Z"
STATUSES_IN = ["FAILURE", "CANCELED"]
#: Query 4's page start (1-based): deep in the domain even at 10k records.
DEEP_START = 5001


class Query(NamedTuple):
    """One workload query: which API method answers it, and its request dict."""

    name: str
    method: str  # "list" or "stat"
    params: dict[str, Any]
    title: str


QUERIES: tuple[Query, ...] = (
    Query(
        "q1_status_recent",
        "list",
        {
            "domain_id": DOMAIN,
            "status": "FAILURE",
            "query": {"sort": [{"key": "created_at", "desc": True}], "page": {"limit": 100}},
        },
        "list domain + status, sort created_at desc, limit 100",
    ),
    Query(
        "q2_updated_range",
        "list",
        {
            "domain_id": DOMAIN,
            "query": {
                "filter": [{"k": "updated_count", "v": UPDATED_AT_LEAST, "o": "gte"}],
                "page": {"limit": 100},
            },
        },
        f"list domain + updated_count >= {UPDATED_AT_LEAST}, limit 100",
    ),
    Query(
        "q3_contain_id",
        "list",
        {
            "domain_id": DOMAIN,
            "query": {
                "filter": [{"k": "job_task_id", "v": CONTAINS, "o": "contain"}],
                "page": {"limit": 10},
            },
        },
        f"list domain + job_task_id contain {CONTAINS!r}, limit 10",
    ),
    Query(
        "q4_deep_page",
        "list",
        {
            "domain_id": DOMAIN,
            "query": {
                "sort": [{"key": "updated_count", "desc": True}],
                "page": {"start": DEEP_START, "limit": 100},
            },
        },
        f"list domain, sort updated_count desc, start {DEEP_START} limit 100",
    ),
    Query(
        "q5_count_only",
        "list",
        {
            "domain_id": DOMAIN,
            "query": {
                "filter": [
                    {"k": "status", "v": STATUSES_IN, "o": "in"},
                    {"k": "created_at", "v": SINCE, "o": "datetime_gte"},
                ],
                "count_only": True,
            },
        },
        "count_only domain + status in + datetime_gte",
    ),
    Query(
        "q6_group_status",
        "stat",
        {
            "domain_id": DOMAIN,
            "query": {
                "aggregate": [
                    {
                        "group": {
                            "keys": [{"key": "status", "name": "status"}],
                            "fields": [
                                {"name": "count", "operator": "count"},
                                {"key": "updated_count", "name": "updated_sum", "operator": "sum"},
                                {"key": "updated_count", "name": "updated_avg", "operator": "average"},
                            ],
                        }
                    }
                ]
            },
        },
        "stat group by status: count, sum, average",
    ),
    Query(
        "q7_group_day_provider",
        "stat",
        {
            "domain_id": DOMAIN,
            "query": {
                "aggregate": [
                    {
                        "group": {
                            "keys": [
                                {"key": "created_at", "name": "date", "date_format": "%Y-%m-%d"},
                                {"key": "provider", "name": "provider"},
                            ],
                            "fields": [
                                {"name": "count", "operator": "count"},
                                {"key": "updated_count", "name": "max_updated", "operator": "max"},
                            ],
                        }
                    },
                    # date and provider only break ties, so that every side returns the same 20 rows
                    {"sort": [{"key": "count", "desc": True}, {"key": "date", "desc": True}, {"key": "provider"}]},
                    {"limit": 20},
                ]
            },
        },
        "stat group by day + provider: count, max; sort count desc, limit 20",
    ),
    Query(
        "q8_unwind_errors",
        "stat",
        {
            "domain_id": DOMAIN,
            "query": {
                "filter": [{"k": "status", "v": "FAILURE", "o": "eq"}],
                "aggregate": [
                    {"unwind": {"path": "errors"}},
                    {
                        "group": {
                            "keys": [{"key": "errors.error_code", "name": "error_code"}],
                            "fields": [{"name": "count", "operator": "count"}],
                        }
                    },
                    {"sort": [{"key": "count", "desc": True}, {"key": "error_code"}]},
                ],
            },
        },
        "stat FAILURE, unwind errors, group by error_code: count",
    ),
    Query(
        "q9_distinct_job",
        "stat",
        {"domain_id": DOMAIN, "query": {"distinct": "job_id"}},
        "stat distinct job_id",
    ),
)

QUERY_NAMES: tuple[str, ...] = tuple(q.name for q in QUERIES)
BY_NAME: dict[str, Query] = {q.name: q for q in QUERIES}
