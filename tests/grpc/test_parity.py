"""Parity: generated requests answered in-process and over gRPC agree, after the protobuf round trip.

The gRPC side is the whole door: spaceone-core's client builds the message
(``ParseDict``), the fake decodes it, takes the domain from the metadata, asks the
store, shapes JobTasksInfo / Struct, and the client reads it back (``MessageToDict``).
The in-process side asks the same store directly with the request as protobuf
delivers it (``ParseDict`` then ``MessageToDict``: filter numbers become doubles,
zero/false/empty fields disappear) plus the domain, and its answer is normalised
here, independently of the fake's own shaping code, the way the protocol carries it:
JobTaskInfo fields that are unset, zero or empty are absent, ``status`` is PENDING
when it was not projected, ``minimal`` keeps the minimal fields, ``errors[].additional``
is always sent, and every number inside a Struct is a double.  Nothing else is loosened.

Requests protobuf cannot express (a list where a string field is, a v1 sort shape,
the dict form of ``aggregate``, ...) are refused by the client itself with a
ParseError before anything is sent; that is checked too.
"""

from __future__ import annotations

from typing import Any

import pytest
from google.protobuf.json_format import MessageToDict, ParseDict, ParseError
from hypothesis import HealthCheck, event, given, settings, strategies as st
from spaceone.api.inventory.v1 import job_task_pb2 as pb
from spaceone.core.error import ERROR_BASE

from jobtask_engine import EngineError
from jobtask_engine.testing.stat_strategies import stat_requests
from jobtask_engine.testing.strategies import list_requests, record_lists
from tests.grpc.conftest import call

DOMAINS = ("domain-a", "domain-b")
INFO_FIELDS = frozenset(f.name for f in pb.JobTaskInfo.DESCRIPTOR.fields)
#: The fields production's JobTaskInfo renders when ``minimal`` is asked.
MINIMAL = frozenset({"job_task_id", "status", "created_count", "updated_count", "disconnected_count", "deleted_count",
                     "failure_count", "job_id", "created_at", "started_at", "finished_at"})
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                          HealthCheck.too_slow])


def as_double(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {k: as_double(v) for k, v in value.items()}
    return [as_double(v) for v in value]


def proto_error(error: dict) -> dict:
    out = {k: error[k] for k in ("error_code", "message") if error.get(k)}
    out["additional"] = as_double(error.get("additional") or {})
    return out


def proto_info(info: dict, minimal: bool) -> dict:
    out: dict[str, Any] = {}
    for key, value in info.items():
        if key not in INFO_FIELDS or (minimal and key not in MINIMAL) or value is None or value == "" or value == 0:
            continue
        if key == "errors":
            if value:
                out["errors"] = [proto_error(e) for e in value]
        else:
            out[key] = value
    out.setdefault("status", "PENDING")
    return out


def proto_list(answer: dict, minimal: bool) -> dict:
    out: dict[str, Any] = {}
    if answer["results"]:
        out["results"] = [proto_info(r, minimal) for r in answer["results"]]
    if answer["total_count"]:
        out["total_count"] = answer["total_count"]
    return out


def _split(request: dict, message_type: type) -> tuple[str | None, dict, dict | None]:
    """(domain for the metadata, what the client sends, what protobuf delivers; None if inexpressible)."""
    sent = dict(request)
    domain = sent.pop("domain_id")
    try:
        delivered = MessageToDict(ParseDict(sent, message_type()), preserving_proto_field_name=True)
    except ParseError:
        return domain, sent, None
    return domain, sent, delivered


def _in_process(server, method: str, params: dict) -> tuple[str, Any]:
    try:
        with server.store.exclusive():
            return "ok", getattr(server.store, method)(params)
    except EngineError as exc:
        return "error", (exc.code, exc.message)


def _over_grpc(server, method: str, params: dict, domain: str) -> tuple[str, Any]:
    try:
        return "ok", call(server.endpoint, method, params, x_domain_id=domain)
    except ERROR_BASE as exc:
        return "error", (exc.error_code, exc.message.strip())


def _check(server, method: str, request: dict, message_type: type, normalise) -> None:
    domain, sent, delivered = _split(request, message_type)
    if not isinstance(domain, str):
        event("domain list: not expressible as metadata")
        return
    before = list(server.store)
    if delivered is None:
        event("inexpressible in protobuf: the client refuses it")
        with pytest.raises(ParseError):
            call(server.endpoint, method, sent, x_domain_id=domain)
        assert list(server.store) == before
        return
    kind, local = _in_process(server, method, {**delivered, "domain_id": domain})
    event(f"{method}: {kind}")
    if kind == "ok":
        local = normalise(local, delivered)
    assert _over_grpc(server, method, sent, domain) == (kind, local)
    assert list(server.store) == before


@SETTINGS
@given(data=st.data())
def test_list_parity(jobtask_grpc_server, data):
    records = data.draw(record_lists(DOMAINS), label="records")
    request = data.draw(list_requests(DOMAINS, records), label="request")
    jobtask_grpc_server.reset()
    jobtask_grpc_server.seed(records)
    minimal = lambda delivered: bool(delivered.get("query", {}).get("minimal"))  # noqa: E731
    _check(jobtask_grpc_server, "list", request, pb.JobTaskQuery, lambda answer, d: proto_list(answer, minimal(d)))


@SETTINGS
@given(data=st.data())
def test_stat_parity(jobtask_grpc_server, data):
    records = data.draw(record_lists(DOMAINS), label="records")
    request = data.draw(stat_requests(DOMAINS), label="request")
    jobtask_grpc_server.reset()
    jobtask_grpc_server.seed(records)
    _check(jobtask_grpc_server, "stat", request, pb.JobTaskStatQuery, lambda answer, d: as_double(answer))
