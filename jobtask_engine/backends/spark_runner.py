"""The Spark runner: the JobTask table as a Spark temporary view, answered by Spark SQL.

The compiled SQL is the same tree as DuckDB's, written in Spark's dialect.
The session's time zone is set to UTC: stored datetimes are UTC instants
(``TIMESTAMP_NTZ`` columns), and results carry them as epoch milliseconds.
"""

from __future__ import annotations

import tempfile
from typing import Any, Callable, Sequence

from ..errors import EngineError
from .dialects import SPARK
from .duckdb_runner import Paths, parquet_files, resolve_paths
from .runner import SqlRunner
from .schema import check_columns, spark_ddl

__all__ = ["SparkRunner"]


def _spark_call(call: Callable[[], Any]) -> Any:
    """Spark's own failures (analysis errors, JVM exceptions) as the engine's one error type."""
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]  # py4j ships no type information
    from pyspark.errors import PySparkException

    try:
        return call()
    except (PySparkException, Py4JError) as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineError("ERROR_DB_QUERY", f"Database query failed. (engine = spark, reason = {reason})") from None


class SparkRunner(SqlRunner):
    """``SparkRunner(spark, paths)`` over Parquet / JSONL files, or ``SparkRunner(spark, dataframe=df)``."""

    dialect = SPARK

    def __init__(self, spark: Any, source: Paths | None = None, *, dataframe: Any = None, table: str = "jobtasks") -> None:
        self.spark = spark
        self.table = table
        spark.conf.set("spark.sql.session.timeZone", "UTC")
        self._workdir = None
        if dataframe is None:
            if source is None:
                raise ValueError("SparkRunner needs data paths or a DataFrame")
            paths = resolve_paths(source)
            if not all(p.endswith(".parquet") for p in paths):
                self._workdir = tempfile.TemporaryDirectory(prefix="jobtask-spark-")
                paths = parquet_files(paths, self._workdir.name)
            dataframe = _spark_call(lambda: spark.read.schema(spark_ddl()).parquet(*paths))
        check_columns(list(dataframe.columns), "the Spark DataFrame")
        dataframe.createOrReplaceTempView(table)
        self.dataframe = dataframe

    def _rows(self, sql: str) -> list[Sequence[Any]]:
        return _spark_call(lambda: [tuple(r) for r in self.spark.sql(sql).collect()])

    def close(self) -> None:
        self.spark.catalog.dropTempView(self.table)
        if self._workdir is not None:
            self._workdir.cleanup()
