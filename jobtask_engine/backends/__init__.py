"""SQL backends: the same list/stat requests answered by DuckDB (out of core) and Spark (distributed).

A request is parsed and checked by the engine's own parser, compiled to a
sqlglot expression tree for the JobTask table schema (``schema.py``), and
written in the engine's dialect; answers come back in the shapes
``JobTaskStore`` returns.  What an engine cannot answer exactly is refused
with ``ERROR_NOT_SUPPORTED`` (``refusals.REFUSALS``).  Needs the ``duckdb``
or ``spark`` extra (sqlglot, and the engine, imported when first used);
nothing here is imported by the core.
"""

from __future__ import annotations

from .duckdb_runner import DuckDBRunner
from .export import jsonl_to_parquet, parquet_to_jsonl, to_parquet
from .refusals import REFUSALS
from .spark_runner import SparkRunner
from .synthetic import generate_parquet

__all__ = ["DuckDBRunner", "SparkRunner", "to_parquet", "jsonl_to_parquet", "parquet_to_jsonl", "generate_parquet", "REFUSALS"]
