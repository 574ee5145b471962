"""JobTask records: validation on the way in, JobTaskInfo on the way out.

Input is checked by msgspec in one C-level pass (types, the status enum,
nested errors) and then normalised the way the production model stores it:
strings trimmed, absent values stored as null or not at all per field,
datetimes reduced to UTC milliseconds.  Keys the model does not know are
ignored, as the reference's ``create`` ignores them.
"""

from __future__ import annotations

import datetime as _dt
import secrets
from typing import Any, Iterable, Literal, Union

import msgspec
from msgspec import UNSET, UnsetType

from . import errors as E
from .schema import DATETIME, ERRORS, FIELDS, INT, MISSING, STR, Field
from .timeutil import ms_to_iso, now_ms, to_ms

__all__ = ["ErrorInfo", "JobTask", "decode_records", "normalize", "new_job_task_id", "to_info"]

Status = Literal["PENDING", "CANCELED", "IN_PROGRESS", "SUCCESS", "FAILURE"]
OptStr = Union[str, None, UnsetType]
OptInt = Union[int, None, UnsetType]
OptTime = Union[_dt.datetime, None, UnsetType]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class ErrorInfo(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """One element of ``errors``."""

    error_code: OptStr = UNSET
    message: OptStr = UNSET
    additional: Union[dict[str, Any], None, UnsetType] = UNSET


class JobTask(msgspec.Struct, omit_defaults=True):
    """A JobTask record as accepted on input: every JobTaskInfo field plus ``workspace_id``."""

    job_task_id: OptStr = UNSET
    status: Union[Status, None, UnsetType] = UNSET
    provider: OptStr = UNSET
    created_count: OptInt = UNSET
    updated_count: OptInt = UNSET
    failure_count: OptInt = UNSET
    deleted_count: OptInt = UNSET
    disconnected_count: OptInt = UNSET
    errors: Union[list[ErrorInfo], None, UnsetType] = UNSET
    job_id: OptStr = UNSET
    secret_id: OptStr = UNSET
    service_account_id: OptStr = UNSET
    project_id: OptStr = UNSET
    workspace_id: OptStr = UNSET
    domain_id: OptStr = UNSET
    created_at: OptTime = UNSET
    started_at: OptTime = UNSET
    finished_at: OptTime = UNSET


_INPUT_FIELDS = frozenset(JobTask.__struct_fields__)


def new_job_task_id() -> str:
    return f"job-task-{secrets.token_hex(6)}"


def _validation_error(exc: msgspec.ValidationError, where: str = "record") -> E.EngineError:
    return E.EngineError("ERROR_INVALID_PARAMETER", f"Invalid {where}: {exc}")


def decode_records(items: Any) -> list[JobTask]:
    """Validate a batch of plain records (dicts) in one pass; errors name ``$[i].field``."""
    try:
        return msgspec.convert(items, list[JobTask], str_keys=True)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc) from None


def decode_one(item: Any, *, partial: bool = False) -> JobTask:
    try:
        return msgspec.convert(item, JobTask, str_keys=True)
    except msgspec.ValidationError as exc:
        raise _validation_error(exc, "changes" if partial else "record") from None


def _str_value(f: Field, raw: Any, where: str) -> Any:
    if raw is UNSET or raw is None:
        if f.name == "status":
            return "PENDING"
        return None if f.nullable else MISSING
    value = raw.strip()
    if f.max_length is not None and len(value) > f.max_length:
        raise E.EngineError(
            "ERROR_INVALID_PARAMETER",
            f"String value is too long: {where}{f.name} (max_length = {f.max_length})",
        )
    return value


def _int_value(f: Field, raw: Any, where: str) -> int:
    if raw is UNSET or raw is None:
        return 0
    if not INT64_MIN <= raw <= INT64_MAX:
        raise E.EngineError("ERROR_INVALID_PARAMETER", f"Integer out of 64-bit range: {where}{f.name}")
    return raw


def _time_value(f: Field, raw: Any, where: str) -> Any:
    if raw is UNSET:
        if f.name == "created_at":
            return now_ms()
        return None if f.nullable else MISSING
    if raw is None:
        return None if f.nullable else MISSING
    return to_ms(raw)


def _errors_value(raw: Any, where: str) -> list[dict]:
    if raw is UNSET or raw is None:
        return []
    out = []
    for i, err in enumerate(raw):
        doc: dict[str, Any] = {}
        for name, limit in (("error_code", 128), ("message", 2048)):
            value = getattr(err, name)
            if value is not UNSET and value is not None:
                if len(value) > limit:
                    raise E.EngineError(
                        "ERROR_INVALID_PARAMETER",
                        f"String value is too long: {where}errors[{i}].{name} (max_length = {limit})",
                    )
                doc[name] = value
        additional = err.additional
        doc["additional"] = {} if additional is UNSET or additional is None else additional
        out.append(doc)
    return out


_NORMALIZERS = {STR: _str_value, INT: _int_value, DATETIME: _time_value}


def normalize(task: JobTask, where: str = "") -> dict[str, Any]:
    """Column values for one validated record, as the production model would store them."""
    row: dict[str, Any] = {}
    for name, f in FIELDS.items():
        raw = getattr(task, name)
        if f.kind == ERRORS:
            row[name] = _errors_value(raw, where)
        else:
            row[name] = _NORMALIZERS[f.kind](f, raw, where)
    if row["job_task_id"] is MISSING:
        row["job_task_id"] = new_job_task_id()
    return row


def normalize_changes(changes: Any, allowed: Iterable[str]) -> dict[str, Any]:
    """Column values for an update: only the updatable fields, each validated like on create."""
    if not isinstance(changes, dict):
        raise E.invalid_parameter_type("changes", "dict")
    allowed = frozenset(allowed)
    refused = sorted(k for k in changes if k not in allowed)
    if refused:
        raise E.invalid_parameter(str(refused[0]), f"field is not updatable (updatable: {sorted(allowed)})")
    task = decode_one(changes, partial=True)
    out: dict[str, Any] = {}
    for name in changes:
        f = FIELDS[name]
        raw = getattr(task, name)
        if f.kind == ERRORS:
            out[name] = _errors_value(raw, "")
        else:
            out[name] = _NORMALIZERS[f.kind](f, raw, "")
    return out


def _copy_error(err: dict) -> dict:
    additional = err.get("additional")
    if isinstance(additional, dict) and additional:
        additional = msgspec.json.decode(msgspec.json.encode(additional))
    return {
        "error_code": err.get("error_code"),
        "message": err.get("message"),
        "additional": additional,
    }


def out_value(kind: str, value: Any) -> Any:
    """One stored value as the API writes it."""
    if value is MISSING or value is None:
        return None
    if kind == DATETIME:
        return ms_to_iso(value)
    if kind == ERRORS:
        return [_copy_error(e) for e in value]
    return value


def to_info(row: dict[str, Any]) -> dict[str, Any]:
    """JobTaskInfo for a full row of column values."""
    return {name: out_value(f.kind, row[name]) for name, f in FIELDS.items()}
