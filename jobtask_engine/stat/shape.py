"""Stat output: pipeline documents as the JobTask API returns them.

spaceone-core flattens each result row: the entries of a document-valued
``_id`` (the group keys) become top-level fields beside the others; any other
``_id`` (a stored document's ObjectId) is returned as a string.  MongoDB puts
``_id`` first in a ``$group`` output, so a field named like a group key
overrides it.  Values become plain JSON: datetimes as
``2022-01-01T11:00:02.588Z``, everything else as is (fresh containers, so the
caller can never alter stored data).

Shaping touches every value of every result row, so it is the largest single
cost of a stat answering 100k groups; values that are already plain (strings,
numbers, booleans, null — nearly all of them) are recognised by one set lookup
of their type instead of a call (a group per task with its pushed errors: 1.0 s
of shaping before, 0.3 s after, ``benchmarks/limits_probe.py``).  Stored rows are
shaped from their columns (``shape_frame``).
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Sequence

from ..schema import DATETIME, ERRORS, FIELD_NAMES, FIELDS
from ..timeutil import ms_to_iso, ms_to_iso_many
from ..values import MISSING
from .frames import ColumnFrame, FieldsFrame, Frame, GroupFrame, drop_missing, object_id

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["plain", "flatten_row", "shape_rows", "shape_frame"]

#: Types a response holds as they are (immutable: nothing to copy).
_AS_IS = frozenset((str, int, float, bool, type(None)))
_DATETIMES = {_dt.datetime}
_DATETIMES_OR_NULL = {_dt.datetime, type(None)}


def _iso(value: _dt.datetime) -> str:
    return f"{value.isoformat(timespec='milliseconds')}Z"


def plain(value: Any) -> Any:
    t = type(value)
    if t in _AS_IS:
        return value
    if t is dict:
        return {k: v if type(v) in _AS_IS else plain(v) for k, v in value.items()}
    if t is list:
        if len(value) > 8:
            types = set(map(type, value))
            if types <= _AS_IS:
                return value.copy()
            if types == _DATETIMES:
                return [f"{v.isoformat(timespec='milliseconds')}Z" for v in value]
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    if isinstance(value, _dt.datetime):
        return _iso(value)
    return value


def flatten_row(doc: dict) -> dict:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if type(value) in _AS_IS:
            out[key] = value
        elif key == "_id" and type(value) is dict:
            for k, v in value.items():
                out[k] = v if type(v) in _AS_IS else plain(v)
        else:
            out[key] = plain(value)
    return out


def shape_rows(docs: list[dict]) -> list[dict]:
    return [flatten_row(d) for d in docs]


def _plain_column(column: list) -> list:
    types = set(map(type, column))
    if types <= _AS_IS:
        return column
    if types <= _DATETIMES_OR_NULL:  # a datetime column: written out without a call each
        return [None if v is None else f"{v.isoformat(timespec='milliseconds')}Z" for v in column]
    return [v if type(v) in _AS_IS else plain(v) for v in column]


def shape_frame(frame: Frame) -> list[dict]:
    """The frame's documents shaped; stored rows straight from their columns.

    A pipeline ending on stored rows (no group or project) answers whole records:
    building each as a pipeline document (datetimes made, then written out) and shaping
    it cost 1.8 s for 100k rows; the columns, datetimes written from their epoch ms, take
    a fraction of that.  The documents are those of ``ColumnFrame.docs`` flattened.
    """
    if type(frame) is GroupFrame and len(frame) > 1:
        return _shape_groups(frame)
    if type(frame) is FieldsFrame and len(frame) > 1:
        return _shape_fields(frame)
    if type(frame) is not ColumnFrame or len(frame) < 2:
        return shape_rows(frame.docs())
    rows = frame.rows
    names = ["_id"]
    columns: list[list] = [[object_id(r) for r in rows]]
    for name in FIELD_NAMES:
        if name in frame.overrides:
            continue
        column = list(frame.column(name))
        kind = FIELDS[name].kind
        if kind == DATETIME:
            column = _iso_column(column)
        elif kind == ERRORS:
            column = _plain_arrays(column)
        elif not set(map(type, column)) <= _STORED_AS_IS:
            column = [v if type(v) in _STORED_AS_IS else plain(list(v) if type(v) is tuple else v) for v in column]
        names.append(name)
        columns.append(column)
    for name, values in frame.overrides.items():
        names.append(name)
        columns.append(_plain_column(values))
    out = [dict(zip(names, row)) for row in zip(*columns)]
    drop_missing(out, names, columns)
    return out


def _shape_groups(frame: GroupFrame) -> list[dict]:
    """Group documents shaped from their columns: the key values then the fields, one dict a
    row (a field named like a key takes its place, as ``flatten_row`` does); a missing key
    value is left out.  Documents are shaped row by row when a field shares a missing key's
    name (its value would be the one removed)."""
    names = (*frame.key_names, *frame.field_names)
    missing = [name for name, column in zip(frame.key_names, frame.keys) if MISSING in column]
    if missing and len(set(names)) < len(names):
        return shape_rows(frame.docs())
    columns = [_plain_column(list(c)) for c in (*frame.keys, *frame.fields)]
    out = [dict(zip(names, row)) for row in zip(*columns)]
    drop_missing(out, frame.key_names, columns)
    return out


def _shape_fields(frame: FieldsFrame) -> list[dict]:
    """Flat documents shaped from their columns, one dict a row, MISSING values left out; row
    by row when an ``_id`` is a document (its entries are flattened into the row)."""
    names = frame.names
    if "_id" in names and any(type(v) is dict for v in frame.columns[names.index("_id")]):
        return shape_rows(frame.docs())
    columns = [_iso_column(c) if name in frame.millis else _plain_column(list(c)) for name, c in zip(names, frame.columns)]
    out = [dict(zip(names, row)) for row in zip(*columns)]
    drop_missing(out, names, columns)
    return out


def _iso_column(column: Values) -> list:
    """Epoch ms of a datetime column written out (null stays null, MISSING is removed after)."""
    if MISSING in column:
        return [v if v is None or v is MISSING else ms_to_iso(v) for v in column]
    return ms_to_iso_many(column)


def _plain_arrays(column: list) -> list:
    """A stored array column (``errors``) shaped: most values are the store's shared empty
    tuple, each answered as a new ``[]`` without a call of ``plain``."""
    return [[] if v == () else v if type(v) in _STORED_AS_IS else plain(list(v) if type(v) is tuple else v)
            for v in column]


#: Stored column values taken as they are (MISSING is removed after).
_STORED_AS_IS = _AS_IS | {type(MISSING)}
