"""The hand-written wire encoding decodes, with protobuf's own runtime, to what protobuf's own encoder makes."""

from __future__ import annotations

import math

import pytest
from google.protobuf.struct_pb2 import Struct
from hypothesis import given, settings, strategies as st
from spaceone.api.inventory.v1 import job_task_pb2 as pb

from jobtask_engine import JobTaskStore
from jobtask_engine.rpc.messages import job_task_info, job_tasks_info, struct_of
from jobtask_engine.rpc.wire import int32_field, struct_bytes, varint
from jobtask_engine.testing.strategies import record_lists

scalars = st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.floats(allow_nan=False) | st.text(max_size=8)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
                           max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=5))
def test_struct_bytes_decode_to_what_struct_update_builds(value):
    expected = Struct()
    expected.update(value)
    assert Struct.FromString(struct_bytes(value)) == expected


def _protobuf_info(info: dict) -> pb.JobTaskInfo:
    """The same JobTaskInfo built by protobuf itself (every field that is set)."""
    fields = {k: v for k, v in info.items() if k in pb.JobTaskInfo.DESCRIPTOR.fields_by_name and k != "errors" and v is not None}
    message = pb.JobTaskInfo(**fields)
    for error in info.get("errors") or []:
        item = message.errors.add(error_code=error.get("error_code"), message=error.get("message"))
        item.additional.SetInParent()
        item.additional.update(error.get("additional") or {})
    return message


@settings(max_examples=100, deadline=None)
@given(record_lists(max_size=6))
def test_job_task_info_decodes_to_what_protobuf_builds(records):
    store = JobTaskStore(records)
    answer = store.list({"domain_id": ["domain-a", "domain-b", "Domain-C"]})
    decoded = pb.JobTasksInfo.FromString(job_tasks_info(answer))
    assert decoded == pb.JobTasksInfo(results=[_protobuf_info(i) for i in answer["results"]], total_count=answer["total_count"])
    for info in answer["results"]:
        assert pb.JobTaskInfo.FromString(job_task_info(info)) == _protobuf_info(info)


def test_varints_and_int32_range():
    assert varint(0) == b"\x00" and varint(300) == b"\xac\x02"
    assert varint(-1) == b"\xff" * 9 + b"\x01"
    assert pb.JobTasksInfo.FromString(int32_field(b"\x10", -5)).total_count == -5
    with pytest.raises(ValueError):
        int32_field(b"\x10", 2**31)


def test_answers_protobuf_cannot_carry_are_internal_errors_not_crashes():
    from jobtask_engine.errors import EngineError

    for bad in ({"x": object()}, {1: "a"}, {"x": 10**400}):
        with pytest.raises(EngineError) as info:
            struct_of(bad)
        assert info.value.code == "ERROR_UNKNOWN"
    assert math.isinf(Struct.FromString(struct_of({"x": float("inf")}))["x"])
