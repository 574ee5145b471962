"""The JobTask workload side by side: this engine, DuckDB, and the reference.

    python benchmarks/compare.py --sizes 10000,100000 [--reference-size 10000]
        [--repeat 7] [--reference-repeat 3] [--load-repeat 3] [--ops 1000]
        [--duckdb-threads N] [--no-reference] [--no-memory] [--json out.json] [--markdown out.md]
    python benchmarks/compare.py --from-json a.json b.json --markdown figures.md

For each size, in one run: the nine workload queries (``workload.py``) on the
engine and on DuckDB (same JSON Lines file, equivalent SQL) and, only at
``--reference-size`` (it needs minutes beyond ~10k), on the reference
(spaceone-core on mongomock); the median of ``--repeat`` timed calls per side,
the sides' calls taken in turns, each timed engine/DuckDB call right after a
warm-up call of its own (see ``measure_queries``).  Also: JSON Lines load time, engine vs msgspec decoding the same
file into dicts, and resident bytes per record for both (each in a fresh
subprocess); get / update / delete by id on the engine (median µs).

Every answer is cross-checked (engine vs DuckDB summaries, engine vs the
reference's full answer, the two engine stores' answers); disagreements are printed as warnings.  The
targets are evaluated at the end for the sizes that were measured.

Every engine figure is measured for the store built both ways records get in:
``load_file`` of the file, and ``insert_many`` of its lines decoded by
``json.loads`` (the ordinary embedding path); also, in fresh processes, the
time from the JSON Lines file to the first q6 answer (engine both ways, and
DuckDB's ``read_json``), and a snapshot's ``save`` and ``open`` + first q6.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402

from benchmarks import duckdb_side  # noqa: E402
from benchmarks.answers import describe_difference, summarize  # noqa: E402
from benchmarks.datasets import dataset_path, read_jsonl  # noqa: E402
from benchmarks.workload import QUERIES  # noqa: E402

__all__ = ["main", "run"]


# -- timing ----------------------------------------------------------------------


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


class Outcome:
    """Timings and the last answer of one query on one side (or the error it raised).

    Wall time is what the targets use; process CPU time is kept as well, because
    on a shared machine it is far less noisy for the single-threaded sides (it
    is not comparable for DuckDB, whose worker threads add up).  The very first
    call is kept apart as ``cold``; ``run(fn, timed=False)`` is a warm-up call.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        self.cpu_times: list[float] = []
        self.cold: float | None = None
        self.answer: Any = None
        self.error: str | None = None

    def run(self, fn: Callable[[], Any], timed: bool = True) -> None:
        if self.error is not None:
            return
        cpu = time.process_time()
        start = time.perf_counter()
        try:
            self.answer = fn()
        except Exception as exc:  # a side that cannot answer is reported, not fatal
            self.error = f"{type(exc).__name__}: {exc}"[:300]
            return
        seconds = time.perf_counter() - start
        cpu = time.process_time() - cpu
        if self.cold is None:
            self.cold = seconds
        if timed:
            self.times.append(seconds)
            self.cpu_times.append(cpu)

    @property
    def median_ms(self) -> float | None:
        if self.error is not None or not self.times:
            return None
        return statistics.median(self.times) * 1000

    @property
    def median_cpu_ms(self) -> float | None:
        if self.error is not None or not self.cpu_times:
            return None
        return statistics.median(self.cpu_times) * 1000


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


# -- measurements -----------------------------------------------------------------


