"""Errors as production sends them (status of the SpaceONE error, details "ERROR_X: message"),
and malformed requests refused as INVALID_ARGUMENT before the store is touched."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.json_format import ParseDict, ParseError
from google.protobuf.struct_pb2 import Value
from hypothesis import HealthCheck, given, settings, strategies as st
from spaceone.api.inventory.v1 import job_task_pb2 as pb
from spaceone.core import error as core_error

from jobtask_engine import JobTaskStore
from jobtask_engine.errors import EngineError
from jobtask_engine.rpc import GrpcServer
from jobtask_engine.rpc.status import STATUS_BY_CODE, status_of
from tests.grpc.conftest import call, raw_call, refusal, snapshot

TASKS = [
    {"job_task_id": "jt-1", "domain_id": "d1", "status": "FAILURE", "updated_count": 3},
    {"job_task_id": "jt-2", "domain_id": "d1", "status": "SUCCESS", "updated_count": 5},
]


@pytest.fixture
def seeded(jobtask_grpc_server, jobtask_seed):
    jobtask_seed(jobtask_grpc_server, TASKS)
    return jobtask_grpc_server


# ----------------------------------------------------------------------------- statuses
@pytest.mark.parametrize("code", sorted(set(STATUS_BY_CODE) | {"ERROR_REQUIRED_PARAMETER", "ERROR_INVALID_PARAMETER",
                                                                "ERROR_INVALID_PARAMETER_TYPE", "ERROR_OPERATOR_LIST_VALUE_TYPE",
                                                                "ERROR_OPERATOR_VALUE_TYPE", "ERROR_OPERATOR_BOOLEAN_TYPE",
                                                                "ERROR_OPERATOR_DICT_VALUE_TYPE"}))
def test_statuses_are_those_of_spaceone_core_error_classes(code):
    expected = getattr(core_error, code)._status_code
    assert status_of(EngineError(code, "m")).name == expected


def test_db_query_is_invalid_argument_by_choice():
    # production: INTERNAL (ERROR_DB_QUERY derives from ERROR_UNKNOWN); here it only ever means a malformed request
    assert core_error.ERROR_DB_QUERY._status_code == "INTERNAL"
    assert status_of(EngineError("ERROR_DB_QUERY", "m")) == grpc.StatusCode.INVALID_ARGUMENT


@pytest.mark.parametrize(
    ("method", "params", "code", "status", "message"),
    [
        ("list", {"query": {"filter": [{"k": "status", "v": "x", "o": "nosuch"}]}}, "ERROR_DB_QUERY", "INVALID_ARGUMENT", "nosuch"),
        ("list", {"query": {"filter": [{"k": "status", "v": "FAILURE", "o": "in"}]}}, "ERROR_OPERATOR_LIST_VALUE_TYPE", "INVALID_ARGUMENT",
         "The value of 'in operator' must be a list type."),
        ("list", {"query": {"filter": [{"k": "status", "v": ["a"], "o": "eq"}]}}, "ERROR_OPERATOR_VALUE_TYPE", "INVALID_ARGUMENT",
         "does not support list type"),
        ("list", {"query": {"filter": [{"k": "status", "v": "yes", "o": "exists"}]}}, "ERROR_OPERATOR_BOOLEAN_TYPE", "INVALID_ARGUMENT",
         "must be a boolean type"),
        ("list", {"query": {"filter": [{"k": "errors", "v": "x", "o": "match"}]}}, "ERROR_OPERATOR_DICT_VALUE_TYPE", "INVALID_ARGUMENT",
         "must be a dictionary type"),
        ("list", {"query": {"filter": [{"k": "created_at", "v": "soon", "o": "datetime_gt"}]}}, "ERROR_DB_QUERY", "INVALID_ARGUMENT", "soon"),
        ("stat", {}, "ERROR_REQUIRED_PARAMETER", "INVALID_ARGUMENT", "Required parameter. (key = query)"),
        ("stat", {"query": {}}, "ERROR_REQUIRED_PARAMETER", "INVALID_ARGUMENT", "Required parameter. (key = aggregate)"),
        ("stat", {"query": {"aggregate": [{"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"operator": "median", "name": "m"}]}}]}},
         "ERROR_DB_QUERY", "INVALID_ARGUMENT", "median"),
        ("stat", {"query": {"aggregate": [{"sort": [{"desc": True}]}]}}, "ERROR_DB_QUERY", "INVALID_ARGUMENT", "aggregate[0].sort"),
        ("get", {}, "ERROR_REQUIRED_PARAMETER", "INVALID_ARGUMENT", "Required parameter. (key = job_task_id)"),
        ("get", {"job_task_id": "jt-9"}, "ERROR_NOT_FOUND", "NOT_FOUND", "Resource cannot be found or access is denied. (job_task_id = jt-9)"),
        ("delete", {"job_task_id": "jt-9"}, "ERROR_NOT_FOUND", "NOT_FOUND", "(job_task_id = jt-9)"),
    ],
)
def test_refusals_carry_the_code_status_and_message(seeded, method, params, code, status, message):
    before = snapshot(seeded)
    got_code, got_status, got_message = refusal(seeded.endpoint, method, params, x_domain_id="d1")
    assert (got_code, got_status) == (code, status)
    assert message in got_message
    assert snapshot(seeded) == before


def test_details_are_the_engines_code_and_message(seeded):
    with pytest.raises(EngineError) as info:
        seeded.store.list({"domain_id": "d1", "query": {"filter": [{"k": "status", "v": "x", "o": "in"}]}})
    request = pb.JobTaskQuery(query={"filter": [{"k": "status", "v": Value(string_value="x"), "o": "in"}]})
    code, details, _ = raw_call(seeded.endpoint, "list", request.SerializeToString())
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert details == f"{info.value.code}: {info.value.message}"


class _BrokenStore(JobTaskStore):
    """A store with a bug in list (what the INTERNAL path exists for)."""

    def list(self, params: dict) -> dict:
        raise ZeroDivisionError("a bug")


def test_a_bug_is_internal_error_unknown_as_production_answers_it():
    with GrpcServer(_BrokenStore()) as server:
        assert refusal(server.endpoint, "list", {}, x_domain_id="d1") == ("ERROR_UNKNOWN", "INTERNAL", "ZeroDivisionError: a bug")


# ----------------------------------------------------------------------------- malformed requests
def test_the_client_refuses_unknown_fields_and_wrong_types_before_sending(seeded):
    before = snapshot(seeded)
    for params in ({"domain_id": "d1"}, {"query": {"nosuch": 1}}, {"query": {"page": {"limit": "ten"}}},
                   {"status": "NOSUCH"}, {"query": {"only": "job_id"}}):
        with pytest.raises(ParseError):
            call(seeded.endpoint, "list", params, x_domain_id="d1")
    assert snapshot(seeded) == before


def _field(number: int, wire_type: int, payload: bytes) -> bytes:
    """One field on the wire (numbers < 16, payloads < 128 bytes); wire type 2 gets its length prefix."""
    return bytes([number << 3 | wire_type]) + (bytes([len(payload)]) if wire_type == 2 else b"") + payload


@pytest.mark.parametrize(
    ("method", "data", "culprit"),
    [
        ("list", b"\xff\xff\xff", "not a valid JobTaskQuery message"),
        ("list", _field(15, 0, b"\x01"), "field number(s) [15] are not fields of spaceone.api.inventory.v1.JobTaskQuery"),
        ("list", _field(2, 0, b"\x01"), "field number(s) [2]"),  # job_task_id sent as a varint: wrong wire type
        ("list", _field(3, 0, b"\x09"), "unknown JobTaskStatus value 9"),
        ("list", _field(1, 2, _field(4, 2, _field(12, 0, b"\x01"))), "JobTaskQuery.query.page"),
        ("stat", _field(1, 2, _field(3, 2, _field(9, 0, b"\x01"))), "JobTaskStatQuery.query.aggregate[0]"),
        ("get", _field(1, 0, b"\x01"), "field number(s) [1]"),
        ("delete", _field(1, 2, b"jt-1") + _field(7, 2, b""), "field number(s) [7]"),
        ("delete", b"\x0a\x09jt", "not a valid JobTaskRequest message"),
    ],
)
def test_malformed_bytes_are_invalid_argument_naming_the_culprit(seeded, method, data, culprit):
    before = snapshot(seeded)
    code, details, _ = raw_call(seeded.endpoint, method, data)
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert details.startswith("ERROR_INVALID_PARAMETER: Parameter is invalid.")
    assert culprit in details
    assert snapshot(seeded) == before


def test_a_well_formed_raw_delete_does_delete(seeded):
    code, _, reply = raw_call(seeded.endpoint, "delete", _field(1, 2, b"jt-1"))
    assert code == grpc.StatusCode.OK and reply == b""
    assert [t["job_task_id"] for t in snapshot(seeded)] == ["jt-2"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["list", "stat", "get", "delete"]), data=st.binary(max_size=40))
def test_fuzz_any_bytes_never_internal_and_never_change_the_store(seeded, method, data):
    before = snapshot(seeded)
    code, details, _ = raw_call(seeded.endpoint, method, data)
    assert code in (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND), (code, details)
    if code != grpc.StatusCode.OK:
        assert details.startswith("ERROR_")
    if method == "delete" and code == grpc.StatusCode.OK:
        return
    assert snapshot(seeded) == before


_VALID_REQUESTS = {
    "list": ParseDict({"status": "FAILURE", "query": {
        "filter": [{"k": "updated_count", "v": 3, "o": "gte"}], "sort": [{"key": "created_at", "desc": True}],
        "page": {"start": 1, "limit": 5}, "only": ["job_task_id", "errors"]}}, pb.JobTaskQuery()).SerializeToString(),
    "stat": ParseDict({"query": {"filter": [{"k": "status", "v": ["FAILURE"], "o": "in"}], "aggregate": [
        {"unwind": {"path": "errors"}},
        {"group": {"keys": [{"key": "errors.error_code", "name": "c"}], "fields": [{"operator": "count", "name": "n"}]}},
        {"sort": [{"key": "n", "desc": True}]}, {"limit": 3}]}}, pb.JobTaskStatQuery()).SerializeToString(),
}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["list", "stat"]), data=st.data())
def test_fuzz_mutated_valid_requests_never_internal_and_never_change_the_store(seeded, method, data):
    """Valid messages with bytes flipped, dropped or inserted: deep structures a random string rarely reaches."""
    original = bytearray(_VALID_REQUESTS[method])
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(original) - 1))
        action = data.draw(st.sampled_from(["flip", "drop", "insert"]))
        if action == "flip":
            original[at] ^= 1 << data.draw(st.integers(0, 7))
        elif action == "drop":
            del original[at]
        else:
            original.insert(at, data.draw(st.integers(0, 255)))
    before = snapshot(seeded)
    code, details, _ = raw_call(seeded.endpoint, method, bytes(original))
    assert code in (grpc.StatusCode.OK, grpc.StatusCode.INVALID_ARGUMENT), (code, details)
    assert snapshot(seeded) == before
