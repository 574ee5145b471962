"""The ``group`` stage: partition the documents by key, reduce each field per group.

``partition`` finds the groups without building a dict per record (see
there).  A plain count is the group's size.  Any other field's input
expression is evaluated once over the whole frame and gathered per group
with ``itemgetter`` (or read per group through its sub-frame of row ids);
reducers (``accumulators``) then run on plain lists, mostly in C.  The
commonest shapes (date and/or plain stored keys; counts and integer
sum/average/max/min) first try ``fast.compact_group``, which works on per-table
key codes instead.

Output: one document per group, ``{"_id": {key name: value, ...}, field:
value, ...}`` (a key whose value is missing is left out of ``_id``, as MongoDB
does).  MongoDB leaves the order of groups unspecified; the engine orders them
by ``_id`` in BSON order, which is also what the reference (mongomock) does,
so later order-sensitive stages agree.  No input gives no groups.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..schema import FIELDS, INT
from .accumulators import INTS, MILLIS, REDUCERS, VALUES
from .expressions import Expr, Field
from .fast import compact_group
from .frames import ColumnFrame, DocFrame
from .partition import Partition, partition
from ..values import MISSING, bson_key

__all__ = ["GroupKey", "GroupField", "GroupStage", "finish_groups"]


class GroupKey(NamedTuple):
    name: str
    expr: Expr


class GroupField(NamedTuple):
    name: str
    operator: str
    #: The per-document input (None for a plain count).
    expr: Expr | None


class GroupStage(NamedTuple):
    keys: tuple[GroupKey, ...]
    fields: tuple[GroupField, ...]

    def apply(self, frame: Any) -> DocFrame:
        if len(frame) == 0:
            return DocFrame([])
        fast = compact_group(frame, self.keys, self.fields)
        if fast is not None:
            return finish_groups(fast)
        part = partition(frame, [k.expr for k in self.keys])
        cache: dict[Any, Any] = {}
        if part.subframes is not None:
            results = [_reduce_per_frame(part.subframes, f, cache) for f in self.fields]
        else:
            results = [_reduce_field(frame, f, part, cache) for f in self.fields]
        names = [k.name for k in self.keys]
        docs = []
        for g, kv in enumerate(part.keys):
            doc: dict[str, Any] = {"_id": {name: v for name, v in zip(names, kv) if v is not MISSING}}
            for f, res in zip(self.fields, results):
                doc[f.name] = res[g]
            docs.append(doc)
        return finish_groups(docs)


def finish_groups(docs: list[dict]) -> DocFrame:
    """The group stage's output: its documents in BSON order of ``_id``."""
    if len(docs) > 1:
        docs.sort(key=_id_order)
    return DocFrame(docs)


def _id_order(doc: dict) -> tuple:
    """BSON order of the ``_id`` documents: field by field, type bracket, name, then value."""
    out = []
    for k, v in doc["_id"].items():
        bk = bson_key(v)
        out.append((bk[0], k, bk))
    return tuple(out)


# -- reducing ----------------------------------------------------------------------

def _input_column(frame: Any, expr: Expr) -> tuple[list, str]:
    if type(expr) is Field:
        vals, is_ms = expr.raw(frame)
        if is_ms:
            return vals, MILLIS
        if (
            type(frame) is ColumnFrame
            and len(expr.parts) == 1
            and expr.path not in frame.overrides
            and expr.path in FIELDS
            and FIELDS[expr.path].kind == INT
        ):
            return vals, INTS
        return vals, VALUES
    return expr.column(frame), VALUES


def _reduce_field(frame: Any, f: GroupField, part: Partition, cache: dict) -> list:
    if f.expr is None:
        return list(part.sizes)
    key = _expr_key(f.expr)
    got = cache.get(key)
    if got is None:
        col, kind = _input_column(frame, f.expr)
        got = cache[key] = (part.split(col), kind)
    groups, kind = got
    return _reduce_groups(f.operator, groups, kind, key, cache)


def _reduce_per_frame(subframes: list, f: GroupField, cache: dict) -> list:
    if f.expr is None:
        return [len(sf) for sf in subframes]
    key = _expr_key(f.expr)
    got = cache.get(key)
    if got is None:
        got = cache[key] = [_input_column(sf, f.expr) for sf in subframes]
    return _reduce_groups(f.operator, [vals for vals, _ in got], got[0][1] if got else VALUES, key, cache)


def _expr_key(expr: Expr) -> Any:
    return ("field", expr.path) if type(expr) is Field else id(expr)


def _reduce_groups(operator: str, groups: list, kind: str, key: Any, cache: dict) -> list:
    """One reducer over every group; integer sums are shared by ``sum`` and ``average``."""
    if kind == INTS and operator in ("sum", "average"):
        sums = cache.get(("sums", key))
        if sums is None:
            sums = cache[("sums", key)] = [sum(vals) for vals in groups]
        if operator == "sum":
            return [REDUCERS["sum"]((s,), INTS) for s in sums]
        return [s / float(len(vals)) if vals else None for s, vals in zip(sums, groups)]
    reduce = REDUCERS[operator]
    return [reduce(vals, kind) for vals in groups]
