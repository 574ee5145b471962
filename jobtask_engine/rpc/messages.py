"""Protobuf in and out: strict request decoding and the production service's answer shapes.

Requests arrive as bytes and are decoded here (not by grpcio) so that a
malformed request is refused as ``INVALID_ARGUMENT`` naming the culprit:
undecodable bytes, fields the message does not declare (a field sent with the
wrong wire type lands there too) and enum numbers the enum does not declare.
The decoded message becomes the plain request dict exactly as the production
API builds it (``MessageToDict(preserving_proto_field_name=True)``: numbers
inside ``Value``/``Struct`` are doubles, zero/empty/unset fields are absent).

Answers are built as the production info functions build them: every
JobTaskInfo field the record has (``None`` means unset), only the minimal
fields when ``minimal`` is asked, and ``status`` PENDING when the record's
status was not loaded (``only`` without ``status``: the model's default, as
mongoengine fills a field left out of a projection; measured on the reference
model).  ``errors[].additional`` and stat answers are ``Struct``s.  Answers are
written straight to wire bytes (``wire``: the pure-Python protobuf runtime made
building and serializing messages the larger part of a call).
"""

from __future__ import annotations

from typing import Iterator, TypeVar

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.json_format import Error as JsonFormatError, MessageToDict
from google.protobuf.message import DecodeError, Message
from spaceone.api.inventory.v1 import job_task_pb2 as pb

try:  # protobuf >= 4 (``Message.UnknownFields`` is gone from its upb runtime)
    from google.protobuf.unknown_fields import UnknownFieldSet
except ImportError:  # protobuf 3
    UnknownFieldSet = None

from jobtask_engine.errors import EngineError, invalid_parameter
from jobtask_engine.rpc.wire import fields_encoder, int32_field, message_field, struct_bytes, tag
from jobtask_engine.schema import MINIMAL_FIELDS

__all__ = ["decode", "to_params", "job_task_info", "job_tasks_info", "struct_of", "DEFAULT_STATUS"]

M = TypeVar("M", bound=Message)

#: The model's default status, which production renders for a record whose status was not loaded.
DEFAULT_STATUS = "PENDING"


def decode(message_type: type[M], data: bytes) -> M:
    """``data`` as a ``message_type``, refused unless every byte of it is a declared field."""
    message = message_type()
    name = message_type.DESCRIPTOR.name
    try:
        message.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError) as exc:
        raise invalid_parameter("request", f"not a valid {name} message ({exc})") from None
    _check(message, name)
    return message


def _unknown_numbers(message: Message) -> list[int]:
    fields = message.UnknownFields() if UnknownFieldSet is None else UnknownFieldSet(message)
    return sorted({f.field_number for f in fields})


def _repeated(field: FieldDescriptor) -> bool:
    """Whether ``field`` is repeated (protobuf 7 has ``is_repeated`` only; protobuf 3 ``label`` only)."""
    is_repeated = getattr(field, "is_repeated", None)
    if is_repeated is None:
        return field.label == FieldDescriptor.LABEL_REPEATED
    return bool(is_repeated() if callable(is_repeated) else is_repeated)


def _children(message: Message, path: str) -> Iterator[tuple[Message, str]]:
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        if field.message_type.GetOptions().map_entry:
            entry_value = field.message_type.fields_by_name["value"]
            if entry_value.type == FieldDescriptor.TYPE_MESSAGE:
                yield from ((v, f"{path}.{field.name}[{k!r}]") for k, v in value.items())
        elif _repeated(field):
            yield from ((v, f"{path}.{field.name}[{i}]") for i, v in enumerate(value))
        else:
            yield value, f"{path}.{field.name}"


def _check_enums(message: Message, path: str) -> None:
    for field, value in message.ListFields():
        if field.enum_type is None:
            continue
        values = value if _repeated(field) else [value]
        for number in values:
            if number not in field.enum_type.values_by_number:
                names = ", ".join(v.name for v in field.enum_type.values)
                raise invalid_parameter(f"{path}.{field.name}", f"unknown {field.enum_type.name} value {number} (allowed: {names})")


def _check(message: Message, path: str) -> None:
    unknown = _unknown_numbers(message)
    if unknown:
        declared = ", ".join(f"{f.number} {f.name}" for f in message.DESCRIPTOR.fields)
        raise invalid_parameter(
            path,
            f"field number(s) {unknown} are not fields of {message.DESCRIPTOR.full_name} or have the wrong type "
            f"(declared: {declared})",
        )
    _check_enums(message, path)
    for child, child_path in _children(message, path):
        _check(child, child_path)


def to_params(message: Message) -> dict:
    """The request dict the production API hands its service."""
    try:
        return MessageToDict(message, preserving_proto_field_name=True)
    except (ValueError, JsonFormatError) as exc:  # protobuf >= 4: a NaN or infinite number inside a Value
        raise invalid_parameter("request", str(exc)) from None


_INFO = pb.JobTaskInfo.DESCRIPTOR
_SCALARS = tuple(f.name for f in _INFO.fields if f.name != "errors")
_ENCODE_ALL = fields_encoder(_INFO, _SCALARS)
_ENCODE_MINIMAL = fields_encoder(_INFO, tuple(name for name in _SCALARS if name in MINIMAL_FIELDS))
_ERRORS = tag(_INFO.fields_by_name["errors"].number, 2)
_ERROR_SCALARS = fields_encoder(pb.ErrorInfo.DESCRIPTOR, ("error_code", "message"))
_ADDITIONAL = tag(pb.ErrorInfo.DESCRIPTOR.fields_by_name["additional"].number, 2)
_RESULTS = tag(pb.JobTasksInfo.DESCRIPTOR.fields_by_name["results"].number, 2)
_TOTAL_COUNT = tag(pb.JobTasksInfo.DESCRIPTOR.fields_by_name["total_count"].number, 0)


def _error_info(error: dict) -> bytes:
    # ``additional`` is always sent: the model's DictField reads a missing, null or
    # not loaded value as {} (measured on the reference model).
    return _ERROR_SCALARS(error) + message_field(_ADDITIONAL, struct_bytes(error.get("additional") or {}))


def job_task_info(info: dict, minimal: bool = False) -> bytes:
    """One serialized JobTaskInfo, as production renders a JobTask document."""
    if info.get("status") is None:
        info = {**info, "status": DEFAULT_STATUS}
    body = (_ENCODE_MINIMAL if minimal else _ENCODE_ALL)(info)
    errors = info.get("errors")
    if errors and not minimal:
        body += b"".join(message_field(_ERRORS, _error_info(e)) for e in errors)
    return body


def job_tasks_info(answer: dict, minimal: bool = False) -> bytes:
    """A serialized JobTasksInfo."""
    results = b"".join(message_field(_RESULTS, job_task_info(info, minimal)) for info in answer["results"])
    total = answer["total_count"]
    return results + int32_field(_TOTAL_COUNT, total) if total else results


def struct_of(answer: dict) -> bytes:
    """A stat answer as the serialized ``Struct`` production sends (every number a double)."""
    try:
        return struct_bytes(answer)
    except (TypeError, ValueError, OverflowError) as exc:
        raise EngineError("ERROR_UNKNOWN", f"the answer cannot be sent as a Struct ({exc})", status=500) from None