def measure_queries(stores: dict[str, Any], con, reference, repeat: int, reference_repeat: int) -> dict[str, dict[str, Outcome]]:
    """side -> query -> Outcome; ``stores``: engine side name -> store (one per ingest path).

    Per query, ``repeat`` rounds (at least ``reference_repeat`` when the
    reference is measured); in a round each side in turn — the reference
    (in its first ``reference_repeat`` rounds), each engine store, DuckDB — makes an
    untimed warm-up call and then a timed call of the same query, the engine stores
    taking the first turn by rotation (the two ingest paths are compared on calls made
    in the same positions of the rounds).  So every
    side's timed calls are spread over the same stretch of time (this machine
    has slow and fast spells of up to ~1.5x), and no timed call pays for the
    caches another side just emptied (measured: right after a reference call
    the engine's q1 at 10k takes about twice as long).  Each side's first
    call of a query is kept as ``cold``.
    """
    sides: dict[str, dict[str, Outcome]] = {name: {} for name in stores}
    sides["duckdb"] = {}
    if reference is not None:
        sides["reference"] = {}
    rounds = max(repeat, reference_repeat if reference is not None else 0, 1)
    for q in QUERIES:
        engines = [(sides[name].setdefault(q.name, Outcome()), getattr(store, q.method)) for name, store in stores.items()]
        duck = sides["duckdb"][q.name] = Outcome()
        ref = None
        if reference is not None:
            ref = sides["reference"][q.name] = Outcome()
        runner = duckdb_side.RUNNERS[q.name]
        ref_method = getattr(reference, q.method) if reference is not None else None
        for i in range(rounds):
            turns = [(side, lambda method=method: method(q.params)) for side, method in engines]
            shift = i % len(turns)
            turns = turns[shift:] + turns[:shift]  # each store first in turn: none always follows DuckDB
            turns.append((duck, lambda: runner(con)))
            if ref is not None and i < max(1, reference_repeat):
                turns.insert(0, (ref, lambda: ref_method(q.params)))
            for side, call in turns:
                side.run(call, timed=False)
                side.run(call)
    return sides


def _insert_json_loads(path: Path):
    """The embedding path: the caller decodes each line with ``json.loads`` and hands the
    list to ``insert_many`` (then drops it)."""
    from jobtask_engine import JobTaskStore

    with open(path, "rb") as fh:
        records = [json.loads(line) for line in fh]
    store = JobTaskStore()
    store.insert_many(records)
    return store


def load_reference_from(path: Path):
    """(seconds, ReferenceService) holding the data set, bulk-loaded."""
    from benchmarks.reference_side import load_reference

    records = read_jsonl(path)
    return _timed(lambda: load_reference(records))


