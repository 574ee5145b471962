"""Load one JSON Lines file in a fresh process; report load time and resident memory.

Run by ``compare.py`` as a subprocess, once per (size, mode), so that each
measurement starts from a clean heap:

    python benchmarks/memory_probe.py engine|engine-indexed|dicts-insert|dicts-insert-indexed|dicts|dicts-nogc PATH

prints one JSON object: ``{"mode", "n", "seconds", "rss_before", "rss_after",
"bytes_per_record"}``.  ``engine`` is ``JobTaskStore.load(PATH)``;
``engine-indexed`` the same, then each workload query run once and one get by
id, so that the resident set includes the indexes they build, the id index
among them (its ``seconds`` include the queries).  ``dicts-insert`` is the embedding path: each line decoded by
``json.loads`` and the list handed to ``insert_many`` (then dropped);
``dicts-insert-indexed`` adds the workload queries.  ``dicts`` is msgspec decoding the same file into plain dicts (the
baseline the load-time and memory targets compare against), with Python's
defaults; ``dicts-nogc`` is the same with the cyclic collector paused, as the
engine's bulk load pauses it (at 1M records the collector alone is more than
half of msgspec's default time).  The resident set is read after a full
garbage collection, with the loaded data still referenced.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

__all__ = ["rss_bytes", "probe"]


def rss_bytes() -> int:
    """Current resident set size of this process (Linux /proc; peak RSS elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # pragma: no cover - not Linux
        import resource

        scale = 1 if sys.platform == "darwin" else 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def _load_engine(path: str):
    from jobtask_engine import JobTaskStore

    store = JobTaskStore.load(path)
    return store, len(store)


def _indexed(load):
    """The store ``load`` builds, after the nine workload queries ran once and one record was
    read by id: the indexes they use are built, the id index too (a load leaves it to the
    first call naming a record)."""

    def run(path: str):
        from benchmarks.workload import QUERIES

        store, n = load(path)
        for q in QUERIES:
            getattr(store, q.method)(q.params)
        with open(path, "rb") as fh:
            first = json.loads(fh.readline())
        store.get(first["job_task_id"], first["domain_id"])
        return store, n

    return run


def _insert_dicts(path: str):
    """The ordinary embedding path: records decoded by the caller with ``json.loads``,
    handed to ``insert_many``, and then dropped by the caller."""
    from jobtask_engine import JobTaskStore

    with open(path, "rb") as fh:
        records = [json.loads(line) for line in fh]
    store = JobTaskStore()
    store.insert_many(records)
    del records
    return store, len(store)


def _load_dicts(path: str):
    import msgspec

    with open(path, "rb") as fh:
        records = msgspec.json.Decoder().decode_lines(fh.read())
    return records, len(records)


def _load_dicts_nogc(path: str):
    gc.disable()
    try:
        return _load_dicts(path)
    finally:
        gc.enable()


LOADERS = {
    "engine": _load_engine,
    "engine-indexed": _indexed(_load_engine),
    "dicts-insert": _insert_dicts,
    "dicts-insert-indexed": _indexed(_insert_dicts),
    "dicts": _load_dicts,
    "dicts-nogc": _load_dicts_nogc,
}


def probe(mode: str, path: str) -> dict:
    loader = LOADERS[mode]
    if mode.startswith(("engine", "dicts-insert")):  # import outside the measured window
        import jobtask_engine  # noqa: F401
        import benchmarks.workload  # noqa: F401
    import msgspec  # noqa: F401

    gc.collect()
    before = rss_bytes()
    start = time.perf_counter()
    data, n = loader(path)
    seconds = time.perf_counter() - start
    gc.collect()
    after = rss_bytes()
    result = {
        "mode": mode,
        "n": n,
        "seconds": seconds,
        "rss_before": before,
        "rss_after": after,
        "bytes_per_record": (after - before) / n if n else 0.0,
    }
    del data
    return result


if __name__ == "__main__":
    print(json.dumps(probe(sys.argv[1], sys.argv[2])))
