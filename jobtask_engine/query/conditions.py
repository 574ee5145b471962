"""Filter conditions: shape checks, field resolution, and query-value coercion.

Checks run in the reference's order, so the first fault a request has is the
one reported: first every condition's shape (operator known, list or scalar
value, key present, boolean/dict/datetime operands), then, per condition, the
field and the value's conversion to the field's type.  The conversion copies
what the production model's field types do to a query value: integer fields
call ``int()`` on it, datetime fields parse strings and turn anything else
into null, string fields take it as it is but need a string to search in.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, NamedTuple

from .. import errors as E
from ..limits import check_condition
from ..schema import DATETIME, ERROR_FIELDS, ERRORS, FIELDS, INT, STR
from ..timeutil import parse_iso8601, parse_timediff, query_ms
from ..values import DateValue
from .lenient_dates import parse_lenient

__all__ = ["OPERATORS", "UNKNOWN", "Condition", "Path", "parse_condition", "resolve_path", "prepare_value"]

#: Kind of an ``errors.<name>`` path whose name the Error document does not have.
UNKNOWN = "unknown"

#: operator -> (takes a list value, the comparison it reduces to)
OPERATORS: dict[str, tuple[bool, str]] = {
    "lt": (False, "lt"),
    "lte": (False, "lte"),
    "gt": (False, "gt"),
    "gte": (False, "gte"),
    "eq": (False, "eq"),
    "not": (False, "ne"),
    "exists": (False, "exists"),
    "contain": (False, "contain"),
    "not_contain": (False, "not_contain"),
    "in": (True, "in"),
    "not_in": (True, "nin"),
    "contain_in": (True, "contain"),
    "not_contain_in": (True, "not_contain"),
    "match": (False, "match"),
    "regex": (False, "regex"),
    "regex_in": (True, "regex"),
    "datetime_lt": (False, "lt"),
    "datetime_lte": (False, "lte"),
    "datetime_gt": (False, "gt"),
    "datetime_gte": (False, "gte"),
    "timediff_lt": (False, "lt"),
    "timediff_lte": (False, "lte"),
    "timediff_gt": (False, "gt"),
    "timediff_gte": (False, "gte"),
}


#: Operators that become an OR of one condition per list element.
_OR_OF_EACH = frozenset({"contain_in", "not_contain_in", "regex_in"})


class Condition(NamedTuple):
    """A shape-checked condition; ``value`` already parsed for datetime/timediff operators."""

    key: str
    operator: str
    value: Any
    source: Any

    @property
    def label(self) -> str:
        """The condition as the caller wrote it, for messages (``value`` may be a parsed instant,
        which would make the same request's message differ from call to call)."""
        return f"{self.key} {self.operator} {_get(self.source, 'value', 'v')!r}"


class Path(NamedTuple):
    """Where a key points: a top-level field, or a sub-field of each element of ``errors``."""

    field: str
    kind: str  # STR, INT, DATETIME, ERRORS, "dict", "any"
    sub: tuple[str, ...] = ()

    @property
    def in_array(self) -> bool:
        return bool(self.sub)


def _get(condition: dict, long: str, short: str) -> Any:
    return condition.get(long, condition.get(short))


def parse_condition(condition: Any, where: str) -> Condition:
    """Shape checks of one condition, before any field is looked at."""
    if not isinstance(condition, dict):
        raise E.invalid_parameter_type(where, "dict")
    key = _get(condition, "key", "k")
    value = _get(condition, "value", "v")
    operator = _get(condition, "operator", "o")
    if not isinstance(operator, str) or operator not in OPERATORS:
        raise E.db_query(f"Filter operator is not supported. (operator = {operator!r} at {where}; supported = {list(OPERATORS)})")
    multiple = OPERATORS[operator][0]
    if multiple and not isinstance(value, list):
        raise E.operator_list_value_type(operator, condition)
    if not multiple and isinstance(value, list):
        raise E.operator_value_type(operator, condition)
    check_condition(operator, value, where)
    if operator in _OR_OF_EACH and not value:
        # The reference ORs one condition per element and fails on none.
        raise E.invalid_parameter(f"{where}.value", f"'{operator}' needs at least one value")
    if not key:
        raise E.db_query(f"Filter condition should have key, value and operator. ({where}: {condition})")
    if not isinstance(key, str):
        raise E.db_query(f"Filter key must be a string. ({where}: {condition})")
    if operator == "exists" and not isinstance(value, bool):
        raise E.operator_boolean_type(operator, condition)
    if operator == "match" and not isinstance(value, dict):
        raise E.operator_dict_value_type(operator, condition)
    if operator.startswith("datetime_"):
        value = _parse_datetime_operand(operator, value)
    elif operator.startswith("timediff_"):
        value = _parse_timediff_operand(value)
    return Condition(key, operator, value, condition)


def _parse_datetime_operand(operator: str, value: Any) -> Any:
    if not isinstance(value, str):
        return None  # the reference turns a non-string into null without complaint
    try:
        return parse_iso8601(value)
    except (ValueError, OverflowError):
        raise E.db_query(f"The value of {operator} operator is required ISO 8601 format. (value = {value!r})") from None


def _parse_timediff_operand(value: Any) -> Any:
    try:
        return parse_timediff(value)
    except (ValueError, TypeError, OverflowError):
        raise E.db_query(f"The value of timediff operator is invalid. (value = {value})") from None


def resolve_path(key: str) -> Path:
    """The field a dotted key names; an unknown field is a query error, as in the reference."""
    head, _, rest = key.partition(".")
    f = FIELDS.get(head)
    if f is None or "__" in key:
        raise E.db_query(f'Cannot resolve field "{key}"')
    if not rest:
        return Path(head, f.kind)
    if f.kind != ERRORS:
        raise E.db_query(f'Cannot resolve field "{key}"')
    parts = tuple(rest.split("."))
    if "" in parts:
        raise E.db_query(f'Cannot resolve field "{key}"')
    sub = ERROR_FIELDS.get(parts[0])
    if sub is None:
        if len(parts) > 1:
            raise E.db_query(f'Cannot resolve field "{key}"')
        # The production model resolves an unknown sub-field to the errors list itself.
        return Path(head, UNKNOWN, parts)
    if len(parts) > 1:
        if sub[0] != "dict":
            raise E.db_query(f'Cannot resolve field "{key}"')
        return Path(head, "any", parts)
    return Path(head, sub[0], parts)


SEARCH_OPS = frozenset({"contain", "not_contain"})


def prepare_value(path: Path, op: str, value: Any, key: str) -> Any:
    """The query value as the field type turns it into a stored-comparable value.

    Datetimes become epoch milliseconds.  Raises ERROR_DB_QUERY where the
    reference's conversion fails.
    """
    if op in ("in", "nin"):
        return [_prepare_scalar(path, op, v, key) for v in value]
    if op == "contain" or op == "not_contain":
        if isinstance(value, list):
            return [_prepare_scalar(path, op, v, key) for v in value]
    return _prepare_scalar(path, op, value, key)


def _prepare_scalar(path: Path, op: str, value: Any, key: str) -> Any:
    kind = path.kind
    if kind == UNKNOWN:
        if value is None and op not in SEARCH_OPS:
            return None
        raise E.db_query(f"Querying the embedded document 'Error' failed, due to an invalid query value (key = {key})")
    if kind == INT:
        if value is None:
            return None
        try:
            return int(value)
        except (TypeError, ValueError, OverflowError) as exc:
            raise E.db_query(f"{exc} (key = {key})") from None
    if kind == DATETIME:
        return _datetime_query_value(value)
    if op in SEARCH_OPS and kind == STR and not isinstance(value, str):
        raise E.db_query(f"contain needs a string value (key = {key})")
    if isinstance(value, _dt.datetime):
        return DateValue(query_ms(value))
    return value


def _datetime_query_value(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, _dt.datetime):
        return query_ms(value)
    if isinstance(value, _dt.date):
        return query_ms(_dt.datetime(value.year, value.month, value.day))
    if isinstance(value, str):
        parsed = parse_lenient(value)
        return None if parsed is None else query_ms(parsed)
    return None
