"""``$group`` accumulators: one reducer per group-field operator.

A reducer takes the values of one group, in input order, and returns the
field's value.  Values come in one of three kinds so that the common cases
stay in C: ``INTS`` (a stored integer column: every value is an int),
``MILLIS`` (a stored datetime column: ints are epoch ms, plus None/MISSING)
and ``VALUES`` (any pipeline values).

MongoDB's rules: ``$sum``/``$avg`` take numbers only (not booleans) and
ignore the rest (``$avg`` of nothing is null); ``$max``/``$min`` ignore
null and missing and compare in BSON order; ``$first``/``$last`` give null
for a missing value; ``$push``/``$addToSet`` skip missing values;
``$mergeObjects`` skips null/missing and refuses other non-documents.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable

from .. import errors as E
from ..values import MISSING, bson_key, datetimes_of, freeze, ms_to_dt, type_name

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["INTS", "MILLIS", "VALUES", "REDUCERS", "Reducer", "fit_int64"]

INTS, MILLIS, VALUES = "ints", "millis", "values"

#: a reducer: a group's values (a sequence, or a stored column read the same way) and their kind
#: (``INTS``, ``MILLIS``, ``VALUES``) -> the group's value
Reducer = Callable[["Values", str], Any]

_INT64 = 2**63


def _numbers(values: Iterable[Any]) -> list:
    return [v for v in values if (type(v) is int or type(v) is float)]


def fit_int64(total: Any) -> Any:
    """An integer sum that leaves int64 becomes a double, as in MongoDB (every strategy's rule)."""
    if type(total) is int and not -_INT64 <= total < _INT64:
        return float(total)
    return total


def r_sum(values: Values, kind: str) -> Any:
    if kind == INTS:
        return fit_int64(sum(values))
    if kind == MILLIS:
        return 0
    return fit_int64(sum(_numbers(values)))


def r_average(values: Values, kind: str) -> Any:
    if kind == INTS:
        return sum(values) / float(len(values)) if values else None
    if kind == MILLIS:
        return None
    nums = _numbers(values)
    return sum(nums) / float(len(nums)) if nums else None


def _present(values: Iterable[Any]) -> list:
    return [v for v in values if v is not None and v is not MISSING]


def _extreme(pick: Callable) -> Reducer:
    def reduce(values: Values, kind: str) -> Any:
        if kind == INTS:
            return pick(values) if values else None
        present = _present(values)
        if not present:
            return None
        if kind == MILLIS:
            return ms_to_dt(pick(present))
        try:
            types = {type(v) for v in present}
            if len(types) == 1 and types.pop() in (int, float, str):
                return pick(present)
        except TypeError:
            pass
        return pick(present, key=bson_key)

    return reduce


def _end(index: int) -> Reducer:
    def reduce(values: Values, kind: str) -> Any:
        if not values:
            return None
        v = values[index]
        if v is MISSING:
            return None
        return ms_to_dt(v) if kind == MILLIS else v

    return reduce


def r_push(values: Values, kind: str) -> list:
    if kind == INTS or MISSING not in values:  # the test in C: a push per group of 100k groups
        return datetimes_of(values) if kind == MILLIS else list(values)
    if kind == MILLIS:
        return [ms_to_dt(v) for v in values if v is not MISSING]
    return [v for v in values if v is not MISSING]


def r_add_to_set(values: Values, kind: str) -> list:
    if kind == INTS:
        return list(dict.fromkeys(values))
    seen: dict = {}
    for v in values:
        if v is MISSING:
            continue
        k = freeze(v) if kind == VALUES else v
        if k not in seen:
            seen[k] = v
    out = list(seen.values())
    if kind == MILLIS:
        return datetimes_of(out)
    return out


def r_merge_objects(values: Values, kind: str) -> dict:
    merged: dict = {}
    for v in values:
        if v is None or v is MISSING:
            continue
        if type(v) is not dict:
            shown = ms_to_dt(v) if kind == MILLIS else v
            raise E.db_query(
                f"$mergeObjects requires object inputs, but input {shown!r} is of type {type_name(shown)}"
            )
        merged.update(v)
    return merged


def r_count(values: Values, kind: str) -> int:
    """``{$sum: 1}`` or ``{$sum: {$cond: [conditions, 1, 0]}}`` (values are the 1/0 per document)."""
    return sum(values)


REDUCERS: dict[str, Reducer] = {
    "count": r_count,
    "sum": r_sum,
    "average": r_average,
    "max": _extreme(max),
    "min": _extreme(min),
    "first": _end(0),
    "last": _end(-1),
    "push": r_push,
    "add_to_set": r_add_to_set,
    "merge_objects": r_merge_objects,
}
