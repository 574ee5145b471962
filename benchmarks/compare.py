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
reference's full answer); disagreements are printed as warnings.  The issue-4
targets are evaluated at the end for the sizes that were measured.
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


def measure_queries(store, con, reference, repeat: int, reference_repeat: int) -> dict[str, dict[str, Outcome]]:
    """side -> query -> Outcome.

    Per query, ``repeat`` rounds (at least ``reference_repeat`` when the
    reference is measured); in a round each side in turn — the reference
    (in its first ``reference_repeat`` rounds), the engine, DuckDB — makes an
    untimed warm-up call and then a timed call of the same query.  So every
    side's timed calls are spread over the same stretch of time (this machine
    has slow and fast spells of up to ~1.5x), and no timed call pays for the
    caches another side just emptied (measured: right after a reference call
    the engine's q1 at 10k takes about twice as long).  Each side's first
    call of a query is kept as ``cold``.
    """
    sides: dict[str, dict[str, Outcome]] = {"engine": {}, "duckdb": {}}
    if reference is not None:
        sides["reference"] = {}
    rounds = max(repeat, reference_repeat if reference is not None else 0, 1)
    for q in QUERIES:
        engine = sides["engine"][q.name] = Outcome()
        duck = sides["duckdb"][q.name] = Outcome()
        ref = None
        if reference is not None:
            ref = sides["reference"][q.name] = Outcome()
        method = getattr(store, q.method)
        runner = duckdb_side.RUNNERS[q.name]
        ref_method = getattr(reference, q.method) if reference is not None else None
        for i in range(rounds):
            turns = [(engine, lambda: method(q.params)), (duck, lambda: runner(con))]
            if ref is not None and i < max(1, reference_repeat):
                turns.insert(0, (ref, lambda: ref_method(q.params)))
            for side, call in turns:
                side.run(call, timed=False)
                side.run(call)
    return sides


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


def _probe(mode: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "memory_probe.py"), mode, str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_load_and_memory(path: Path, repeat: int) -> dict:
    """Load seconds (median) and bytes/record for the engine and for plain dicts, fresh processes.

    The dict baseline is measured twice: with Python's defaults (``dicts``, what
    the target compares against) and with the cyclic collector paused
    (``dicts-nogc``, as the engine's bulk load runs), the stricter yardstick.
    """
    runs: dict[str, list[dict]] = {"engine": [], "engine-indexed": [], "dicts": [], "dicts-nogc": []}
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


# -- cross-checks ------------------------------------------------------------------


def cross_check(engine: dict, duck: dict, reference: dict | None) -> dict[str, str]:
    """Per query: 'ok', or what disagrees (engine vs DuckDB summaries, engine vs reference answers)."""
    checks: dict[str, str] = {}
    for q in QUERIES:
        e, d = engine[q.name], duck[q.name]
        problems = []
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

    log(f"[{n}] loading engine and DuckDB")
    gc.collect()
    result["engine_load_seconds"], store = _timed(lambda: JobTaskStore.load(path))
    con = duckdb_side.connect(args.duckdb_threads)
    result["duckdb_load_seconds"], _ = _timed(lambda: duckdb_side.load_jsonl(con, path))

    reference = None
    if not args.no_reference and n == args.reference_size:
        log(f"[{n}] loading the reference (bulk)")
        result["reference_load_seconds"], reference = load_reference_from(path)

    log(f"[{n}] queries: warm-up + {args.repeat} timed calls per side"
        + (f", {args.reference_repeat} on the reference (minutes)" if reference is not None else ""))
    sides = measure_queries(store, con, reference, args.repeat, args.reference_repeat)
    con.close()
    del reference
    engine, duck, ref = sides["engine"], sides["duckdb"], sides.get("reference")

    checks = cross_check(engine, duck, ref)
    result["queries"] = {}
    for q in QUERIES:
        e, d = engine[q.name], duck[q.name]
        r = ref[q.name] if ref else None
        e_ms, d_ms = e.median_ms, d.median_ms
        r_ms = r.median_ms if r else None
        result["queries"][q.name] = {
            "title": q.title,
            "engine_ms": e_ms,
            "engine_cpu_ms": e.median_cpu_ms,
            "engine_cold_ms": None if e.cold is None else e.cold * 1000,
            "duckdb_ms": d_ms,
            "duckdb_cpu_ms": d.median_cpu_ms,
            "reference_ms": r_ms,
            "reference_cpu_ms": r.median_cpu_ms if r else None,
            "engine_over_duckdb": _ratio(e_ms, d_ms),
            "reference_over_engine": _ratio(r_ms, e_ms),
            "reference_over_engine_cpu": _ratio(r.median_cpu_ms, e.median_cpu_ms) if r else None,
            "check": checks[q.name],
        }
    log(f"[{n}] get / update / delete by id ({args.ops} each)")
    result["by_id_us"] = measure_by_id(store, path, args.ops)
    del store
    gc.collect()
    return result


