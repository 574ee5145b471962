"""The workload as DuckDB SQL: the same records in an in-process table.

Each query is written to return exactly what the engine's answer holds (the
page rows with every column, plus the total count for list queries), and
ties are broken by ``rowid``, which is insertion order, the way the engine
and the reference break them.  ``errors`` is a list-of-struct column and is
reached with ``UNNEST``.
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any, Callable

import duckdb

from .workload import CONTAINS, DEEP_START, DOMAIN, SINCE, STATUSES_IN, UPDATED_AT_LEAST

__all__ = ["connect", "load_jsonl", "RUNNERS", "summarize"]

_COLUMNS = {
    "job_task_id": "VARCHAR",
    "status": "VARCHAR",
    "provider": "VARCHAR",
    "created_count": "INTEGER",
    "updated_count": "INTEGER",
    "failure_count": "INTEGER",
    "deleted_count": "INTEGER",
    "disconnected_count": "INTEGER",
    "errors": "STRUCT(error_code VARCHAR, message VARCHAR, additional JSON)[]",
    "job_id": "VARCHAR",
    "secret_id": "VARCHAR",
    "service_account_id": "VARCHAR",
    "project_id": "VARCHAR",
    "workspace_id": "VARCHAR",
    "domain_id": "VARCHAR",
    "created_at": "TIMESTAMP",
    "started_at": "TIMESTAMP",
    "finished_at": "TIMESTAMP",
}


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh in-memory database (``threads``: DuckDB's worker count, default all cores)."""
    con = duckdb.connect(":memory:")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def load_jsonl(con: duckdb.DuckDBPyConnection, path: str | os.PathLike) -> int:
    """Load a JSON Lines file of records into table ``jt``; returns the row count."""
    columns = "{" + ", ".join(f"{k}: '{v}'" for k, v in _COLUMNS.items()) + "}"
    con.execute("DROP TABLE IF EXISTS jt")
    con.execute(
        f"CREATE TABLE jt AS SELECT * FROM read_json(?, format = 'newline_delimited', "
        f"columns = {columns}, timestampformat = '%Y-%m-%dT%H:%M:%S.%gZ')",
        [str(path)],
    )
    return con.execute("SELECT count(*) FROM jt").fetchone()[0]


def _since() -> datetime:
    return datetime.fromisoformat(SINCE.replace("Z", "+00:00")).replace(tzinfo=None)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _list(con, where: str, args: list, order: str, start: int, limit: int) -> tuple[int, list[tuple]]:
    """total count + the page rows (all columns), as a list request returns them."""
    total = con.execute(f"SELECT count(*) FROM jt WHERE {where}", args).fetchone()[0]
    rows = con.execute(
        f"SELECT * FROM jt WHERE {where} ORDER BY {order}, rowid LIMIT {limit} OFFSET {start - 1}", args
    ).fetchall()
    return total, rows


def q1(con) -> Any:
    return _list(con, "domain_id = ? AND status = ?", [DOMAIN, "FAILURE"], "created_at DESC", 1, 100)


def q2(con) -> Any:
    return _list(con, "domain_id = ? AND updated_count >= ?", [DOMAIN, UPDATED_AT_LEAST], "created_at DESC", 1, 100)


def q3(con) -> Any:
    pattern = f"%{_escape_like(CONTAINS)}%"
    return _list(
        con, "domain_id = ? AND job_task_id ILIKE ? ESCAPE '\\'", [DOMAIN, pattern], "created_at DESC", 1, 10
    )


def q4(con) -> Any:
    return _list(con, "domain_id = ?", [DOMAIN], "updated_count DESC", DEEP_START, 100)


def q5(con) -> Any:
    marks = ", ".join("?" for _ in STATUSES_IN)
    return con.execute(
        f"SELECT count(*) FROM jt WHERE domain_id = ? AND status IN ({marks}) AND created_at >= ?",
        [DOMAIN, *STATUSES_IN, _since()],
    ).fetchone()[0]


def q6(con) -> Any:
    return con.execute(
        "SELECT status, count(*), sum(updated_count), avg(updated_count) FROM jt WHERE domain_id = ? GROUP BY status",
        [DOMAIN],
    ).fetchall()


def q7(con) -> Any:
    return con.execute(
        "SELECT strftime(created_at, '%Y-%m-%d') AS date, provider, count(*) AS n, max(updated_count) "
        "FROM jt WHERE domain_id = ? GROUP BY date, provider "
        "ORDER BY n DESC, date DESC, provider ASC NULLS FIRST LIMIT 20",
        [DOMAIN],
    ).fetchall()


def q8(con) -> Any:
    return con.execute(
        "SELECT e.error_code AS code, count(*) AS n FROM "
        "(SELECT unnest(errors) AS e FROM jt WHERE domain_id = ? AND status = 'FAILURE') "
        "GROUP BY code ORDER BY n DESC, code",
        [DOMAIN],
    ).fetchall()


def q9(con) -> Any:
    rows = con.execute(
        "SELECT DISTINCT job_id FROM jt WHERE domain_id = ? AND job_id IS NOT NULL ORDER BY job_id", [DOMAIN]
    ).fetchall()
    return [r[0] for r in rows]


#: query name -> function(connection) returning DuckDB's raw answer.
RUNNERS: dict[str, Callable[[duckdb.DuckDBPyConnection], Any]] = {
    "q1_status_recent": q1,
    "q2_updated_range": q2,
    "q3_contain_id": q3,
    "q4_deep_page": q4,
    "q5_count_only": q5,
    "q6_group_status": q6,
    "q7_group_day_provider": q7,
    "q8_unwind_errors": q8,
    "q9_distinct_job": q9,
}


def summarize(name: str, raw: Any) -> Any:
    """DuckDB's raw answer as the summary :func:`benchmarks.answers.summarize` makes."""
    if name in ("q1_status_recent", "q2_updated_range", "q3_contain_id", "q4_deep_page"):
        total, rows = raw
        return total, [r[0] for r in rows]
    if name == "q6_group_status":
        return sorted((s, n, int(total), round(avg, 6)) for s, n, total, avg in raw)
    if name in ("q7_group_day_provider", "q8_unwind_errors"):
        return [tuple(r) for r in raw]
    return raw
