"""pytest plugin: the engine as a test double for services that call the JobTask API.

Active whenever jobtask-engine is installed (entry point ``pytest11``).  Fixtures:

- ``jobtask_store``: a fresh, empty in-process ``JobTaskStore`` per test.
- ``jobtask_server``: a live HTTP server (uvicorn, 127.0.0.1, free port) started
  once per session and emptied before each test; ``.url`` is its base URL,
  ``.store`` the store behind it.  Needs the ``server`` extra.
- ``jobtask_grpc_server``: the JobTask service over gRPC (with reflection, as
  spaceone-core's ``SpaceConnector`` needs it) on 127.0.0.1 at a free port,
  started once per session and emptied before each test; ``.endpoint`` is
  ``grpc://127.0.0.1:PORT``, ``.store`` the store behind it.  Needs the ``grpc`` extra.
- ``jobtask_seed``: the ``seed`` function below, to fill any of them.

This module imports nothing beyond pytest at import time, so the plugin costs
nothing in test runs that do not use it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import pytest

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore
    from jobtask_engine.rpc import GrpcServer
    from jobtask_engine.server import LiveServer

__all__ = ["seed", "jobtask_store", "jobtask_server", "jobtask_grpc_server", "jobtask_seed"]

_SERVER_EXTRA_HINT = (
    "the jobtask_server fixture needs the server extra: pip install 'jobtask-engine[server]' "
    "(missing module: {name})"
)
_GRPC_EXTRA_HINT = (
    "the jobtask_grpc_server fixture needs the grpc extra: pip install 'jobtask-engine[grpc]' "
    "(missing module: {name})"
)


def _records(records: "Iterable[dict] | int", seed_value: int, overrides: dict) -> Iterable[dict]:
    if isinstance(records, int):
        from jobtask_engine.testing import make_job_tasks

        return make_job_tasks(records, seed=seed_value, **overrides)
    if overrides:
        return [{**record, **overrides} for record in records]
    return records


def seed(
    target: "JobTaskStore | LiveServer | GrpcServer", records: "Iterable[dict] | int", *, seed: int = 0, **overrides: Any
) -> list[dict]:
    """Create records in a store or a live server; returns their JobTaskInfo dicts, in order.

    ``records`` is an iterable of record dicts, or a number n for n realistic
    records from ``jobtask_engine.testing.make_job_tasks(n, seed=seed, **overrides)``.
    With explicit records, ``overrides`` are applied to every one of them
    (e.g. ``domain_id="domain-a"``).
    """
    from jobtask_engine.fake_server import FakeServer

    rows = _records(records, seed, overrides)
    if isinstance(target, FakeServer):  # a live server: one block no call interleaves with
        return target.seed(rows)
    return [target.create(record) for record in rows]


@pytest.fixture
def jobtask_store() -> "JobTaskStore":
    """A fresh, empty in-process JobTaskStore."""
    from jobtask_engine import JobTaskStore

    return JobTaskStore()


def _loopback_server(module: str, name: str, hint: str) -> Iterator[Any]:
    """Start ``module.name`` on a free loopback port for the session; a missing extra fails with ``hint``."""
    import importlib

    try:
        server_type = getattr(importlib.import_module(module), name)
    except ModuleNotFoundError as exc:
        pytest.fail(hint.format(name=exc.name), pytrace=False)
    server = server_type(host="127.0.0.1", port=0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def jobtask_live_server() -> Iterator["LiveServer"]:
    """The session's one live server (not emptied between tests: use ``jobtask_server``)."""
    yield from _loopback_server("jobtask_engine.server", "LiveServer", _SERVER_EXTRA_HINT)


@pytest.fixture
def jobtask_server(jobtask_live_server: "LiveServer") -> "LiveServer":
    """The live server, emptied for this test; ``.url``, ``.store``, ``.seed(records)``."""
    jobtask_live_server.reset()
    return jobtask_live_server


@pytest.fixture(scope="session")
def jobtask_live_grpc_server() -> Iterator["GrpcServer"]:
    """The session's one gRPC server (not emptied between tests: use ``jobtask_grpc_server``)."""
    yield from _loopback_server("jobtask_engine.rpc", "GrpcServer", _GRPC_EXTRA_HINT)


@pytest.fixture
def jobtask_grpc_server(jobtask_live_grpc_server: "GrpcServer") -> "GrpcServer":
    """The gRPC server, emptied for this test; ``.endpoint``, ``.store``, ``.seed(records)``."""
    jobtask_live_grpc_server.reset()
    return jobtask_live_grpc_server


@pytest.fixture
def jobtask_seed() -> Callable[..., list[dict]]:
    """``jobtask_seed(store_or_server, records_or_n, seed=0, **overrides)`` -> JobTaskInfo dicts."""
    return seed
