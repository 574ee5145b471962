"""Bulk load of a JSON Lines file (both ingest paths), next to msgspec decoding the same file into dicts; snapshots."""

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


@pytest.mark.benchmark(group="load jsonl")
def test_insert_many_of_json_loads_dicts(benchmark, dataset, size):
    """The embedding path: the caller decodes the lines with json.loads and hands them over."""
    import json

    def load():
        with open(dataset, "rb") as fh:
            records = [json.loads(line) for line in fh]
        store = JobTaskStore()
        store.insert_many(records)
        return store

    assert len(benchmark(load)) == size


@pytest.mark.benchmark(group="snapshot")
def test_snapshot_save(benchmark, store, size, tmp_path):
    assert benchmark(store.save, tmp_path / "s.snapshot") == size


@pytest.mark.benchmark(group="snapshot")
def test_snapshot_open(benchmark, store, size, tmp_path):
    store.save(tmp_path / "s.snapshot")
    assert len(benchmark(JobTaskStore.open, tmp_path / "s.snapshot")) == size
