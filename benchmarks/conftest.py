"""Fixtures of the pytest-benchmark suite: data sets and loaded stores per size.

Sizes come from ``JOBTASK_BENCH_SIZES`` (comma-separated record counts).  The
default is one small size, so that the suite runs in seconds as part of the
project's test run (CI uses ``--benchmark-disable``: each body runs once) and
never rots.  Measure for real with, e.g.::

    JOBTASK_BENCH_SIZES=10000,100000 pytest benchmarks --benchmark-only
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from benchmarks.answers import oracle
from benchmarks.datasets import dataset_path, read_jsonl

DEFAULT_SIZES = "2000"


def bench_sizes() -> list[int]:
    raw = os.environ.get("JOBTASK_BENCH_SIZES") or DEFAULT_SIZES
    return [int(s.replace("_", "")) for s in raw.split(",") if s.strip()]


@pytest.fixture(scope="session", params=bench_sizes(), ids=lambda n: f"n={n}")
def size(request) -> int:
    return request.param


@pytest.fixture(scope="session")
def dataset(size: int) -> Path:
    """The cached JSON Lines file of ``make_job_tasks(size, seed=0)``."""
    return dataset_path(size)


@pytest.fixture(scope="session")
def records(dataset: Path) -> list[dict]:
    return read_jsonl(dataset)


@pytest.fixture(scope="session")
def store(records: list[dict]):
    """One engine holding the data set; tests that change it restore it."""
    from jobtask_engine import JobTaskStore

    s = JobTaskStore()
    s.insert_many(records)
    return s


@pytest.fixture(scope="session")
def expected(records: list[dict]):
    """query name -> the oracle's summary, computed once per size."""
    cache: dict[str, object] = {}

    def get(name: str):
        if name not in cache:
            cache[name] = oracle(name, records)
        return cache[name]

    return get
