"""Three executors, one answer: the in-memory engine (the oracle), DuckDB and Spark.

``Sides`` holds one dataset on every side: a ``JobTaskStore``, its Parquet
export, a DuckDB runner and (when asked) a Spark runner over the same file.
``check`` sends one request to each and demands the oracle's answer, or the
oracle's error code, or a refusal listed in ``REFUSALS`` (any other
``ERROR_NOT_SUPPORTED`` fails).  Spark is one real ``local[2]`` session for
the whole test run, with a small driver and two shuffle partitions.
"""

from __future__ import annotations

import copy
import os
import shutil
import tempfile
from typing import Any, Callable, Iterable

import pytest

from jobtask_engine import EngineError, JobTaskStore
from jobtask_engine.backends.duckdb_runner import DuckDBRunner
from jobtask_engine.backends.export import to_parquet
from jobtask_engine.backends.refusals import NOT_SUPPORTED, is_listed

_SPARK: list = []


def spark_session():
    """The test run's one SparkSession (started on first use, stopped at exit)."""
    if not _SPARK:
        pyspark = pytest.importorskip("pyspark")
        if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
            pytest.skip("Spark needs Java")
        from pyspark.sql import SparkSession

        spark = (
            SparkSession.builder.master("local[2]")
            .appName("jobtask-engine-tests")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.driver.memory", "768m")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        spark.sparkContext.setLogLevel("ERROR")
        assert pyspark
        _SPARK.append(spark)
    return _SPARK[0]


@pytest.fixture(scope="session")
def spark():
    yield spark_session()
    if _SPARK:
        _SPARK.pop().stop()


class Sides:
    """One dataset on every side; ``close()`` removes its files."""

    def __init__(self, records: Iterable[dict], spark: Any = None) -> None:
        self.store = JobTaskStore(copy.deepcopy(list(records)))
        self._dir = tempfile.mkdtemp(prefix="jobtask-sides-")
        self.path = os.path.join(self._dir, "tasks.parquet")
        to_parquet(self.store, self.path)
        self.duckdb = DuckDBRunner(self.path, threads=1)
        self.spark = None
        if spark is not None:
            from jobtask_engine.backends.spark_runner import SparkRunner

            self.spark = SparkRunner(spark, self.path, table="jobtasks_test")

    def runners(self) -> list:
        return [r for r in (self.duckdb, self.spark) if r is not None]

    def close(self) -> None:
        self.duckdb.close()
        if self.spark is not None:
            self.spark.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> "Sides":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def _outcome(call: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "value", call()
    except EngineError as exc:
        return "error", exc


def check(sides: Sides, method: str, params: dict) -> list[str]:
    """Every runner answers as the store does, or refuses by a listed refusal; returns the refusing engines."""
    expected_kind, expected = _outcome(lambda: getattr(sides.store, method)(copy.deepcopy(params)))
    refused = []
    for runner in sides.runners():
        kind, got = _outcome(lambda: getattr(runner, method)(copy.deepcopy(params)))
        if kind == "error" and got.code == NOT_SUPPORTED:
            assert is_listed(got), f"{runner.dialect.engine}: unlisted refusal {got.message} for {params}"
            assert expected_kind == "value" or True
            refused.append(runner.dialect.engine)
            continue
        if expected_kind == "error":
            assert kind == "error", f"{runner.dialect.engine} answered {got!r} where the engine refused {expected.code}: {params}"
            assert got.code == expected.code, (runner.dialect.engine, params)
            continue
        assert kind == "value", f"{runner.dialect.engine} refused {got.code} {got.message}: {params}"
        assert got == expected, (
            f"{runner.dialect.engine} differs for {params}\n"
            f"  sql: {runner.explain(copy.deepcopy(params), method)}\n  engine: {expected}\n  {runner.dialect.engine}: {got}"
        )
    return refused
