"""One engine answering the nine workload queries, in its own process (``scale.py`` starts it).

Each worker prints one JSON object: per query the first call's and the
median later call's milliseconds, a digest of each answer (so the parent can
check that every engine gave the same answer), the time to open the data,
and the peak resident memory of the process doing the work (the Python
process for the memory engine and DuckDB, the JVM for Spark: VmHWM).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workload import QUERIES  # noqa: E402

__all__ = ["main"]


def digest(answer: Any) -> str:
    return hashlib.sha256(json.dumps(answer, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _vm_hwm_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def _time_queries(answer: Callable[[Any], Callable[[dict], dict]], repeat: int) -> dict:
    out = {}
    for q in QUERIES:
        call = answer(q.method)
        times = []
        result = None
        for _ in range(repeat):
            t = time.perf_counter()
            result = call(q.params)
            times.append((time.perf_counter() - t) * 1000)
        later = times[1:] or times
        out[q.name] = {"first_ms": times[0], "ms": statistics.median(later), "digest": digest(result)}
        print(f"  {q.name}: first {times[0]:.0f} ms, median {statistics.median(later):.0f} ms", file=sys.stderr, flush=True)
    return out


def run_memory(args: argparse.Namespace) -> dict:
    from jobtask_engine import JobTaskStore

    t = time.perf_counter()
    store = JobTaskStore.load(args.jsonl)
    opened = time.perf_counter() - t
    queries = _time_queries(lambda m: getattr(store, m), args.repeat)
    return {"open_s": opened, "queries": queries, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_duckdb(args: argparse.Namespace) -> dict:
    from jobtask_engine.backends import DuckDBRunner

    t = time.perf_counter()
    runner = DuckDBRunner(args.parquet, memory_limit=args.memory_limit, threads=args.threads,
                          temp_directory=args.temp_directory)
    opened = time.perf_counter() - t
    queries = _time_queries(lambda m: getattr(runner, m), args.repeat)
    return {"open_s": opened, "queries": queries, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "memory_limit": args.memory_limit}


def run_spark(args: argparse.Namespace) -> dict:
    from pyspark.sql import SparkSession

    from jobtask_engine.backends import SparkRunner

    t = time.perf_counter()
    spark = (
        SparkSession.builder.master(f"local[{args.threads}]")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", args.spark_memory)
        .config("spark.sql.shuffle.partitions", str(args.shuffle_partitions))
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    runner = SparkRunner(spark, args.parquet)
    opened = time.perf_counter() - t
    queries = _time_queries(lambda m: getattr(runner, m), args.repeat)
    jvm = spark.sparkContext._gateway.proc.pid
    peak = _vm_hwm_kb(jvm) / 1024
    spark.stop()
    return {"open_s": opened, "queries": queries, "peak_rss_mb": peak, "driver_memory": args.spark_memory}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("engine", choices=("memory", "duckdb", "spark"))
    p.add_argument("--parquet", help="Parquet directory or glob (duckdb, spark)")
    p.add_argument("--jsonl", help="JSON Lines file (memory)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--memory-limit", default="2GB")
    p.add_argument("--temp-directory", default=None)
    p.add_argument("--spark-memory", default="4g")
    p.add_argument("--shuffle-partitions", type=int, default=8)
    args = p.parse_args(argv)
    run = {"memory": run_memory, "duckdb": run_duckdb, "spark": run_spark}[args.engine]
    result = run(args)
    result["engine"] = args.engine
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