# -- report ---------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_size(res: dict) -> str:
    lines = [f"\n== {res['size']:,} records ==", ""]
    head = (
        f"{'query':<24}{'engine ms':>10}{'(cpu)':>8}{'duckdb ms':>10}{'ref ms':>9}"
        f"{'eng/duck':>9}{'ref/eng':>8}{'(cpu)':>7}  check"
    )
    lines.append(head)
    lines.append("-" * len(head))
    for name, q in res["queries"].items():
        lines.append(
            f"{name:<24}{_fmt(q['engine_ms']):>10}{_fmt(q['engine_cpu_ms']):>8}{_fmt(q['duckdb_ms']):>10}"
            f"{_fmt(q['reference_ms'], 0):>9}{_fmt(q['engine_over_duckdb']):>9}"
            f"{_fmt(q['reference_over_engine'], 0):>8}{_fmt(q['reference_over_engine_cpu'], 0):>7}  {q['check']}"
        )
    ratios = [q["engine_over_duckdb"] for q in res["queries"].values() if q["engine_over_duckdb"] is not None]
    if ratios:
        lines.append(f"engine/duckdb: median {statistics.median(ratios):.2f}, max {max(ratios):.2f}")
    lines.append(
        f"load into memory (main process): engine {res['engine_load_seconds']:.2f} s, "
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
            f"resident bytes/record: engine {load['engine']['bytes_per_record']:.0f} "
            f"({_indexed_bytes(load)} once the workload built its indexes), "
            f"plain dicts {load['dicts']['bytes_per_record']:.0f}"
        )
    ops = res["by_id_us"]
    lines.append(f"by id (median µs): get {ops['get']:.1f}, update {ops['update']:.1f}, delete {ops['delete']:.1f}")
    return "\n".join(lines)


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
        head = ["query", "engine ms", "engine first call ms", "DuckDB ms", "engine/DuckDB"]
        if with_ref:
            head += ["reference ms", "reference/engine", "reference/engine (CPU time)"]
        lines += [f"**{res['size']:,} records**", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for name, q in res["queries"].items():
            row = [name, _fmt(q["engine_ms"]), _fmt(q.get("engine_cold_ms")), _fmt(q["duckdb_ms"]),
                   _fmt(q["engine_over_duckdb"])]
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
    lines += ["", "| target | figure | status |", "|---|---|---|"]
    lines += [f"| {t} | {f} | {v} |" for t, f, v in report["targets"]]
    return "\n".join(lines) + "\n"


def evaluate_targets(results: list[dict]) -> list[tuple[str, str, str]]:
    """(target, figure, MET / MISSED / not measured) for the issue-4 targets."""
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

    add("10k: every query >= 100x faster than the reference", 10_000, ref_ratios)
    add("100k: engine/DuckDB median <= 1.0, none > 3.0", 100_000, duck_ratios(1.0, 3.0))
    add("1M: no query > 5x DuckDB", 1_000_000, duck_ratios(None, 5.0))
    add("1M: JSONL load <= 2x msgspec decode", 1_000_000, load_ratio)
    add("1M: get/update/delete median <= 50 µs", 1_000_000, by_id)
    add("1M: resident memory <= 500 B/record", 1_000_000, memory)
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
    out("\nissue-4 targets:")
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
        print("\nissue-4 targets:")
        for target, figure, verdict in report["targets"]:
            print(f"  [{verdict:^12}] {target}: {figure}")
        if args.markdown:
            Path(args.markdown).write_text(format_markdown(report))
        return 0
    run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