def _sample_ids(path: Path, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` distinct (job_task_id, domain_id) pairs from the file, decoding only those lines."""
    with open(path, "rb") as fh:
        lines = fh.read().splitlines()
    picks = random.Random(seed).sample(range(len(lines)), min(count, len(lines)))
    decode = msgspec.json.Decoder().decode
    return [(r["job_task_id"], r["domain_id"]) for r in map(decode, (lines[i] for i in picks))]


def measure_by_id(store, path: Path, count: int) -> dict[str, float]:
    """Median µs of get, update and delete by id over ``count`` random records (deletes them)."""
    ids = _sample_ids(path, count, seed=4)
    result: dict[str, float] = {}
    operations: list[tuple[str, Callable[[str, str, int], Any]]] = [
        ("get", lambda tid, dom, i: store.get(tid, dom)),
        ("update", lambda tid, dom, i: store.update(tid, dom, {"updated_count": i, "status": "SUCCESS"})),
        ("delete", lambda tid, dom, i: store.delete(tid, dom)),
    ]
    for name, op in operations:
        samples = []
        for i, (tid, dom) in enumerate(ids):
            start = time.perf_counter_ns()
            op(tid, dom, i)
            samples.append(time.perf_counter_ns() - start)
        result[name] = statistics.median(samples) / 1000 if samples else float("nan")
    return result


def _run_probe(script: str, *args: str) -> dict:
    """The JSON object a probe script prints last, run in a fresh process."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *args],
        check=True,
        capture_output=True,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _probe(mode: str, path: Path) -> dict:
    return _run_probe("memory_probe.py", mode, str(path))


def measure_load_and_memory(path: Path, repeat: int) -> dict:
    """Load seconds (median) and bytes/record for the engine and for plain dicts, fresh processes.

    The engine is measured both ways records get in: ``engine`` (``load_file``)
    and ``dicts-insert`` (``insert_many`` of ``json.loads``-ed dicts), each also
    once the workload built its indexes.

    The dict baseline is measured twice: with Python's defaults (``dicts``, what
    the target compares against) and with the cyclic collector paused
    (``dicts-nogc``, as the engine's bulk load runs), the stricter yardstick.
    """
    runs: dict[str, list[dict]] = {
        mode: [] for mode in ("engine", "engine-indexed", "dicts-insert", "dicts-insert-indexed", "dicts", "dicts-nogc")
    }
    for _ in range(max(1, repeat)):
        for mode in runs:  # alternate, so all see the same machine load
            runs[mode].append(_probe(mode, path))
    summary: dict[str, Any] = {}
    for mode, probes in runs.items():
        summary[mode] = {
            "seconds": statistics.median(p["seconds"] for p in probes),
            "bytes_per_record": statistics.median(p["bytes_per_record"] for p in probes),
        }
    summary["load_ratio"] = _ratio(summary["engine"]["seconds"], summary["dicts"]["seconds"])
    summary["load_ratio_nogc"] = _ratio(summary["engine"]["seconds"], summary["dicts-nogc"]["seconds"])
    return summary


def _first_answer_probe(mode: str, path: Path, snapshot: Path) -> dict:
    return _run_probe("first_answer.py", mode, str(path), str(snapshot))


def measure_first_answers(path: Path, repeat: int) -> dict:
    """Seconds (minimum of ``repeat`` fresh processes, taking turns) from a file to the first q6
    answer: engine ``load_file``, engine ``insert_many`` of ``json.loads``-ed dicts, DuckDB
    ``read_json``; and the snapshot's ``save`` and ``open`` + first q6.  The minimum, because
    on a shared machine the slow runs measure the neighbours."""
    snapshot = path.with_suffix(f".{os.getpid()}.snapshot")
    modes = ("engine-file", "engine-dicts", "duckdb", "snapshot-save", "snapshot-open")
    runs: dict[str, list[float]] = {mode: [] for mode in modes}
    try:
        for _ in range(max(1, repeat)):
            for mode in modes:  # save before open, each round
                runs[mode].append(_first_answer_probe(mode, path, snapshot)["seconds"])
        size = snapshot.stat().st_size
    finally:
        snapshot.unlink(missing_ok=True)
    summary: dict[str, Any] = {mode: min(times) for mode, times in runs.items()}
    summary["snapshot_bytes"] = size
    summary["file_over_duckdb"] = _ratio(summary["engine-file"], summary["duckdb"])
    summary["dicts_over_duckdb"] = _ratio(summary["engine-dicts"], summary["duckdb"])
    return summary


# -- cross-checks ------------------------------------------------------------------


def cross_check(engine: dict, duck: dict, reference: dict | None, other: dict | None = None) -> dict[str, str]:
    """Per query: 'ok', or what disagrees (engine vs DuckDB summaries, engine vs reference answers,
    and the engine store built by ``insert_many`` (``other``) vs the one ``load_file`` built)."""
    checks: dict[str, str] = {}
    for q in QUERIES:
        e, d = engine[q.name], duck[q.name]
        problems = []
        if other is not None and other[q.name].answer != e.answer:
            problems.append("insert_many store answers differently from the load_file store")
        if e.error:
            problems.append(f"engine error: {e.error}")
        if d.error:
            problems.append(f"duckdb error: {d.error}")
        if not problems:
            diff = describe_difference(duckdb_side.summarize(q.name, d.answer), summarize(q.name, e.answer))
            if diff != "same":
                problems.append(f"engine vs duckdb: {diff}")
        if reference is not None:
            r = reference[q.name]
            if r.error:
                problems.append(f"reference error: {r.error}")
            elif not e.error and r.answer != e.answer:
                diff = describe_difference(summarize(q.name, r.answer), summarize(q.name, e.answer))
                problems.append(f"engine vs reference: {diff if diff != 'same' else 'answers differ in detail'}")
        checks[q.name] = "; ".join(problems) or "ok"
    return checks


# -- one size ------------------------------------------------------------------------


def run_size(n: int, args: argparse.Namespace, log: Callable[[str], None]) -> dict:
    from jobtask_engine import JobTaskStore

    path = dataset_path(n, args.seed)
    result: dict[str, Any] = {"size": n, "dataset": str(path)}
    if not args.no_memory:
        log(f"[{n}] load + memory probes ({args.load_repeat}x, fresh processes)")
        result["load"] = measure_load_and_memory(path, args.load_repeat)

    if not args.no_first_answer:
        log(f"[{n}] time to first answer + snapshot save/open ({args.load_repeat}x, fresh processes)")
        result["first_answer"] = measure_first_answers(path, args.load_repeat)

    log(f"[{n}] loading engine (load_file; insert_many of json.loads dicts) and DuckDB")
    gc.collect()
    result["engine_load_seconds"], store = _timed(lambda: JobTaskStore.load(path))
    result["engine_dicts_load_seconds"], dict_store = _timed(lambda: _insert_json_loads(path))
    con = duckdb_side.connect(args.duckdb_threads)
    result["duckdb_load_seconds"], _ = _timed(lambda: duckdb_side.load_jsonl(con, path))

    reference = None
    if not args.no_reference and n == args.reference_size:
        log(f"[{n}] loading the reference (bulk)")
        result["reference_load_seconds"], reference = load_reference_from(path)

    log(f"[{n}] queries: warm-up + {args.repeat} timed calls per side"
        + (f", {args.reference_repeat} on the reference (minutes)" if reference is not None else ""))
    sides = measure_queries({"engine": store, "engine_dicts": dict_store}, con, reference, args.repeat, args.reference_repeat)
    con.close()
    del reference
    engine, dicts, duck, ref = sides["engine"], sides["engine_dicts"], sides["duckdb"], sides.get("reference")

    checks = cross_check(engine, duck, ref, dicts)
    result["queries"] = {}
    for q in QUERIES:
        e, i, d = engine[q.name], dicts[q.name], duck[q.name]
        r = ref[q.name] if ref else None
        e_ms, i_ms, d_ms = e.median_ms, i.median_ms, d.median_ms
        r_ms = r.median_ms if r else None
        result["queries"][q.name] = {
            "title": q.title,
            "engine_ms": e_ms,
            "engine_cpu_ms": e.median_cpu_ms,
            "engine_cold_ms": None if e.cold is None else e.cold * 1000,
            "engine_dicts_ms": i_ms,
            "engine_dicts_cpu_ms": i.median_cpu_ms,
            "engine_dicts_cold_ms": None if i.cold is None else i.cold * 1000,
            "dicts_over_file": _ratio(i_ms, e_ms),
            "dicts_over_file_cpu": _ratio(i.median_cpu_ms, e.median_cpu_ms),
            "duckdb_ms": d_ms,
            "duckdb_cpu_ms": d.median_cpu_ms,
            "reference_ms": r_ms,
            "reference_cpu_ms": r.median_cpu_ms if r else None,
            "engine_over_duckdb": _ratio(e_ms, d_ms),
            "engine_dicts_over_duckdb": _ratio(i_ms, d_ms),
            "reference_over_engine": _ratio(r_ms, e_ms),
            "reference_over_engine_cpu": _ratio(r.median_cpu_ms, e.median_cpu_ms) if r else None,
            "check": checks[q.name],
        }
    log(f"[{n}] get / update / delete by id ({args.ops} each)")
    result["by_id_us"] = measure_by_id(store, path, args.ops)
    result["engine_dicts_by_id_us"] = measure_by_id(dict_store, path, args.ops)
    del store, dict_store
    gc.collect()
    return result


# -- report ---------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_size(res: dict) -> str:
    lines = [f"\n== {res['size']:,} records ==", ""]
    head = (
        f"{'query':<24}{'engine ms':>10}{'(cpu)':>8}{'first':>8}{'dicts ms':>9}{'first':>8}{'d/f cpu':>8}"
        f"{'duckdb ms':>10}{'ref ms':>9}{'eng/duck':>9}{'ref/eng':>8}{'(cpu)':>7}  check"
    )
    lines.append("(engine: store built by load_file; dicts: by insert_many of json.loads-ed dicts; "
                 "d/f cpu: dicts over engine, CPU time)")
    lines.append(head)
    lines.append("-" * len(head))
    for name, q in res["queries"].items():
        lines.append(
            f"{name:<24}{_fmt(q['engine_ms']):>10}{_fmt(q['engine_cpu_ms']):>8}{_fmt(q.get('engine_cold_ms'), 0):>8}"
            f"{_fmt(q.get('engine_dicts_ms')):>9}{_fmt(q.get('engine_dicts_cold_ms'), 0):>8}"
            f"{_fmt(q.get('dicts_over_file_cpu')):>8}{_fmt(q['duckdb_ms']):>10}"
            f"{_fmt(q['reference_ms'], 0):>9}{_fmt(q['engine_over_duckdb']):>9}"
            f"{_fmt(q['reference_over_engine'], 0):>8}{_fmt(q['reference_over_engine_cpu'], 0):>7}  {q['check']}"
        )
    ratios = [q["engine_over_duckdb"] for q in res["queries"].values() if q["engine_over_duckdb"] is not None]
    if ratios:
        lines.append(f"engine/duckdb: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    lines.append(
        f"load into memory (main process): engine load_file {res['engine_load_seconds']:.2f} s, "
        f"insert_many of json.loads dicts {res.get('engine_dicts_load_seconds', float('nan')):.2f} s, "
        f"duckdb {res['duckdb_load_seconds']:.2f} s"
        + (f", reference (bulk) {res['reference_load_seconds']:.1f} s" if "reference_load_seconds" in res else "")
    )
    if "load" in res:
        load = res["load"]
        nogc = load.get("dicts-nogc")
        lines.append(
            f"JSONL load (fresh process): engine {load['engine']['seconds']:.3f} s, msgspec->dicts "
            f"{load['dicts']['seconds']:.3f} s, ratio {_fmt(load['load_ratio'])}"
            + (
                f" (vs msgspec with gc paused {nogc['seconds']:.3f} s: {_fmt(load.get('load_ratio_nogc'))})"
                if nogc else ""
            )
        )
        lines.append(
            f"resident bytes/record: engine load_file {load['engine']['bytes_per_record']:.0f} "
            f"({_indexed_bytes(load)} once the workload built its indexes), "
            f"insert_many {_bytes(load, 'dicts-insert')} ({_bytes(load, 'dicts-insert-indexed')}), "
            f"plain dicts {load['dicts']['bytes_per_record']:.0f}"
        )
    for label, key in (("load_file store", "by_id_us"), ("insert_many store", "engine_dicts_by_id_us")):
        ops = res.get(key)
        if ops:
            lines.append(
                f"by id, {label} (median µs): get {ops['get']:.1f}, update {ops['update']:.1f}, delete {ops['delete']:.1f}"
            )
    first = res.get("first_answer")
    if first:
        lines.append(
            f"first q6 answer from the JSONL file (fresh process, min): engine load_file {first['engine-file']:.2f} s, "
            f"insert_many of json.loads dicts {first['engine-dicts']:.2f} s, DuckDB read_json {first['duckdb']:.2f} s "
            f"(ratios {_fmt(first['file_over_duckdb'])} / {_fmt(first['dicts_over_duckdb'])})"
        )
        lines.append(
            f"snapshot ({first['snapshot_bytes'] / 1e6:.1f} MB): save {first['snapshot-save']:.2f} s, "
            f"open + first q6 {first['snapshot-open']:.2f} s"
        )
    return "\n".join(lines)


def _bytes(load: dict, mode: str) -> str:
    got = load.get(mode)
    return "-" if got is None else f"{got['bytes_per_record']:.0f}"


def _indexed_bytes(load: dict) -> str:
    indexed = load.get("engine-indexed")
    return "-" if indexed is None else f"{indexed['bytes_per_record']:.0f}"


def format_markdown(report: dict) -> str:
    """The figures as Markdown tables (for the README), with the command that produced them."""
    sizes = report["sizes"]
    env = report["environment"]
    lines = [
        "Command: " + " and ".join(f"`{c}`" for c in report["command"].split("\n")) + "  ",
        f"CPython {env['python']}, {env['cpus']} CPUs, DuckDB {env['duckdb']}, {env['time']}.",
        "",
    ]
    for res in sizes:
        with_ref = any(q["reference_ms"] is not None for q in res["queries"].values())
        head = ["query", "engine ms", "engine first call ms", "insert_many store ms", "its first call ms",
                "DuckDB ms", "engine/DuckDB"]
        if with_ref:
            head += ["reference ms", "reference/engine", "reference/engine (CPU time)"]
        lines += [f"**{res['size']:,} records**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, q in res["queries"].items():
            row = [name, _fmt(q["engine_ms"]), _fmt(q.get("engine_cold_ms")), _fmt(q.get("engine_dicts_ms")),
                   _fmt(q.get("engine_dicts_cold_ms")), _fmt(q["duckdb_ms"]), _fmt(q["engine_over_duckdb"])]
            if with_ref:
                row += [
                    _fmt(q["reference_ms"], 0),
                    _fmt(q["reference_over_engine"], 0),
                    _fmt(q.get("reference_over_engine_cpu"), 0),
                ]
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
    lines += ["| | " + " | ".join(f"{r['size']:,}" for r in sizes) + " |", "|---|" + "---|" * len(sizes)]

    def extra(label: str, cell: Callable[[dict], str]) -> None:
        lines.append(f"| {label} | " + " | ".join(cell(r) for r in sizes) + " |")

    def ratio(r: dict) -> str:
        ops = r["queries"].values()
        rs = [q["engine_over_duckdb"] for q in ops if q["engine_over_duckdb"] is not None]
        return f"{statistics.median(rs):.2f} / {max(rs):.2f}" if rs else "-"

    extra("engine/DuckDB median / max", ratio)
    extra(
        "JSONL load s: engine / msgspec→dicts (ratio)",
        lambda r: f"{r['load']['engine']['seconds']:.2f} / {r['load']['dicts']['seconds']:.2f} "
        f"({_fmt(r['load']['load_ratio'])})" if "load" in r else "-",
    )
    extra(
        "msgspec→dicts with gc paused: s (engine / it)",
        lambda r: f"{r['load']['dicts-nogc']['seconds']:.2f} ({_fmt(r['load'].get('load_ratio_nogc'))})"
        if "load" in r and "dicts-nogc" in r["load"] else "-",
    )
    extra(
        "get / update / delete by id, median µs",
        lambda r: " / ".join(f"{r['by_id_us'][k]:.0f}" for k in ("get", "update", "delete")),
    )
    extra(
        "resident bytes/record: engine / engine with the workload's indexes / plain dicts",
        lambda r: f"{r['load']['engine']['bytes_per_record']:.0f} / {_indexed_bytes(r['load'])} / "
        f"{r['load']['dicts']['bytes_per_record']:.0f}"
        if "load" in r else "-",
    )
    extra(
        "resident bytes/record, insert_many of json.loads dicts: loaded / with the workload's indexes",
        lambda r: f"{_bytes(r['load'], 'dicts-insert')} / {_bytes(r['load'], 'dicts-insert-indexed')}" if "load" in r else "-",
    )
    extra(
        "get / update / delete by id, insert_many store, median µs",
        lambda r: " / ".join(f"{r['engine_dicts_by_id_us'][k]:.0f}" for k in ("get", "update", "delete"))
        if "engine_dicts_by_id_us" in r else "-",
    )
    extra(
        "JSONL → first q6 s: engine load_file / insert_many of json.loads / DuckDB read_json",
        lambda r: f"{r['first_answer']['engine-file']:.2f} / {r['first_answer']['engine-dicts']:.2f} / "
        f"{r['first_answer']['duckdb']:.2f}" if "first_answer" in r else "-",
    )
    extra(
        "snapshot: MB / save s / open + first q6 s",
        lambda r: f"{r['first_answer']['snapshot_bytes'] / 1e6:.0f} / {r['first_answer']['snapshot-save']:.2f} / "
        f"{r['first_answer']['snapshot-open']:.2f}" if "first_answer" in r else "-",
    )
    lines += ["", "| target | figure | status |", "|---|---|---|"]
    lines += [f"| {t} | {f} | {v} |" for t, f, v in report["targets"]]
    return "\n".join(lines) + "\n"


def evaluate_targets(results: list[dict]) -> list[tuple[str, str, str]]:
    """(target, figure, MET / MISSED / not measured): the workload targets, then the storage
    targets (compact columns, the same store whatever the ingest path, snapshots)."""
    by_size = {r["size"]: r for r in results}
    out = []

    def add(target: str, size: int, figure: Callable[[dict], tuple[str, bool] | None]) -> None:
        res = by_size.get(size)
        got = figure(res) if res else None
        if got is None:
            out.append((target, "-", "not measured"))
        else:
            out.append((target, got[0], "MET" if got[1] else "MISSED"))

    def ref_ratios(res):
        ratios = [q["reference_over_engine"] for q in res["queries"].values()]
        if any(r is None for r in ratios):
            return None
        return f"min {min(ratios):.0f}x", min(ratios) >= 100

    def duck_ratios(limit_median, limit_max):
        def figure(res):
            ratios = [q["engine_over_duckdb"] for q in res["queries"].values()]
            if any(r is None for r in ratios):
                return None
            med, top = statistics.median(ratios), max(ratios)
            ok = (limit_median is None or med <= limit_median) and top <= limit_max
            return f"median {med:.2f}, max {top:.2f}", ok

        return figure

    def load_ratio(res):
        if "load" not in res or res["load"]["load_ratio"] is None:
            return None
        strict = res["load"].get("load_ratio_nogc")
        extra = f" (vs msgspec with gc paused: {strict:.2f}x)" if strict else ""
        return f"{res['load']['load_ratio']:.2f}x{extra}", res["load"]["load_ratio"] <= 2.0

    def by_id(res):
        ops = res["by_id_us"]
        top = max(ops.values())
        return ", ".join(f"{k} {v:.1f} µs" for k, v in ops.items()), top <= 50

    def memory(res):
        if "load" not in res:
            return None
        b = res["load"]["engine"]["bytes_per_record"]
        return f"{b:.0f} B/record loaded ({_indexed_bytes(res['load'])} with the workload's indexes built)", b <= 500

    def both_memory(mode_file: str, mode_dicts: str, limit: float):
        def figure(res):
            load = res.get("load") or {}
            if mode_file not in load or mode_dicts not in load:
                return None
            a, b = load[mode_file]["bytes_per_record"], load[mode_dicts]["bytes_per_record"]
            return f"load_file {a:.0f}, insert_many {b:.0f} B/record", max(a, b) <= limit

        return figure

    def paths_equal(res):
        # Process CPU time: both stores are single-threaded, and on a shared machine their
        # wall times differ by the neighbours' spells far more than by anything of their own.
        ratios = [q.get("dicts_over_file_cpu") for q in res["queries"].values()]
        if not ratios or any(r is None for r in ratios):
            return None
        worst = max(max(ratios), 1 / min(ratios))
        return f"worst {worst:.2f}x apart (CPU time)", worst <= 1.15

    def stat_vs_duck(res):
        stats = [q["engine_over_duckdb"] for name, q in res["queries"].items() if name[:2] in ("q6", "q7", "q8", "q9")]
        ratios = [q["engine_over_duckdb"] for q in res["queries"].values()]
        if any(r is None for r in ratios):
            return None
        med = statistics.median(ratios)
        return f"stat max {max(stats):.2f}, median of nine {med:.2f}", max(stats) <= 1.0 and med <= 0.5

    def first_calls(res):
        cold = [v for q in res["queries"].values() for v in (q.get("engine_cold_ms"), q.get("engine_dicts_cold_ms"))]
        if any(v is None for v in cold):
            return None
        return f"max {max(cold):.0f} ms", max(cold) <= 150

    def first_answer(res):
        first = res.get("first_answer")
        if not first:
            return None
        worst = max(first["file_over_duckdb"], first["dicts_over_duckdb"])
        return (f"load_file {first['file_over_duckdb']:.2f}x, insert_many {first['dicts_over_duckdb']:.2f}x DuckDB",
                worst <= 1.0)

    def snapshot(res):
        first = res.get("first_answer")
        if not first:
            return None
        return (f"save {first['snapshot-save']:.2f} s, open + q6 {first['snapshot-open']:.2f} s",
                first["snapshot-save"] <= 2.0 and first["snapshot-open"] <= 1.0)

    def by_id_both(res):
        ops = {**{f"file {k}": v for k, v in res["by_id_us"].items()},
               **{f"dicts {k}": v for k, v in res.get("engine_dicts_by_id_us", {}).items()}}
        return f"max {max(ops.values()):.1f} µs", max(ops.values()) <= 50

    add("10k: every query >= 100x faster than the reference", 10_000, ref_ratios)
    add("100k: engine/DuckDB median <= 1.0, none > 3.0", 100_000, duck_ratios(1.0, 3.0))
    add("1M: no query > 5x DuckDB", 1_000_000, duck_ratios(None, 5.0))
    add("1M: JSONL load <= 2x msgspec decode", 1_000_000, load_ratio)
    add("1M: get/update/delete median <= 50 µs", 1_000_000, by_id)
    add("1M: resident memory <= 500 B/record", 1_000_000, memory)
    # compact columns, whatever the ingest path
    add("1M: resident <= 300 B/record loaded, either path", 1_000_000, both_memory("engine", "dicts-insert", 300))
    add("1M: resident <= 400 B/record with the workload's indexes, either path", 1_000_000,
        both_memory("engine-indexed", "dicts-insert-indexed", 400))
    add("1M: query times of the two paths within 15 % (CPU time)", 1_000_000, paths_equal)
    add("1M: stat q6-q9 <= 1.0x DuckDB, median of nine <= 0.5x", 1_000_000, stat_vs_duck)
    add("100k: no query above 1.0x DuckDB", 100_000, duck_ratios(None, 1.0))
    add("1M: first call of each query after a load <= 150 ms", 1_000_000, first_calls)
    add("1M: JSONL -> first q6 answer <= 1.0x DuckDB", 1_000_000, first_answer)
    add("1M: snapshot save <= 2 s, open + first q6 <= 1.0 s", 1_000_000, snapshot)
    add("1M: get/update/delete <= 50 µs, both paths", 1_000_000, by_id_both)
    return out


def environment() -> dict:
    import duckdb

    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "duckdb": duckdb.__version__,
        "msgspec": msgspec.__version__,
        "time": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


# -- entry point ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="comma-separated record counts")
    p.add_argument("--reference-size", type=int, default=10_000, help="the size the reference also runs at")
    p.add_argument("--no-reference", action="store_true", help="skip the reference entirely")
    p.add_argument("--repeat", type=int, default=7, help="timed calls per query and side (after a warm-up)")
    p.add_argument("--reference-repeat", type=int, default=3, help="timed calls per query on the reference")
    p.add_argument("--load-repeat", type=int, default=3, help="fresh-process load probes per mode")
    p.add_argument("--no-memory", action="store_true", help="skip the load/memory subprocess probes")
    p.add_argument("--no-first-answer", action="store_true", help="skip the time-to-first-answer and snapshot probes")
    p.add_argument("--ops", type=int, default=1000, help="records sampled for get/update/delete")
    p.add_argument("--duckdb-threads", type=int, default=None, help="DuckDB threads (default: all cores)")
    p.add_argument("--seed", type=int, default=0, help="make_job_tasks seed")
    p.add_argument("--json", dest="json_path", default=None, help="also write all figures to this JSON file")
    p.add_argument("--markdown", default=None, help="also write the figures as Markdown tables to this file")
    p.add_argument(
        "--from-json", nargs="+", default=None, metavar="FILE",
        help="measure nothing: print (and --markdown) the figures of saved --json reports, merged",
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    args = p.parse_args(argv)
    args.size_list = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    args.argv = list(sys.argv[1:] if argv is None else argv)
    return args


def run(args: argparse.Namespace, out: Callable[[str], None] = print) -> dict:
    """Measure every size, print the tables and targets; returns the JSON-able report."""
    log = (lambda msg: None) if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    report: dict[str, Any] = {
        "command": "python benchmarks/compare.py " + " ".join(args.argv),
        "environment": environment(),
        "arguments": {k: v for k, v in vars(args).items() if k not in ("size_list", "argv")},
        "sizes": [],
    }
    out(
        f"jobtask-engine workload: Python {report['environment']['python']}, "
        f"{report['environment']['cpus']} CPUs, DuckDB {report['environment']['duckdb']}"
    )
    for n in args.size_list:
        res = run_size(n, args, log)
        report["sizes"].append(res)
        out(format_size(res))
    warnings = [
        f"{res['size']}: {name}: {q['check']}"
        for res in report["sizes"]
        for name, q in res["queries"].items()
        if q["check"] != "ok"
    ]
    if warnings:
        out("\nWARNING: answers disagree:\n  " + "\n  ".join(warnings))
    report["targets"] = evaluate_targets(report["sizes"])
    out("\ntargets:")
    for target, figure, verdict in report["targets"]:
        out(f"  [{verdict:^12}] {target}: {figure}")
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(report, indent=2, default=str))
    if args.markdown:
        Path(args.markdown).write_text(format_markdown(report))
    return report


def merge_reports(paths: list[str]) -> dict:
    """One report from several saved ``--json`` reports (e.g. a 10k/100k run and a 1M run)."""
    reports = [json.loads(Path(p).read_text()) for p in paths]
    merged = {
        "command": "\n".join(r["command"] for r in reports),
        "environment": reports[-1]["environment"],
        "sizes": sorted((s for r in reports for s in r["sizes"]), key=lambda s: s["size"]),
    }
    merged["targets"] = evaluate_targets(merged["sizes"])
    return merged


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.from_json:
        report = merge_reports(args.from_json)
        for res in report["sizes"]:
            print(format_size(res))
        print("\ntargets:")
        for target, figure, verdict in report["targets"]:
            print(f"  [{verdict:^12}] {target}: {figure}")
        if args.markdown:
            Path(args.markdown).write_text(format_markdown(report))
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
