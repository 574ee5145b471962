"""Large synthetic JobTask datasets generated inside DuckDB, written as Parquet.

``make_job_tasks`` builds a Python dict per record (~10 µs each): fine for a
million, hopeless for a hundred million.  Here every column is a SQL
expression over the row number, evaluated by DuckDB's vectorised engine and
streamed to Parquet files, so no Python object exists per row.  The
proportions are the factory's: the same catalog (domains 55/25/14/6 %, three
workspaces a domain with the first the busiest, sixty secrets per workspace
and provider, one in ten without service account, one in eight without
project), jobs of 28-52 tasks sharing job_id, domain and provider (45/27/18/10 %
with 10 % null), statuses 84/12/1.5/1.5/1 %, failures carrying 1-3 errors with
the factory's code weights, exponential counts with the factory's means, and
creation times spread over 2024 in job order.  Randomness is a hash of the row
(or job) number and a per-column salt: deterministic for ``seed``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..testing.factories import (
    _ERROR_WEIGHTS,
    _PROVIDER_WEIGHTS,
    _SECRETS_PER_POOL,
    _SPAN_MS,
    _START_MS,
    _WORKSPACES,
    DOMAIN_IDS,
    DOMAIN_WEIGHTS,
    ERROR_CODES,
    PROVIDERS,
)

__all__ = ["generate_parquet", "ROWS_PER_FILE"]

#: Rows per Parquet file: big enough for long row groups, small enough that one
#: file's generation stays within a few hundred MB of DuckDB memory.
ROWS_PER_FILE = 10_000_000
#: Mean tasks per job (the factory draws 28..52 uniformly).
_JOB_SIZE = 40


def _cumulative(weights: tuple[float, ...], scale: int) -> list[int]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(round(total * scale))
    out[-1] = scale
    return out


def _pick_case(draw: str, cuts: list[int], values: list[str]) -> str:
    """A CASE choosing values[k] for the first cut the draw is below."""
    arms = " ".join(f"WHEN {draw} < {cut} THEN {value}" for cut, value in zip(cuts[:-1], values[:-1]))
    return f"CASE {arms} ELSE {values[-1]} END"


def _quoted(text: str | None) -> str:
    return "NULL" if text is None else "'" + text.replace("'", "''") + "'"


def _catalog_rows() -> list[tuple[int, int, int, int, str, str | None, str | None, str]]:
    """(domain index, workspace index, provider index, secret slot, secret, account, project, workspace id)."""
    rows = []
    for d, domain in enumerate(DOMAIN_IDS):
        for w, ws in enumerate(_WORKSPACES[domain]):
            for p, provider in enumerate(PROVIDERS):
                for k, (secret, account, project) in enumerate(ws.secrets(provider)):
                    rows.append((d, w, p, k, secret, account, project, ws.workspace_id))
    return rows


def _exp(mean: float, bits: str) -> str:
    """Integer exponential draw with this mean from 12 random bits (the factory's quantile tables)."""
    return f"CAST(floor(-{mean} * ln(1.0 - (({bits}) + 0.5) / 4096.0)) AS BIGINT)"


def _mix48(x: str) -> str:
    """The factory's bijective 48-bit mix, in SQL (HUGEINT products, no overflow)."""
    m = (1 << 48) - 1
    a = f"(CAST((CAST({x} AS HUGEINT) * {0x9E3779B97F4B}) % {1 << 48} AS BIGINT))"
    a = f"xor({a}, {a} >> 23)"
    b = f"(CAST((CAST({a} AS HUGEINT) * {0xC2B2AE3D27D5}) % {1 << 48} AS BIGINT))"
    return f"(xor({b}, {b} >> 19) & {m})"


def _select_sql(n_total: int, seed: int) -> str:
    """SELECT of the table's columns over ``range(?, ?) t(i)`` (rows i of ``n_total``)."""
    jobs = max(1, n_total // _JOB_SIZE)
    u = lambda salt, over="i", mod=1_000_000: f"(hash({over}, {seed}, {salt}) % {mod})"  # noqa: E731
    domain_cuts = _cumulative(DOMAIN_WEIGHTS, 10_000)
    provider_cuts = _cumulative(_PROVIDER_WEIGHTS, 10_000)
    status_cuts = [840, 960, 975, 990, 1000]
    statuses = ["'SUCCESS'", "'FAILURE'", "'IN_PROGRESS'", "'PENDING'", "'CANCELED'"]
    code_cuts = _cumulative(_ERROR_WEIGHTS, 1024)
    codes = "[" + ", ".join(_quoted(c) for c, _ in ERROR_CODES) + "]"
    messages = "[" + ", ".join(_quoted(m) for _, m in ERROR_CODES) + "]"
    code_index = _pick_case(f"(hash(i, {seed}, 40 + k) % 1024)", code_cuts, [str(j + 1) for j in range(len(ERROR_CODES))])
    providers = [str(p) for p in range(len(PROVIDERS))]
    return f"""
WITH base AS (
  SELECT i, job,
    {_pick_case(u(1, 'job', 10_000), domain_cuts, [str(d) for d in range(len(DOMAIN_IDS))])} AS d,
    CASE WHEN {u(2, 'job')} < 500000 THEN 0 ELSE {u(3, 'job', 3)} END AS w,
    {_pick_case(u(4, 'job', 10_000), provider_cuts, providers)} AS p,
    CAST(({u(5, 'job', _SECRETS_PER_POOL)} + i) % {_SECRETS_PER_POOL} AS INTEGER) AS k,
    {_pick_case(u(6, 'i', 1000), status_cuts, statuses)} AS status,
    {_START_MS} + CAST(job * {(_SPAN_MS - 3_600_000) / jobs} AS BIGINT) + (i - job * {_JOB_SIZE}) * 16
      + {u(7, 'i', 16)} AS created_ms,
    1 + CAST({u(8, 'i', 1024)} < 358 AS INTEGER) + CAST({u(9, 'i', 1024)} < 154 AS INTEGER) AS n_errors
  FROM (SELECT i, i // {_JOB_SIZE} AS job FROM range(?, ?) t(i))
), timed AS (
  SELECT *,
    CASE WHEN status = 'PENDING' THEN NULL ELSE created_ms + 200 + {_exp(4000.0, u(10, 'i', 4096))} END AS started_ms
  FROM base
)
SELECT
  'job-task-' || lower(lpad(to_hex({_mix48(f'i + {seed * 7919 + 1}')}), 12, '0')) AS job_task_id,
  timed.status,
  CASE timed.p {' '.join(f'WHEN {i} THEN {_quoted(v)}' for i, v in enumerate(PROVIDERS))} END AS provider,
  CASE WHEN status = 'SUCCESS' THEN {_exp(8.0, u(11, 'i', 4096))} ELSE 0 END AS created_count,
  CASE status WHEN 'SUCCESS' THEN {_exp(120.0, u(12, 'i', 4096))}
              WHEN 'FAILURE' THEN {_exp(30.0, u(12, 'i', 4096))}
              WHEN 'IN_PROGRESS' THEN {_exp(40.0, u(12, 'i', 4096))} ELSE 0 END AS updated_count,
  CASE WHEN status = 'FAILURE' THEN n_errors + {_exp(2.0, u(13, 'i', 4096))} ELSE 0 END AS failure_count,
  CASE WHEN status = 'SUCCESS' THEN {_exp(3.0, u(14, 'i', 4096))} ELSE 0 END AS deleted_count,
  CASE WHEN status = 'SUCCESS' THEN {_exp(2.0, u(15, 'i', 4096))} ELSE 0 END AS disconnected_count,
  CASE WHEN status = 'FAILURE' THEN list_transform(range(n_errors), lambda k:
      struct_pack(error_code := {codes}[{code_index}], message := {messages}[{code_index}], additional := '{{}}'))
    ELSE [] END::STRUCT(error_code VARCHAR, message VARCHAR, additional VARCHAR)[] AS errors,
  'job-' || lower(lpad(to_hex({_mix48(f'job + {seed * 104729 + 7}')}), 12, '0')) AS job_id,
  c.secret_id, c.service_account_id, c.project_id, c.workspace_id,
  c.domain_id,
  make_timestamp(CAST(created_ms * 1000 AS BIGINT)) AS created_at,
  make_timestamp(CAST(started_ms * 1000 AS BIGINT)) AS started_at,
  CASE WHEN status IN ('PENDING', 'IN_PROGRESS') THEN NULL
       ELSE make_timestamp(CAST((started_ms + 1000 + {_exp(90000.0, u(16, 'i', 4096))}) * 1000 AS BIGINT)) END AS finished_at,
  timed.i AS row_no
FROM timed JOIN catalog c ON c.d = timed.d AND c.w = timed.w AND c.p = timed.p AND c.k = timed.k
"""


def _load_catalog(con: Any) -> None:
    con.execute(
        "CREATE OR REPLACE TEMP TABLE catalog (d INTEGER, w INTEGER, p INTEGER, k INTEGER, secret_id VARCHAR, "
        "service_account_id VARCHAR, project_id VARCHAR, workspace_id VARCHAR, domain_id VARCHAR)"
    )
    rows = [(*r, DOMAIN_IDS[r[0]]) for r in _catalog_rows()]
    con.executemany("INSERT INTO catalog VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def generate_parquet(
    directory: str | os.PathLike,
    n: int,
    seed: int = 0,
    *,
    rows_per_file: int = ROWS_PER_FILE,
    memory_limit: str = "2GB",
    threads: int = 2,
    progress: Any = None,
) -> list[Path]:
    """Write ``n`` records as ``part-NNNNN.parquet`` files under ``directory``; returns the files.

    A file already present with the right row count is kept (a long run can be resumed).
    """
    import duckdb

    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(":memory:")
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute(f"SET threads = {int(threads)}")
    con.execute("SET preserve_insertion_order = true")
    con.execute("SET enable_progress_bar = false")
    _load_catalog(con)
    select = _select_sql(n, seed)
    files = []
    for number, start in enumerate(range(0, n, rows_per_file)):
        stop = min(n, start + rows_per_file)
        path = out / f"part-{number:05d}.parquet"
        files.append(path)
        if path.exists() and _row_count(con, path) == stop - start:
            continue
        tmp = path.with_suffix(".tmp")
        con.execute(
            f"COPY ({select}) TO ? (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)", [start, stop, str(tmp)]
        )
        os.replace(tmp, path)
        if progress is not None:
            progress(stop, n)
    con.close()
    return files


def _row_count(con: Any, path: Path) -> int:
    try:
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    except Exception:  # a truncated file from an interrupted run
        return -1
