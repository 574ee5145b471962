"""Helpers for the gRPC tests: spaceone-core's real client, tokens, raw calls.

Every test talks to a real grpcio server on loopback (the ``jobtask_grpc_server``
fixture, or a ``GrpcServer`` the test starts itself) through spaceone-core's own
``SpaceConnector``: reflection, ``ParseDict`` requests, ``MessageToDict`` answers
and its error handling are the production client's, not a copy.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import grpc
import pytest
from spaceone.core.connector.space_connector import SpaceConnector
from spaceone.core.error import ERROR_BASE

SERVICE = "/spaceone.api.inventory.v1.JobTask/"


def token(claims: dict, signature: bytes = b"not-checked") -> str:
    """A JWT with ``claims``; the fake reads claims without verifying, so any signature does."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    return f"{header}.{part(json.dumps(claims).encode())}.{part(signature)}"


def connector(endpoint: str, token_: str | None = None) -> SpaceConnector:
    return SpaceConnector(endpoint=endpoint, token=token_)


def call(endpoint: str, method: str, params: dict | None = None, *, token_: str | None = None, **metadata: str) -> dict:
    """``JobTask.<method>`` through SpaceConnector; ``metadata``: x_domain_id / x_workspace_id."""
    return connector(endpoint, token_).dispatch(f"JobTask.{method}", params or {}, **metadata)


def refusal(endpoint: str, method: str, params: dict | None = None, *, token_: str | None = None, **metadata: str):
    """The SpaceONE error the client raises for a call that must fail: (error_code, status_code, message)."""
    with pytest.raises(ERROR_BASE) as info:
        call(endpoint, method, params, token_=token_, **metadata)
    error = info.value
    return error.error_code, error.status_code, error.message.strip()


def raw_call(endpoint: str, method: str, data: bytes, metadata: tuple = (("x_domain_id", "d1"),)) -> tuple[grpc.StatusCode, str, bytes | None]:
    """Send ``data`` as the request bytes (what no ParseDict-based client can send); (code, details, reply)."""
    target = endpoint.removeprefix("grpc://")
    with grpc.insecure_channel(target) as channel:
        stub = channel.unary_unary(SERVICE + method, request_serializer=None, response_deserializer=None)
        try:
            reply = stub(data, metadata=metadata, timeout=10)
        except grpc.RpcError as exc:
            return exc.code(), exc.details(), None
    return grpc.StatusCode.OK, "", reply


def snapshot(server: Any) -> list[dict]:
    with server.store.exclusive():
        return list(server.store)


@pytest.fixture
def endpoint(jobtask_grpc_server) -> str:
    return jobtask_grpc_server.endpoint
