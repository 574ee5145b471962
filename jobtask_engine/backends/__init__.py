"""SQL backends: the same list/stat requests answered by DuckDB (out of core) and Spark (distributed).

A request is parsed and checked by the engine's own parser, compiled to a
sqlglot expression tree for the JobTask table schema (``schema.py``), and
written in the engine's dialect; answers come back in the shapes
``JobTaskStore`` returns.  What an engine cannot answer exactly is refused
with ``ERROR_NOT_SUPPORTED`` (``refusals.REFUSALS``).  Needs the ``duckdb``
or ``spark`` extra; nothing here is imported by the core.
"""

from __future__ import annotations

from typing import Any

__all__ = ["DuckDBRunner", "SparkRunner", "to_parquet", "jsonl_to_parquet", "generate_parquet", "REFUSALS"]

_LAZY = {
    "DuckDBRunner": "jobtask_engine.backends.duckdb_runner",
    "SparkRunner": "jobtask_engine.backends.spark_runner",
    "to_parquet": "jobtask_engine.backends.export",
    "jsonl_to_parquet": "jobtask_engine.backends.export",
    "generate_parquet": "jobtask_engine.backends.synthetic",
    "REFUSALS": "jobtask_engine.backends.refusals",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module(module), name)
