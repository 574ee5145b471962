"""The ``list``, ``stat``, ``save`` and ``serve`` subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Callable

from jobtask_engine.cli.inputs import UsageError, load_store, missing_extra, open_data, query_request
from jobtask_engine.cli.output import format_response
from jobtask_engine.cli.render import bar_glyph

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["run_query", "run_serve", "run_save"]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: Modules of the server extra; missing one of them means "install the extra".
SERVER_EXTRA_MODULES = frozenset({"starlette", "uvicorn", "anyio", "h11", "click", "sniffio", "idna"})
#: Modules of the grpc extra.
GRPC_EXTRA_MODULES = frozenset({"grpc", "grpc_reflection", "google", "spaceone"})


def run_query(args: argparse.Namespace) -> int:
    """``list`` / ``stat`` over a data file (records or a snapshot): load, ask, print in the chosen format."""
    store = open_data(args.data)
    request = query_request(args, store.domains)
    if args.explain:
        print(json.dumps(store.explain(request, api=args.command), indent=2))
        return 0
    response = store.list(request) if args.command == "list" else store.stat(request)
    columns = args.columns.split(",") if args.columns else None
    text = format_response(
        response, args.format, columns=columns, label=args.label, value=args.value, glyph=bar_glyph()
    )
    print(text)
    return 0


def run_save(args: argparse.Namespace) -> int:
    """``save``: a data file (records or a snapshot) written as a snapshot."""
    from jobtask_engine import EngineError

    store = open_data(args.data)
    try:
        count = store.save(args.out)
    except EngineError as exc:
        raise UsageError(f"{exc.code}: {exc.message}") from None
    print(f"jobtask-engine: saved {count:,} job tasks to {args.out}", file=sys.stderr)
    return 0


def _announce(store: "JobTaskStore") -> Callable[[str], None]:
    domains = list(store.domains().items())[:5]

    def on_ready(url: str) -> None:
        print(f"jobtask-engine: serving {len(store):,} job tasks at {url}", flush=True)
        for domain, count in domains:
            print(f"  domain_id {domain}: {count:,}", flush=True)
        print(f"  try: curl '{url}/_engine/health'", flush=True)

    return on_ready


def _import_extra(module: str, extra: str, modules: frozenset[str], what: str) -> ModuleType:
    """``module``, or a UsageError naming the extra to install when one of its packages is missing."""
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in modules:
            raise
        raise missing_extra(what, extra, exc.name) from None


def _serve_store(args: argparse.Namespace) -> "JobTaskStore":
    """The store to serve: ``--data`` (records or a snapshot), then ``--sample`` generated records."""
    from jobtask_engine import EngineError

    store = open_data(args.data) if args.data else None
    if args.sample:
        from jobtask_engine.testing import make_job_tasks

        sample = make_job_tasks(args.sample, seed=args.seed)
        if store is None:
            return load_store(sample, "--sample")
        try:
            store.insert_many(sample)
        except EngineError as exc:
            raise UsageError(f"--sample beside --data: {exc.message}") from None
    return store if store is not None else load_store([], "--sample")


def _announce_grpc(store: "JobTaskStore") -> Callable[[str], None]:
    def on_ready(endpoint: str) -> None:
        print(f"jobtask-engine: serving {len(store):,} job tasks over gRPC at {endpoint}", flush=True)
        print(f"  try: SpaceConnector(endpoint='{endpoint}').dispatch('JobTask.list', {{}}, x_domain_id=...)", flush=True)

    return on_ready


def run_serve(args: argparse.Namespace) -> int:
    """``serve``: the fake inventory backend (HTTP, gRPC or both, on one store) in the foreground until Ctrl+C."""
    grpc_port = getattr(args, "grpc_port", None)
    http = not getattr(args, "no_http", False)
    if not http and grpc_port is None:
        raise UsageError("--no-http needs --grpc-port (there would be nothing to serve)")
    server = _import_extra("jobtask_engine.server", "server", SERVER_EXTRA_MODULES, "serve") if http else None
    rpc = _import_extra("jobtask_engine.rpc", "grpc", GRPC_EXTRA_MODULES, "--grpc-port") if grpc_port is not None else None
    store = _serve_store(args)
    if args.host not in LOOPBACK_HOSTS:
        print(
            f"jobtask-engine: warning: listening on {args.host}; the fake backend has no authentication, "
            "anyone who can reach it can read and change its data",
            file=sys.stderr,
        )
    beside = None  # gRPC served beside HTTP, on the same (thread-safe) store
    try:
        if server is None:
            assert rpc is not None  # --no-http needs --grpc-port (refused above otherwise)
            rpc.serve_grpc(store, host=args.host, port=grpc_port, on_ready=_announce_grpc(store))
        else:
            if rpc is not None:
                beside = rpc.GrpcServer(store, host=args.host, port=grpc_port).start()
                _announce_grpc(store)(beside.endpoint)
            server.serve(
                store,
                host=args.host,
                port=args.port,
                max_body_bytes=args.max_body_bytes,
                log_level=args.log_level,
                on_ready=_announce(store),
            )
    except KeyboardInterrupt:
        print("jobtask-engine: stopped", file=sys.stderr)
    except OSError as exc:
        if exc.strerror is None:  # the gRPC server's own message names its address
            raise UsageError(str(exc)) from None
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    finally:
        if beside is not None:
            beside.stop(grace=None)
    return 0

