"""The ``jobtask-engine`` command: demo, offline list/stat over a data file, serve.

Built on argparse so the core install (stdlib + msgspec + sortedcontainers)
runs everything but ``serve``, which needs the ``server`` extra (HTTP) and/or
the ``grpc`` extra (``--grpc-port``).  Bad input
prints one message naming the problem and exits with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from contextlib import contextmanager
from typing import Iterator, Sequence

from jobtask_engine.cli.inputs import UsageError
from jobtask_engine.cli.output import FORMATS
from jobtask_engine.limits import Limits

__all__ = ["main", "build_parser"]

PROG = "jobtask-engine"

EPILOG = """\
examples:
  jobtask-engine demo
  jobtask-engine save --data tasks.jsonl.gz --out tasks.snapshot   (then: --data tasks.snapshot)
  jobtask-engine stat --data tasks.jsonl --query '{"aggregate": [{"group": {"keys": [{"key": "status", "name": "status"}], "fields": [{"operator": "count", "name": "count"}]}}]}' --format chart
  jobtask-engine list --data tasks.json --domain-id domain-1 --param status=FAILURE --query '{"page": {"limit": 10}}'
  jobtask-engine convert tasks.jsonl tasks.parquet
  jobtask-engine list --engine duckdb --data 'exports/*.parquet' --domain-id domain-1 --param status=FAILURE
  jobtask-engine serve --sample 5000 --port 8080
  jobtask-engine serve --sample 5000 --grpc-port 50051 --no-http
