"""``list`` / ``stat`` answered by DuckDB or Spark (``--engine``), and ``convert`` (records -> Parquet)."""

from __future__ import annotations

import argparse
from typing import Any

from jobtask_engine.cli.inputs import UsageError, missing_extra, open_data, query_request
from jobtask_engine.cli.output import format_response
from jobtask_engine.cli.render import bar_glyph

__all__ = ["run_sql_query", "run_convert", "open_runner"]

ENGINES = ("memory", "duckdb", "spark")


def _missing_extra(engine: str, exc: ModuleNotFoundError) -> UsageError:
    return missing_extra(f"--engine {engine}", engine, exc.name)


def open_runner(args: argparse.Namespace) -> Any:
    """The runner of ``--engine`` over ``--data`` (a Parquet / JSONL path, directory or glob)."""
    try:
        if args.engine == "duckdb":
            from jobtask_engine.backends.duckdb_runner import DuckDBRunner

            return DuckDBRunner(args.data, memory_limit=args.memory_limit)
        from pyspark.sql import SparkSession

        from jobtask_engine.backends.spark_runner import SparkRunner

        spark = (
            SparkSession.builder.master(args.spark_master).appName("jobtask-engine")
            .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false").getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        return SparkRunner(spark, args.data)
    except ModuleNotFoundError as exc:
        raise _missing_extra(args.engine, exc) from None


def run_sql_query(args: argparse.Namespace) -> int:
    runner = open_runner(args)
    request = query_request(args, runner.domain_counts)
    if args.explain:
        print(runner.explain(request, args.command))
        return 0
    response = runner.list(request) if args.command == "list" else runner.stat(request)
    columns = args.columns.split(",") if args.columns else None
    print(format_response(response, args.format, columns=columns, label=args.label, value=args.value, glyph=bar_glyph()))
    return 0


def run_convert(args: argparse.Namespace) -> int:
    """Records (JSON array, JSON Lines, a saved list response, gzip or not) or a snapshot -> Parquet
    in the backends' schema (validated as on load)."""
    try:
        from jobtask_engine.backends.export import to_parquet
    except ModuleNotFoundError as exc:
        raise _missing_extra("duckdb", exc) from None
    store = open_data(args.input)
    try:
        n = to_parquet(store, args.output)
    except OSError as exc:
        raise UsageError(f"cannot convert {args.input}: {exc.strerror or exc}") from None
    print(f"jobtask-engine: wrote {n:,} job tasks to {args.output}")
    return 0
