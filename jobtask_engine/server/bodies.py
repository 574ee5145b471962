"""Reading a request body: size limit first, then JSON through msgspec.

Bad bodies are reported as EngineError so the handlers answer them exactly like
the store's own rejections: malformed JSON is ERROR_INVALID_PARAMETER, a body
of the wrong JSON type ERROR_INVALID_PARAMETER_TYPE, too many bytes 413.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from jobtask_engine.errors import EngineError, invalid_parameter, invalid_parameter_type

#: Past the limit the rest of a body is still read (and dropped) so the client
#: gets its 413 instead of a reset connection; beyond this much more, it is not.
_DRAIN_ALLOWANCE = 64 * 1024 * 1024

_decoder = msgspec.json.Decoder()
#: Bodies at least this big are decoded in a worker thread (~1 ms of msgspec at 64 KiB),
#: so a big upload does not hold up the event loop.
DECODE_OFF_LOOP_BYTES = 64 * 1024


class BodyBudget:
    """Bytes of request bodies being read, decoded and handled at once, within ``limit``.

    A decoded body takes several times its size in Python objects; without a
    bound, ten concurrent 28 MiB uploads took the server to 6 GB.  A request
    holds its declared size (or the body limit, when it declares none) from
    before its body is read until its answer is made; a request that does not
    fit waits.  One request always fits, so no request waits for ever.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._changed = asyncio.Condition()

    @asynccontextmanager
    async def hold(self, request: Request, max_body_bytes: int) -> AsyncIterator[int | None]:
        """A share of the budget for one request's body, while it is read and answered;
        yields the body's declared length (None: not declared)."""
        declared = _declared_length(request)
        size = max_body_bytes if declared is None else min(declared, max_body_bytes)
        async with self._changed:
            while self.in_use and self.in_use + size > self.limit:
                await self._changed.wait()
            self.in_use += size
        try:
            yield declared
        finally:
            async with self._changed:
                self.in_use -= size
                self._changed.notify_all()


def too_large(limit: int) -> EngineError:
    return EngineError(
        "ERROR_REQUEST_TOO_LARGE",
        f"Request body is too large. (limit = {limit} bytes)",
        status=413,
    )


def _declared_length(request: Request) -> int | None:
    header = request.headers.get("content-length")
    if header is None:
        return None
    try:
        return int(header)
    except ValueError:
        raise invalid_parameter("Content-Length", f"not an integer: {header!r}") from None


async def read_body(request: Request, limit: int) -> bytes:
    """The raw body, or EngineError 413 once it passes ``limit`` bytes."""
    declared = _declared_length(request)
    if declared is not None and declared > limit + _DRAIN_ALLOWANCE:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size <= limit:
            chunks.append(chunk)
        elif size > limit + _DRAIN_ALLOWANCE:
            break
    if size > limit:
        raise too_large(limit)
    return b"".join(chunks)


def decode_json(raw: bytes) -> Any:
    """Decode a JSON body; an empty body means ``{}`` (no parameters)."""
    if not raw.strip():
        return {}
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise invalid_parameter("body", f"malformed JSON: {exc}") from None
    except RecursionError:
        raise invalid_parameter("body", "JSON nested too deeply") from None


async def _read_json(request: Request, limit: int) -> Any:
    raw = await read_body(request, limit)
    if len(raw) >= DECODE_OFF_LOOP_BYTES:
        return await run_in_threadpool(decode_json, raw)
    return decode_json(raw)


async def read_json_object(request: Request, limit: int) -> dict:
    """The body as a JSON object (what every API request message is)."""
    value = await _read_json(request, limit)
    if not isinstance(value, dict):
        raise invalid_parameter_type("body", "object")
    return value


async def read_json_objects(request: Request, limit: int) -> dict | list:
    """The body as one JSON object or a list of them (for arranging test data)."""
    value = await _read_json(request, limit)
    if isinstance(value, dict):
        return value
    if isinstance(value, list):
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise invalid_parameter_type(f"body[{index}]", "object")
        return value
    raise invalid_parameter_type("body", "object or list of objects")
