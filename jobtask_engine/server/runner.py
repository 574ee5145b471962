"""Running the app on uvicorn: in the foreground (CLI) or in a background thread (tests).

``LiveServer`` binds its socket itself before starting uvicorn, so the port is
known (port 0 picks a free one) and taken before anyone connects: no race
between choosing a free port and listening on it.
"""

from __future__ import annotations

import gc
import socket
import sys
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

import uvicorn

from jobtask_engine.fake_server import FakeServer
from jobtask_engine.server.app import DEFAULT_MAX_BODY_BYTES, create_app
from jobtask_engine.server.guard import StoreGuard
from jobtask_engine.server.protocol import DEFAULT_REQUEST_TIMEOUT, protocol_with_request_timeout

if TYPE_CHECKING:
    from jobtask_engine import JobTaskStore

__all__ = ["LiveServer", "serve", "DEFAULT_KEEP_ALIVE"]

#: Seconds an idle keep-alive connection stays open between requests (uvicorn's default).
DEFAULT_KEEP_ALIVE = 5.0
#: The GIL hand-over interval ``serve`` sets (CPython's default is 5 ms).  A heavy request in a
#: worker thread hands the GIL over once per interval; with 20 busy threads the event loop
#: waited up to 20 of them.  At 1 ms, health p99 under a heavy request fell from ~150 ms to
#: under 100 ms in ``benchmarks/server_load.py``, for a few % of throughput.
DEFAULT_SWITCH_INTERVAL = 0.001
#: The cyclic collector's thresholds ``serve`` sets (CPython's: 700, 10, 10).  A full
#: collection holds the GIL while it scans every tracked object, and a heavy request
#: making many objects set one off every ~0.1 s: 30-57 ms pauses for every other request
#: (20k records).  With the loaded store frozen out of collections and these thresholds,
#: one heavy request set off ~80 collections instead of ~1,200 (the longest 35 ms instead
#: of 57), and small-request p99 beside it fell from 109 to 50 ms (benchmarks/server_load.py).
GC_THRESHOLDS = (10_000, 50, 1_000)


def bind_tcp(host: str, port: int) -> socket.socket:
    """A listening TCP socket; its accepted connections get TCP_NODELAY.

    asyncio only disables Nagle's algorithm on sockets whose ``proto`` is
    IPPROTO_TCP, and accepted sockets inherit ``proto`` from the listener.
    uvicorn's own sockets have proto 0, so every response (headers and body
    written separately) waits ~40 ms for a delayed ACK; this listener does not.
    """
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def _url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


def serve(
    store: "JobTaskStore | None" = None,
    *,
    host: str = "127.0.0.1",
    port: int = 8080,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    log_level: str = "info",
    on_ready: Callable[[str], Any] | None = None,
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
    keep_alive: float = DEFAULT_KEEP_ALIVE,
    switch_interval: float | None = DEFAULT_SWITCH_INTERVAL,
) -> None:
    """Serve ``store`` until interrupted (Ctrl+C); ``on_ready(url)`` is called once listening.

    ``switch_interval`` is set for the whole process (``sys.setswitchinterval``; None leaves
    it), as are the collector's ``GC_THRESHOLDS``, and the objects alive at start are frozen
    out of collections (``gc.freeze``): a serving process is the server's own.
    """
    if switch_interval is not None:
        sys.setswitchinterval(switch_interval)
    # The store's records live as long as the server: keep them out of the collector's scans.
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    app = create_app(store, max_body_bytes=max_body_bytes)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="off",
        http=protocol_with_request_timeout(request_timeout),
        timeout_keep_alive=keep_alive,  # type: ignore[arg-type]  # uvicorn hints int; it hands the value to loop.call_later (seconds, a float)
    )
    sock = bind_tcp(host, port)
    if on_ready is not None:
        on_ready(_url(sock))
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()


class LiveServer(FakeServer):
    """The app on uvicorn in a daemon thread, on loopback; ``url`` is its base URL.

    Use as a context manager or call ``start()`` / ``stop()``.  ``store`` is the
    store it answers from; it is thread-safe, so tests may call it directly while the
    server runs (``seed`` creates several records with no request in between).
    """

    def __init__(
        self,
        store: "JobTaskStore | None" = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        keep_alive: float = DEFAULT_KEEP_ALIVE,
    ) -> None:
        self.app = create_app(store, max_body_bytes=max_body_bytes)
        self._protocol = protocol_with_request_timeout(request_timeout)
        self._keep_alive = keep_alive
        self.guard: StoreGuard = self.app.state.guard
        self._host = host
        self._port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.url = ""

    @property
    def store(self) -> "JobTaskStore":
        return self.guard.store

    def start(self, timeout: float = 10.0) -> "LiveServer":
        if self._thread is not None:
            raise RuntimeError("LiveServer already started")
        config = uvicorn.Config(
            self.app,
            host=self._host,
            port=self._port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
            http=self._protocol,
            timeout_keep_alive=self._keep_alive,  # type: ignore[arg-type]  # uvicorn hints int; it hands the value to loop.call_later (seconds, a float)
        )
        self._socket = bind_tcp(self._host, self._port)
        self.url = _url(self._socket)
        server = self._server = uvicorn.Server(config)
        thread = self._thread = threading.Thread(
            target=server.run, kwargs={"sockets": [self._socket]}, name=f"jobtask-server {self.url}", daemon=True
        )
        thread.start()
        self._wait_started(server, thread, timeout)
        return self

    def _wait_started(self, server: uvicorn.Server, thread: threading.Thread, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                self.stop()
                raise RuntimeError("the jobtask-engine server thread exited during startup")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the jobtask-engine server did not start within {timeout} s")
            time.sleep(0.01)

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None
