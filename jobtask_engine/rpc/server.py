"""Running the JobTask service on a grpcio server, with v1alpha server reflection.

spaceone-core's client discovers services and methods only through server
reflection (``grpc.reflection.v1alpha``), so the fake serves it.  The server
binds loopback by default and port 0 picks a free port (grpcio binds it at
once: no race between choosing and listening).  ``grpc.so_reuseport`` is off
so that a port another process listens on is an error, not a silent share.
"""

from __future__ import annotations

from concurrent import futures
from typing import TYPE_CHECKING, Any, Callable

import grpc
from grpc_reflection.v1alpha import reflection

from jobtask_engine.fake_server import FakeServer
from jobtask_engine.rpc.service import SERVICE_NAME, JobTaskService

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["GrpcServer", "serve_grpc", "DEFAULT_MAX_WORKERS"]

#: Threads answering calls (readers run together in the store; writes take its write side in turn).
DEFAULT_MAX_WORKERS = 8


def _endpoint(host: str, port: int) -> str:
    return f"grpc://[{host}]:{port}" if ":" in host else f"grpc://{host}:{port}"


class GrpcServer(FakeServer):
    """The fake ``spaceone.api.inventory.v1.JobTask`` on a grpcio server.

    ``endpoint`` (``grpc://127.0.0.1:PORT``) is what a ``SpaceConnector`` takes;
    ``store`` is the store it answers from (thread-safe: use it directly, or
    ``seed`` / ``reset``, while the server runs).  Use as a context manager or
    call ``start()`` / ``stop()``.
    """

    def __init__(
        self,
        store: "JobTaskStore | None" = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_workers: int = DEFAULT_MAX_WORKERS,
    ) -> None:
        if store is None:
            from jobtask_engine import JobTaskStore

            store = JobTaskStore()
        self.service = JobTaskService(store)
        self.host = host
        self.port = port
        self._max_workers = max_workers
        self._server: grpc.Server | None = None

    @property
    def store(self) -> "JobTaskStore":
        return self.service.store

    @property
    def endpoint(self) -> str:
        return _endpoint(self.host, self.port)

    def start(self) -> "GrpcServer":
        if self._server is not None:
            raise RuntimeError("GrpcServer already started")
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self._max_workers, thread_name_prefix="jobtask-grpc"),
            options=[("grpc.so_reuseport", 0)],
        )
        server.add_generic_rpc_handlers((self.service.handler(),))
        reflection.enable_server_reflection((SERVICE_NAME, reflection.SERVICE_NAME), server)
        address = f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"
        try:
            bound = server.add_insecure_port(address)
        except RuntimeError as exc:  # grpcio >= 1.49 raises; older versions return 0
            raise OSError(f"cannot listen on {address}: {exc}") from None
        if not bound:
            raise OSError(f"cannot listen on {address}")
        self.port = bound
        server.start()
        self._server = server
        return self

    def stop(self, grace: float | None = 1.0) -> None:
        if self._server is not None:
            self._server.stop(grace).wait()
            self._server = None

    def wait(self) -> None:
        """Block until the server stops."""
        if self._server is not None:
            self._server.wait_for_termination()



def serve_grpc(
    store: "JobTaskStore | None" = None,
    *,
    host: str = "127.0.0.1",
    port: int = 50051,
    on_ready: Callable[[str], Any] | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C); ``on_ready(endpoint)`` is called once listening."""
    server = GrpcServer(store, host=host, port=port).start()
    try:
        if on_ready is not None:
            on_ready(server.endpoint)
        server.wait()
    finally:
        server.stop(grace=None)
