"""Scale benchmark: the nine workload queries on 100M+ records (DuckDB, Spark) and on 10M (all three engines).

Not a test: a script, run once, in the background, with ``nice`` on a shared
machine.  It generates the datasets inside DuckDB (``backends.synthetic``;
kept and reused between runs under ``--data-dir``), then starts one worker
process per engine and size (``scale_workers.py``), so that each engine's
peak resident memory is its own.  Every engine's answers at a size are
compared by digest; a disagreement is printed.

    nice python benchmarks/scale.py --data-dir /work/scale-data --big 100000000 --small 10000000 \\
        --memory-limit 2GB --json scale.json --markdown scale.md
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.workload import QUERY_NAMES  # noqa: E402
from jobtask_engine.backends.export import parquet_to_jsonl  # noqa: E402
from jobtask_engine.backends.synthetic import generate_parquet  # noqa: E402

__all__ = ["main"]


def _dataset(data_dir: Path, n: int) -> Path:
    directory = data_dir / f"jt-{n // 1_000_000}m" if n % 1_000_000 == 0 else data_dir / f"jt-{n}"
    t = time.perf_counter()
    generate_parquet(directory, n, progress=lambda done, total: print(f"  generated {done:,}/{total:,}", file=sys.stderr))
    print(f"dataset {directory}: ready in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return directory


def _jsonl(directory: Path) -> Path:
    path = directory.with_suffix(".jsonl")
    if not path.exists():
        t = time.perf_counter()
        parquet_to_jsonl(directory, path.with_suffix(".part"))
        os.replace(path.with_suffix(".part"), path)
        print(f"{path}: written in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return path


def _worker(engine: str, args: argparse.Namespace, **paths: str) -> dict:
    cmd = [sys.executable, str(Path(__file__).with_name("scale_workers.py")), engine,
           "--repeat", str(args.repeat), "--threads", str(args.threads), "--memory-limit", args.memory_limit,
           "--spark-memory", args.spark_memory]
    for key, value in paths.items():
        cmd += [f"--{key}", value]
    if args.temp_directory:
        cmd += ["--temp-directory", args.temp_directory]
    print(f"running {engine} on {paths}", file=sys.stderr, flush=True)
    t = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - t
    return result


def _check(results: dict[str, dict], size: str) -> list[str]:
    warnings = []
    for name in QUERY_NAMES:
        digests = {e: r["queries"][name]["digest"] for e, r in results.items()}
        if len(set(digests.values())) > 1:
            warnings.append(f"{size} {name}: answers differ {digests}")
    return warnings


def markdown(report: dict) -> str:
    lines = [f"Command: `{report['command']}`  ", f"{report['when']}, {os.cpu_count()} CPUs, shared machine (run with nice).", ""]
    for size, results in report["sizes"].items():
        engines = list(results)
        lines.append(f"**{int(size):,} records**")
        lines.append("")
        head = "| query | " + " | ".join(f"{e} ms (first call)" for e in engines) + " |"
        lines += [head, "|---" * (len(engines) + 1) + "|"]
        for name in QUERY_NAMES:
            cells = [f"{results[e]['queries'][name]['ms']:,.0f} ({results[e]['queries'][name]['first_ms']:,.0f})" for e in engines]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("| open / load s | " + " | ".join(f"{results[e]['open_s']:.1f}" for e in engines) + " |")
        lines.append("| peak RSS MB | " + " | ".join(f"{results[e]['peak_rss_mb']:,.0f}" for e in engines) + " |")
        lines.append("")
    for w in report["warnings"]:
        lines.append(f"- WARNING: {w}")
    if not report["warnings"]:
        lines.append("Every engine gave the same answer to every query at each size.")
    return "\n".join(lines) + "\n"


def _from_json(paths: list[str], out: str | None) -> int:
    merged: dict = {"command": [], "when": [], "sizes": {}, "warnings": []}
    for path in paths:
        report = json.loads(Path(path).read_text())
        merged["command"].append(report["command"])
        merged["when"].append(report["when"])
        for size, results in report["sizes"].items():
            merged["sizes"].setdefault(size, {}).update(results)
    merged["sizes"] = dict(sorted(merged["sizes"].items(), key=lambda kv: int(kv[0])))
    for size, results in merged["sizes"].items():
        merged["warnings"] += _check(results, f"{int(size):,}")
    merged["command"] = "` and `".join(merged["command"])
    merged["when"] = " / ".join(merged["when"])
    text = markdown(merged)
    print(text)
    if out:
        Path(out).write_text(text)
    return 1 if merged["warnings"] else 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default="/work/scale-data")
    p.add_argument("--big", type=int, default=100_000_000)
    p.add_argument("--small", type=int, default=10_000_000)
    p.add_argument("--engines-big", default="duckdb,spark")
    p.add_argument("--engines-small", default="memory,duckdb,spark")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--memory-limit", default="2GB")
    p.add_argument("--spark-memory", default="4g")
    p.add_argument("--temp-directory", default=None)
    p.add_argument("--json", default=None)
    p.add_argument("--markdown", default=None)
    p.add_argument("--from-json", nargs="+", default=None, metavar="FILE",
                   help="no run: merge saved reports (a later file's engine at a size replaces an earlier one's)")
    args = p.parse_args(argv)
    if args.from_json:
        return _from_json(args.from_json, args.markdown)
    data_dir = Path(args.data_dir)
    report: dict = {"command": " ".join(["python", "benchmarks/scale.py", *(argv or sys.argv[1:])]),
                    "when": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "sizes": {}, "warnings": []}
    plan = [(args.small, args.engines_small), (args.big, args.engines_big)]
    for n, engines in plan:
        if not n or not engines:
            continue
        directory = _dataset(data_dir, n)
        results = {}
        for engine in engines.split(","):
            paths = {"jsonl": str(_jsonl(directory))} if engine == "memory" else {"parquet": str(directory)}
            results[engine] = _worker(engine, args, **paths)
        report["sizes"][str(n)] = results
        report["warnings"] += _check(results, f"{n:,}")
        if args.json:
            Path(args.json).write_text(json.dumps(report, indent=1))
    text = markdown(report)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text)
    return 1 if report["warnings"] else 0


if __name__ == "__main__":
    sys.exit(main())