"""


def _add_query_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--data", required=True, metavar="FILE",
        help="JSON array or JSON Lines of JobTask records (.gz too; '-': stdin), or a snapshot written by save",
    )
    sub.add_argument("--domain-id", help="domain to ask about (default: the only domain in the data)")
    given = sub.add_mutually_exclusive_group()
    given.add_argument("--query", metavar="JSON", help="the request's query object, as JSON")
    given.add_argument("--query-file", metavar="FILE", help="file holding the query object ('-': stdin)")
    sub.add_argument(
        "--param",
        action="append",
        metavar="KEY=VALUE",
        help="a top-level request key (status, job_id, workspace_id, ...); repeat a key for a list",
    )
    sub.add_argument("--format", choices=FORMATS, default="table", help="output format (default: table)")
    sub.add_argument("--columns", metavar="A,B,...", help="table/csv columns ('all' for every column)")
    sub.add_argument("--label", metavar="COLUMN", help="chart: the column naming each bar")
    sub.add_argument("--value", metavar="COLUMN", help="chart: the numeric column (default: the first numeric one)")
    sub.add_argument("--engine", choices=("memory", "duckdb", "spark"), default="memory",
                     help="who answers: the in-memory engine (default), DuckDB or Spark (--data: Parquet/JSONL path or glob)")
    sub.add_argument("--memory-limit", default=None, help="duckdb: DuckDB's memory_limit, e.g. 2GB")
    sub.add_argument("--spark-master", default="local[*]", help="spark: the master URL (default: local[*])")
    sub.add_argument(
        "--max-pipeline-work", type=int, metavar="UNITS",
        help="stat: the work a pipeline may do (the max_pipeline_work limit, ~1 ns of CPU a unit; "
        f"default {Limits().max_pipeline_work}); raise it to answer big stats over big files",
    )
    sub.add_argument(
        "--explain",
        action="store_true",
        help="print how the request is answered instead of the answer: the in-memory engine's plan "
        "(access paths, order/group strategies, times) as JSON, or for duckdb/spark the SQL",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Embedded query engine for SpaceONE inventory JobTask records.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    demo = commands.add_parser("demo", help="answer a few questions about a built-in synthetic dataset")
    demo.add_argument("--size", type=int, default=5000, help="number of synthetic job tasks (default: 5000)")
    demo.add_argument("--seed", type=int, default=7, help="random seed of the dataset (default: 7)")

    for name, text in (("list", "list job tasks of a data file (JobTaskQuery)"), ("stat", "statistics over a data file (JobTaskStatQuery)")):
        _add_query_options(commands.add_parser(name, help=text))

    convert = commands.add_parser("convert", help="records or a snapshot -> Parquet for --engine duckdb|spark")
    convert.add_argument("input", help="JSON array, JSON Lines, a saved list response (gzip or not) or a snapshot ('-': stdin)")
    convert.add_argument("output", help="the Parquet file to write")

    serve = commands.add_parser(
        "serve", help="run the fake inventory JobTask API over HTTP (server extra) and/or gRPC (grpc extra)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    serve.add_argument(
        "--grpc-port", type=int, metavar="PORT",
        help="also serve spaceone.api.inventory.v1.JobTask over gRPC on PORT, on the same store (0 picks a free one)",
    )
    serve.add_argument("--no-http", action="store_true", help="serve gRPC only (with --grpc-port)")
    serve.add_argument("--data", metavar="FILE", help="JSON array or JSON Lines of JobTask records to load")
    serve.add_argument("--sample", type=int, default=0, metavar="N", help="also load N synthetic job tasks")
    serve.add_argument("--seed", type=int, default=7, help="random seed for --sample (default: 7)")
    serve.add_argument("--max-body-bytes", type=int, default=32 * 1024 * 1024, help="largest accepted request body")
    serve.add_argument("--log-level", default="info", choices=("critical", "error", "warning", "info", "debug"))

    save = commands.add_parser("save", help="write a data file's records as a snapshot (opens in a fraction of the time)")
    save.add_argument("--data", required=True, metavar="FILE", help="JSON array or JSON Lines of JobTask records (.gz too; '-': stdin)")
    save.add_argument("--out", required=True, metavar="FILE", help="snapshot file to write (replaced atomically)")
    return parser


def _check_counts(args: argparse.Namespace) -> None:
    for option in ("size", "sample", "max_body_bytes"):
        value = getattr(args, option, None)
        if value is not None and value < 0:
            raise UsageError(f"--{option.replace('_', '-')} must be >= 0, got {value}")
    for option in ("port", "grpc_port"):
        port = getattr(args, option, None)
        if port is not None and not 0 <= port <= 65535:
            raise UsageError(f"--{option.replace('_', '-')} must be between 0 and 65535, got {port}")


def _dispatch(args: argparse.Namespace) -> int:
    _check_counts(args)
    if args.command == "demo":
        from jobtask_engine.cli.demo import run_demo

        return run_demo(size=args.size, seed=args.seed)
    if args.command == "serve":
        from jobtask_engine.cli.commands import run_serve

        return run_serve(args)
    if args.command == "save":
        from jobtask_engine.cli.commands import run_save

        return run_save(args)
    if args.command == "convert":
        from jobtask_engine.cli.sql_commands import run_convert

        return run_convert(args)
    with _limits_of(args):
        if args.engine != "memory":
            from jobtask_engine.cli.sql_commands import run_sql_query

            return run_sql_query(args)
        from jobtask_engine.cli.commands import run_query

        return run_query(args)


@contextmanager
def _limits_of(args: argparse.Namespace) -> Iterator[None]:
    """The limits a ``list``/``stat`` command asked for, the defaults of the stores it makes
    while it runs (and the defaults again after: ``main`` may run in a caller's process)."""
    work = args.max_pipeline_work
    if work is None:
        yield
        return
    from jobtask_engine.errors import EngineError
    from jobtask_engine.limits import default_limits, set_default_limits

    before = default_limits()
    try:
        limits = dataclasses.replace(before, max_pipeline_work=work)
    except EngineError as exc:  # Limits refuses a non-positive limit
        raise UsageError(f"--max-pipeline-work must be >= 1, got {work}") from exc
    set_default_limits(limits)
    try:
        yield
    finally:
        set_default_limits(before)


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (2 for bad input)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed usage or help already
        return exc.code if isinstance(exc.code, int) else 2
    from jobtask_engine.errors import EngineError

    try:
        return _dispatch(args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except EngineError as exc:
        return _fail(f"{exc.code}: {exc.message}", 2)
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): not an error; keep Python from complaining at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # an engine bug, not bad input
        if os.environ.get("JOBTASK_ENGINE_DEBUG"):
            raise
        return _fail(f"internal error: {type(exc).__name__}: {exc} (set JOBTASK_ENGINE_DEBUG=1 for the traceback)", 1)
