"""SpaceONE error codes as gRPC statuses, and the details string the client parses.

The production API aborts a call with ``grpc.StatusCode[error.status_code]``
and details ``"ERROR_X: message"``; spaceone-core's client splits the details
at the first colon and raises the error again with the same ``error_code``
(``ERROR_PERMISSION_DENIED`` / ``ERROR_AUTHENTICATE_FAILURE`` for those two
statuses).  The statuses below are those of spaceone-core's error classes
(``spaceone/core/error.py``), with one deliberate exception: production sends
``ERROR_DB_QUERY`` as INTERNAL (the class derives from ``ERROR_UNKNOWN``,
since a real database can fail), but here it only ever means the request was
malformed (an unknown operator, a bad stage), so it travels as INVALID_ARGUMENT.
The client raises the same ``ERROR_DB_QUERY`` either way.
"""

from __future__ import annotations

import grpc

from jobtask_engine.errors import EngineError

__all__ = ["STATUS_BY_CODE", "status_of", "details_of", "internal_error"]

#: Codes whose status is not INVALID_ARGUMENT (every other EngineError is a refused request).
STATUS_BY_CODE: dict[str, grpc.StatusCode] = {
    "ERROR_NOT_FOUND": grpc.StatusCode.NOT_FOUND,
    "ERROR_SAVE_UNIQUE_VALUES": grpc.StatusCode.ALREADY_EXISTS,
    "ERROR_AUTHENTICATE_FAILURE": grpc.StatusCode.UNAUTHENTICATED,
    "ERROR_PERMISSION_DENIED": grpc.StatusCode.PERMISSION_DENIED,
    "ERROR_UNKNOWN": grpc.StatusCode.INTERNAL,
}


def status_of(error: EngineError) -> grpc.StatusCode:
    return STATUS_BY_CODE.get(error.code, grpc.StatusCode.INVALID_ARGUMENT)


def details_of(error: EngineError) -> str:
    return f"{error.code}: {error.message}"


def internal_error(exc: BaseException) -> EngineError:
    """An unexpected failure (a bug), answered as production answers one: ERROR_UNKNOWN, INTERNAL."""
    return EngineError("ERROR_UNKNOWN", f"{type(exc).__name__}: {exc}", status=500)
