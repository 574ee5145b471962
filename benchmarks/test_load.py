"""Bulk load of a JSON Lines file, next to msgspec decoding the same file into dicts."""

from __future__ import annotations

import msgspec
import pytest

from jobtask_engine import JobTaskStore


@pytest.mark.benchmark(group="load jsonl")
def test_load_engine(benchmark, dataset, size):
    store = benchmark(JobTaskStore.load, dataset)
    assert len(store) == size


@pytest.mark.benchmark(group="load jsonl")
def test_load_msgspec_dicts_baseline(benchmark, dataset, size):
    def decode():
        with open(dataset, "rb") as fh:
            return msgspec.json.Decoder().decode_lines(fh.read())

    records = benchmark(decode)
    assert len(records) == size
