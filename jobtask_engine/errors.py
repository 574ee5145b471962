"""The one exception type the engine raises.

SpaceONE services answer bad requests with typed errors (``ERROR_DB_QUERY``,
``ERROR_OPERATOR_LIST_VALUE_TYPE``, ...).  Callers of a fake backend match on
those codes, so every failure here carries the same ``code`` and a message
that names the key, operator or value at fault.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "EngineError",
    "required_parameter",
    "invalid_parameter",
    "invalid_parameter_type",
    "db_query",
    "not_found",
    "save_unique_values",
    "operator_list_value_type",
    "operator_value_type",
    "operator_boolean_type",
    "operator_dict_value_type",
]


class EngineError(Exception):
    """A request or record was refused; ``code`` is the SpaceONE error code."""

    #: HTTP status an outer layer should answer with.
    status: int = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **details: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.details = details
        if status is not None:
            self.status = status

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message}


def required_parameter(key: str) -> EngineError:
    return EngineError("ERROR_REQUIRED_PARAMETER", f"Required parameter. (key = {key})", key=key)


def invalid_parameter(key: str, reason: str) -> EngineError:
    return EngineError(
        "ERROR_INVALID_PARAMETER", f"Parameter is invalid. (key = {key}, reason = {reason})", key=key
    )


def invalid_parameter_type(key: str, expected: str) -> EngineError:
    return EngineError(
        "ERROR_INVALID_PARAMETER_TYPE", f"Parameter type is invalid. (key = {key}, type = {expected})", key=key
    )


def db_query(reason: str) -> EngineError:
    return EngineError("ERROR_DB_QUERY", f"Database query failed. (reason = {reason})")


def not_found(key: str, value: Any) -> EngineError:
    return EngineError(
        "ERROR_NOT_FOUND",
        f"Resource cannot be found or access is denied. ({key} = {value})",
        status=404,
        key=key,
    )


def save_unique_values(keys: list[str], detail: str = "") -> EngineError:
    return EngineError(
        "ERROR_SAVE_UNIQUE_VALUES", f"Tried to save duplicate unique values. (keys = {keys}{detail})", status=409
    )


def operator_list_value_type(operator: str, condition: Any) -> EngineError:
    return EngineError(
        "ERROR_OPERATOR_LIST_VALUE_TYPE",
        f"The value of '{operator} operator' must be a list type. ({condition})",
    )


def operator_value_type(operator: str, condition: Any) -> EngineError:
    return EngineError(
        "ERROR_OPERATOR_VALUE_TYPE",
        f"The value of '{operator} operator' does not support list type. ({condition})",
    )


def operator_boolean_type(operator: str, condition: Any) -> EngineError:
    return EngineError(
        "ERROR_OPERATOR_BOOLEAN_TYPE",
        f"The value of '{operator} operator' must be a boolean type. ({condition})",
    )


def operator_dict_value_type(operator: str, condition: Any) -> EngineError:
    return EngineError(
        "ERROR_OPERATOR_DICT_VALUE_TYPE",
        f"The value of '{operator} operator' must be a dictionary type. ({condition})",
    )
