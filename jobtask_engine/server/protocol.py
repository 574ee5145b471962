"""uvicorn's HTTP/1.1 protocol with a deadline for receiving each request.

uvicorn closes a connection idle *between* requests after ``timeout_keep_alive``,
but a client that opens a connection and sends half a request (or nothing)
keeps it open for good: each one holds a socket and a buffer, and enough of
them starve the server.  This protocol gives every request ``request_timeout``
seconds, from its first byte (or from the connection's opening), to arrive
whole; past that the connection is closed.  The time the app takes to answer
does not count: once the request is in, the deadline is off.
"""

from __future__ import annotations

import asyncio

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["DEFAULT_REQUEST_TIMEOUT", "protocol_with_request_timeout"]

#: Seconds a request may take to arrive.  Long enough for a 32 MiB body over a slow
#: link (~10 Mbit/s), short enough that stalled connections do not pile up.
DEFAULT_REQUEST_TIMEOUT = 30.0


class _DeadlineH11Protocol(H11Protocol):
    request_timeout: float = DEFAULT_REQUEST_TIMEOUT
    _deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is h11.DONE:
            self._disarm()
        elif self._deadline is None:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._deadline = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _request_timed_out(self) -> None:
        self._deadline = None
        if self.conn.their_state is not h11.DONE and not self.transport.is_closing():
            self.transport.close()


def protocol_with_request_timeout(seconds: float) -> type[H11Protocol]:
    """The protocol class for ``uvicorn.Config(http=...)`` with the given deadline."""
    if not seconds > 0:
        raise ValueError("request_timeout must be > 0")
    return type("DeadlineH11Protocol", (_DeadlineH11Protocol,), {"request_timeout": float(seconds)})
