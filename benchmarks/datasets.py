"""Workload data sets: factory records, cached as JSON Lines files.

Generating a million records takes ~15 s on a busy 2-core machine, decoding
the cached file a few seconds, so every size is generated once per seed and
kept in a cache directory (``$JOBTASK_BENCH_CACHE``, default
``<tmp>/jobtask-bench``).  DuckDB and the engine's file loader read the same
file, which is what makes the load comparison fair.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import msgspec

from jobtask_engine.testing.factories import make_job_tasks, write_jsonl

__all__ = ["cache_dir", "dataset_path", "read_jsonl"]


def cache_dir() -> Path:
    path = Path(os.environ.get("JOBTASK_BENCH_CACHE") or Path(tempfile.gettempdir()) / "jobtask-bench")
    path.mkdir(parents=True, exist_ok=True)
    return path


def dataset_path(n: int, seed: int = 0, directory: Path | None = None) -> Path:
    """The JSON Lines file of ``make_job_tasks(n, seed)``, written on first use."""
    path = (directory or cache_dir()) / f"jobtasks-{n}-seed{seed}.jsonl"
    if not path.exists():
        partial = path.with_suffix(f".{os.getpid()}.part")
        write_jsonl(make_job_tasks(n, seed), partial)
        os.replace(partial, path)  # atomic: a concurrent reader never sees half a file
    return path


def read_jsonl(path: str | os.PathLike) -> list[dict]:
    """The records of a JSON Lines file as plain dicts (msgspec, the fastest stdlib-free way)."""
    with open(path, "rb") as fh:
        return msgspec.json.Decoder().decode_lines(fh.read())
