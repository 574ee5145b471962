"""The DuckDB runner: the JobTask table on a DuckDB connection, out of core.

Over Parquet files DuckDB streams row groups and spills to disk beyond its
``memory_limit``, so a dataset far larger than memory is answered within a
bounded footprint.
"""

from __future__ import annotations

import glob
import os
import tempfile
from pathlib import Path
from typing import Any, Sequence

from sqlglot import exp

from ..errors import EngineError
from .dialects import DUCKDB
from .runner import SqlRunner
from .schema import check_columns

__all__ = ["DuckDBRunner", "resolve_paths"]

Paths = str | os.PathLike | Sequence[str | os.PathLike]


def resolve_paths(source: Paths) -> list[str]:
    """Files named by a path, a glob or a list of them (sorted; an unmatched glob is an error)."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    out: list[str] = []
    for item in items:
        text = str(item)
        if os.path.isdir(text):
            matched = sorted(glob.glob(os.path.join(text, "*.parquet")))
        elif any(c in text for c in "*?["):
            matched = sorted(glob.glob(text))
        else:
            matched = [text] if os.path.isfile(text) else []
        if not matched:
            raise EngineError("ERROR_INVALID_PARAMETER", f"No data file matches {text!r}")
        out.extend(matched)
    return out


def parquet_files(paths: list[str], workdir: str) -> list[str]:
    """Parquet files for the inputs: JSON / JSON Lines exports are converted once (through the engine's loader)."""
    from .export import jsonl_to_parquet

    out = []
    for i, p in enumerate(paths):
        if p.endswith(".parquet"):
            out.append(p)
        else:
            target = str(Path(workdir) / f"converted-{i:04d}.parquet")
            jsonl_to_parquet(p, target)
            out.append(target)
    return out


def _quoted(name: str) -> str:
    return exp.to_identifier(name, quoted=True).sql(dialect="duckdb")


class DuckDBRunner(SqlRunner):
    """``DuckDBRunner(paths)`` over Parquet / JSONL files, or ``DuckDBRunner(connection=con, table=...)``."""

    dialect = DUCKDB

    def __init__(
        self,
        source: Paths | None = None,
        *,
        connection: Any = None,
        table: str = "jobtasks",
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | None = None,
    ) -> None:
        import duckdb

        self.table = table
        self._own = connection is None
        self.con = duckdb.connect(":memory:") if connection is None else connection
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if temp_directory:
            self.con.execute("SET temp_directory = ?", [temp_directory])
        self.con.execute("SET enable_progress_bar = false")
        self._workdir = None
        if source is not None:
            paths = resolve_paths(source)
            if not all(p.endswith(".parquet") for p in paths):
                self._workdir = tempfile.TemporaryDirectory(prefix="jobtask-duckdb-")
                paths = parquet_files(paths, self._workdir.name)
            # DuckDB takes no parameters in a view: the paths are literals written by sqlglot
            scan = exp.Anonymous(this="read_parquet", expressions=[exp.Array(expressions=[exp.Literal.string(p) for p in paths])])
            view = exp.select("*").from_(scan).sql(dialect="duckdb")
            self._run(f"CREATE OR REPLACE VIEW {_quoted(table)} AS {view}")
        names = [row[0] for row in self._run(f"DESCRIBE SELECT * FROM {_quoted(table)}").fetchall()]
        check_columns(names, f"DuckDB table {table!r}")

    def _run(self, sql: str) -> Any:
        import duckdb

        try:
            return self.con.execute(sql)
        except duckdb.Error as exc:
            raise EngineError("ERROR_DB_QUERY", f"Database query failed. (engine = duckdb, reason = {exc})") from None

    def _rows(self, sql: str) -> list[Sequence[Any]]:
        return self._run(sql).fetchall()

    def close(self) -> None:
        if self._own:
            self.con.close()
        if self._workdir is not None:
            self._workdir.cleanup()

    def __enter__(self) -> "DuckDBRunner":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
