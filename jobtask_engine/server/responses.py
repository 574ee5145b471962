"""JSON responses encoded by msgspec, and the error envelope.

Every error leaves the server as ``{"error": {"code": "ERROR_...", "message": "..."}}``
so that clients can match on the SpaceONE error code whatever went wrong.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.responses import Response

from jobtask_engine.errors import EngineError

_encoder = msgspec.json.Encoder()


class JSONResponse(Response):
    """A JSON response rendered by msgspec (fast, and datetimes become ISO 8601)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return _encoder.encode(content)


def encode(content: Any) -> bytes:
    """JSON bytes of a payload (what ``JSONResponse`` renders; callable off the event loop)."""
    return _encoder.encode(content)


def error_body(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def error_response(error: EngineError) -> JSONResponse:
    return JSONResponse(error_body(error.code, error.message), status_code=error.status)
