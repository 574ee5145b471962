"""Records into the shared table format: Parquet files of ``schema.py``'s columns.

The records go through the in-memory engine's own validation and
normalisation first (trimmed strings, null-or-missing per field, UTC
milliseconds), so a Parquet file holds exactly what the store holds, in its
insertion order (``row_no``).  DuckDB then writes the file from a JSON Lines
staging copy (one C-level decode, no per-row SQL).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

import msgspec

from .schema import ROW_NO, duckdb_columns

__all__ = ["to_parquet", "jsonl_to_parquet", "records_to_parquet", "parquet_to_jsonl"]

_ENCODE = msgspec.json.Encoder().encode
_ISO = "%Y-%m-%dT%H:%M:%S.%gZ"


def _staged(info: dict, row_no: int) -> dict:
    errors = info.get("errors") or []
    out = dict(info)
    out["errors"] = [
        {"error_code": e.get("error_code"), "message": e.get("message"),
         "additional": _ENCODE(e.get("additional") or {}).decode()}
        for e in errors
    ]
    out[ROW_NO] = row_no
    return out


def records_to_parquet(infos: Iterable[dict], path: str | os.PathLike) -> int:
    """JobTaskInfo dicts (as ``JobTaskStore`` iterates them) -> one Parquet file; returns the count."""
    import duckdb

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="jobtask-parquet-") as tmp:
        staging = Path(tmp) / "records.jsonl"
        n = 0
        with open(staging, "wb") as out:
            for info in infos:
                out.write(_ENCODE(_staged(info, n)) + b"\n")
                n += 1
        columns = duckdb_columns()
        read_types = {k: ("VARCHAR" if v == "TIMESTAMP" else v) for k, v in columns.items()}
        spec = "{" + ", ".join(f"{k}: '{v}'" for k, v in read_types.items()) + "}"
        select = ", ".join(
            f"strptime({k}, '{_ISO}') AS {k}" if v == "TIMESTAMP" else k for k, v in columns.items()
        )
        con = duckdb.connect(":memory:")
        try:
            con.execute("SET preserve_insertion_order = true")
            con.execute("SET enable_progress_bar = false")
            if n == 0:
                ddl = ", ".join(f"{k} {v}" for k, v in columns.items())
                con.execute(f"CREATE TABLE t ({ddl})")
                con.execute("COPY t TO ? (FORMAT parquet)", [str(path)])
            else:
                con.execute(
                    f"COPY (SELECT {select} FROM read_json(?, format = 'newline_delimited', columns = {spec}) "
                    f"ORDER BY {ROW_NO}) TO ? (FORMAT parquet, COMPRESSION zstd)",
                    [str(staging), str(path)],
                )
        finally:
            con.close()
    return n


def to_parquet(store: Any, path: str | os.PathLike) -> int:
    """Every record of a ``JobTaskStore``, in insertion order, as a Parquet file; returns the count."""
    return records_to_parquet(iter(store), path)


def jsonl_to_parquet(source: str | os.PathLike, path: str | os.PathLike) -> int:
    """A JSON / JSON Lines export read as the store reads it, written as Parquet."""
    from ..store import JobTaskStore

    return to_parquet(JobTaskStore.load(source), path)


def parquet_to_jsonl(source: Any, path: str | os.PathLike, *, memory_limit: str = "2GB") -> int:
    """Parquet files of the schema -> JSON Lines the store loads (insertion order kept), inside DuckDB."""
    import duckdb

    from .duckdb_runner import resolve_paths

    files = resolve_paths(source)
    columns = duckdb_columns()
    parts = []
    for name, kind in columns.items():
        if name == ROW_NO:
            continue
        if kind == "TIMESTAMP":
            parts.append(f"strftime({name}, '{_ISO}') AS {name}")
        elif name == "errors":
            parts.append(
                "list_transform(errors, lambda e: struct_pack(error_code := e.error_code, message := e.message, "
                "additional := json(e.additional))) AS errors"
            )
        else:
            parts.append(name)
    con = duckdb.connect(":memory:")
    try:
        con.execute("SET memory_limit = ?", [memory_limit])
        con.execute("SET preserve_insertion_order = true")
        con.execute("SET enable_progress_bar = false")
        con.execute(
            f"COPY (SELECT {', '.join(parts)} FROM read_parquet(?) ORDER BY {ROW_NO}) TO ? (FORMAT json)",
            [files, str(path)],
        )
        return con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchall()[0][0]  # count(*): one row
    finally:
        con.close()
