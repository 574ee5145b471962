"""Protobuf wire encoding of the answers, written directly from plain dicts.

The installed protobuf runtime may be the pure-Python one (spaceone-core pins
protobuf 3, whose wheels for current CPython are pure Python): there, building a
page of 100 JobTaskInfo messages and serializing them took 3.1 ms (5 ms for
FAILURE tasks with errors) against 0.3 ms for the store to answer
(``benchmarks/grpc_roundtrip.py``, 10,000 records).  The answers have a small,
fixed shape, so they are encoded here straight to bytes: strings, int32s and
enums by field number, ``Struct`` / ``Value`` / ``ListValue`` by the
well-known types' field numbers.  Fields at their default (empty string, 0,
enum 0) are left out, as proto3 serializers do; the client decodes these bytes
with its own protobuf runtime (the parity tests compare the results with
protobuf's own encoding).
"""

from __future__ import annotations

import struct as _struct
from typing import Any, Callable

from google.protobuf.descriptor import Descriptor, FieldDescriptor

__all__ = ["varint", "tag", "string_field", "message_field", "int32_field", "value_bytes", "struct_bytes", "fields_encoder"]

_DOUBLE = _struct.Struct("<d").pack
_VARINT_ONE_BYTE = [bytes([i]) for i in range(128)]


def varint(n: int) -> bytes:
    if 0 <= n < 128:
        return _VARINT_ONE_BYTE[n]
    if n < 0:
        n += 1 << 64  # negative int32/int64: ten bytes of two's complement
    out = bytearray()
    while n > 127:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def tag(number: int, wire_type: int) -> bytes:
    return varint(number << 3 | wire_type)


def string_field(key: bytes, text: str) -> bytes:
    data = text.encode("utf-8")
    return key + varint(len(data)) + data


def message_field(key: bytes, body: bytes) -> bytes:
    return key + varint(len(body)) + body


def int32_field(key: bytes, value: int) -> bytes:
    if not -(1 << 31) <= value < 1 << 31:
        raise ValueError(f"{value} is out of the int32 range")
    return key + varint(value)


# -- google.protobuf.Struct / Value / ListValue -------------------------------------------
_NULL = b"\x08\x00"  # Value.null_value = NULL_VALUE
_TRUE, _FALSE = b"\x20\x01", b"\x20\x00"  # Value.bool_value
_NUMBER = b"\x11"  # Value.number_value (fixed64)
_STRING, _STRUCT, _LIST = b"\x1a", b"\x2a", b"\x32"  # Value.string_value, struct_value, list_value
_ENTRY, _ENTRY_KEY, _ENTRY_VALUE = b"\x0a", b"\x0a", b"\x12"  # Struct.fields entries: key 1, value 2
_LIST_ITEM = b"\x0a"  # ListValue.values


def value_bytes(value: Any) -> bytes:
    """A ``google.protobuf.Value`` (numbers become doubles, as ``Struct.update`` makes them)."""
    if value is None:
        return _NULL
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, str):
        return string_field(_STRING, value)
    if isinstance(value, (int, float)):
        return _NUMBER + _DOUBLE(float(value))
    if isinstance(value, dict):
        return message_field(_STRUCT, struct_bytes(value))
    if isinstance(value, (list, tuple)):
        return message_field(_LIST, b"".join(message_field(_LIST_ITEM, value_bytes(v)) for v in value))
    raise TypeError(f"a {type(value).__name__} cannot be a protobuf Value")


def struct_bytes(mapping: dict) -> bytes:
    """A ``google.protobuf.Struct`` (its keys must be strings)."""
    parts = []
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise TypeError(f"a Struct key must be a string, not {type(key).__name__} ({key!r})")
        parts.append(message_field(_ENTRY, string_field(_ENTRY_KEY, key) + message_field(_ENTRY_VALUE, value_bytes(value))))
    return b"".join(parts)


# -- messages of plain scalar fields ----------------------------------------------------------
_STRING_KIND, _INT32_KIND, _ENUM_KIND = range(3)
_INT32_MIN, _INT32_MAX = -(1 << 31), (1 << 31) - 1


def _kind(field: FieldDescriptor) -> int:
    kinds = {FieldDescriptor.TYPE_STRING: _STRING_KIND, FieldDescriptor.TYPE_INT32: _INT32_KIND,
             FieldDescriptor.TYPE_ENUM: _ENUM_KIND}
    if field.type not in kinds:
        raise TypeError(f"no encoder for field {field.full_name}")
    return kinds[field.type]


def fields_encoder(descriptor: Descriptor, names: tuple[str, ...]) -> Callable[[dict], bytes]:
    """Encodes the scalar fields ``names`` of ``descriptor`` from a dict (None, missing or default: unset).

    One loop over a precomputed field table, appending to one buffer: a page of 100
    JobTaskInfo took 0.7 ms this way against 1.9 ms with one closure per field
    joined (same machine, same minute).
    """
    table: list[tuple[str, int, bytes, dict[str, int]]] = []  # numbers: an enum's, by name (others: none)
    for name in names:
        field = descriptor.fields_by_name[name]
        kind = _kind(field)
        numbers = {v.name: v.number for v in field.enum_type.values} if kind == _ENUM_KIND else {}
        table.append((name, kind, tag(field.number, 0 if kind != _STRING_KIND else 2), numbers))
    one_byte = _VARINT_ONE_BYTE

    def encode(values: dict) -> bytes:
        out = bytearray()
        for name, kind, key, numbers in table:
            value = values.get(name)
            if not value:  # None, "" and 0 are proto3 defaults: left out
                continue
            if kind == _STRING_KIND:
                data = value.encode("utf-8")
                size = len(data)
                out += key
                out += one_byte[size] if size < 128 else varint(size)
                out += data
            elif kind == _INT32_KIND:
                if not _INT32_MIN <= value <= _INT32_MAX:
                    raise ValueError(f"{name} = {value} is out of the int32 range")
                out += key
                out += varint(value)
            else:
                number = numbers.get(value)
                if number is None:
                    raise ValueError(f"{value!r} is not a {descriptor.fields_by_name[name].enum_type.name}")
                out += key
                out += varint(number)
        return bytes(out)

    return encode
