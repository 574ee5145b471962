"""The ``group`` stage: partition the documents by key, reduce each field per group.

Partitioning never builds a dict per record.  It finds, for every group, the
positions of its documents:

- when the frame is the whole stored table and the single key is a plain
  indexed field, the table's postings *are* the groups;
- with few groups, one C-level pass per group over a byte string of group
  codes (``bytes.translate`` + ``itertools.compress``);
- otherwise one Python pass appending positions to per-group lists.

Each field's input expression is evaluated once over the whole frame and
gathered per group with ``itemgetter``; reducers (``accumulators``) then run
on plain lists, mostly in C.

Output: one document per group, ``{"_id": {key name: value, ...}, field:
value, ...}`` (a key whose value is missing is left out of ``_id``, as MongoDB
does).  MongoDB leaves the order of groups unspecified; the engine orders them
by ``_id`` in BSON order, which is also what the reference (mongomock) does,
so later order-sensitive stages agree.  No input gives no groups.
"""

from __future__ import annotations

from itertools import compress
from operator import itemgetter
from typing import Any, NamedTuple, Sequence

from ..schema import FIELDS, INDEXED, INT
from ..selection import Selection
from .accumulators import INTS, MILLIS, REDUCERS, VALUES
from .expressions import Expr, Field
from .frames import ColumnFrame, DocFrame
from .values import MISSING, R_OBJECT, bson_key, freeze, rank

__all__ = ["GroupKey", "GroupField", "GroupStage"]

#: Up to this many groups, positions are found with one C pass per group.
_FEW_GROUPS = 24


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
        n = len(frame)
        if n == 0:
            return DocFrame([])
        posted = _postings_partition(frame, self.keys)
        if posted is not None:
            # Members are row ids: each group is read through its own sub-frame.
            key_values, selections = posted
            subframes = [ColumnFrame(frame.table, sel=g) for g in selections]
            cache: dict[Any, list] = {}
            results = [_reduce_per_frame(subframes, f, cache) for f in self.fields]
        else:
            if self.keys:
                key_values, members = _partition(frame, self.keys)
            else:
                key_values, members = [()], [range(n)]
            columns: dict[Any, tuple[list, str]] = {}
            results = [_reduce_field(frame, f, members, columns) for f in self.fields]
        names = [k.name for k in self.keys]
        docs = []
        for g, kv in enumerate(key_values):
            doc: dict[str, Any] = {"_id": {name: v for name, v in zip(names, kv) if v is not MISSING}}
            for f, res in zip(self.fields, results):
                doc[f.name] = res[g]
            docs.append(doc)
        if len(docs) > 1:
            docs.sort(key=_id_order)
        return DocFrame(docs)


def _id_order(doc: dict) -> tuple:
    return (R_OBJECT, tuple((rank(v), k, bson_key(v)) for k, v in doc["_id"].items()))


# -- partitioning ------------------------------------------------------------------

def _partition(frame: Any, keys: Sequence[GroupKey]) -> tuple[list[tuple], list[Sequence[int]]]:
    """(key values per group, positions per group), groups in first-seen order."""
    cols = [k.expr.column(frame) for k in keys]
    keyed = cols[0] if len(cols) == 1 else list(zip(*cols))
    try:
        first = dict.fromkeys(keyed)
        frozen = _has_bool(first, len(cols) > 1)
    except TypeError:
        frozen = True
    if frozen:
        keyed = [freeze(k) for k in keyed] if len(cols) == 1 else [tuple(map(freeze, k)) for k in keyed]
        first = dict.fromkeys(keyed)
    code_of = {k: i for i, k in enumerate(first)}
    n_groups = len(code_of)
    if n_groups == 1:
        members: list[Sequence[int]] = [range(len(frame))]
    elif n_groups <= _FEW_GROUPS:
        members = _members_few(keyed, code_of)
    else:
        members = _members_many(keyed, code_of)
    values = [tuple(c[m[0]] for c in cols) for m in members]
    return values, members


def _has_bool(keys: dict, tuples: bool) -> bool:
    """True/1 and False/0 hash alike; MongoDB keeps booleans apart from numbers."""
    if tuples:
        return any(type(v) is bool for k in keys for v in k)
    return any(type(k) is bool for k in keys)


def _members_few(keyed: list, code_of: dict) -> list[Sequence[int]]:
    codes = bytes(map(code_of.__getitem__, keyed))
    positions = range(len(keyed))
    members = []
    for g in range(len(code_of)):
        table = bytes(1 if i == g else 0 for i in range(256))
        members.append(list(compress(positions, codes.translate(table))))
    return members


def _members_many(keyed: list, code_of: dict) -> list[Sequence[int]]:
    members: list[list[int]] = [[] for _ in range(len(code_of))]
    appenders = [m.append for m in members]
    for i, k in enumerate(keyed):
        appenders[code_of[k]](i)
    return members


def _postings_partition(frame: Any, keys: Sequence[GroupKey]):
    """(key values, row selection per group) from the table's equality index, or None.

    Applies to a single plain key on an equality-indexed field of the stored
    rows: each group is the index's selection for one value, ANDed with the
    frame's rows unless those are all the live rows.  No per-row Python work.
    """
    if len(keys) != 1 or type(frame) is not ColumnFrame or frame.overrides:
        return None
    expr = keys[0].expr
    if type(expr) is not Field or len(expr.parts) != 1 or expr.path not in INDEXED:
        return None
    table = frame.table
    field = expr.path
    try:
        table.posting(field, None)  # builds the index on first use
        values = list(table.postings[field].keys()) + list(table.null_postings[field].keys())
        covers = len(frame) == len(table)
        sel = frame.sel if frame.sel is not None else Selection(table.capacity, rows=frame.rows)
        groups = []
        for v in values:
            g = table.value_selection(field, [v])
            if not covers:
                g = g & sel
            if g.count():
                groups.append((v, g))
    except (AttributeError, KeyError, TypeError):
        return None
    return [(v,) for v, _ in groups], [g for _, g in groups]


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


def _per_group(col: list, members: list[Sequence[int]]) -> list[list]:
    n = len(col)
    out = []
    for m in members:
        if type(m) is range and len(m) == n:
            out.append(col)
        elif len(m) == 1:
            out.append([col[m[0]]])
        else:
            out.append(list(itemgetter(*m)(col)))
    return out


def _reduce_field(frame: Any, f: GroupField, members: list[Sequence[int]], cache: dict) -> list:
    if f.expr is None:
        return [len(m) for m in members]
    key = ("field", f.expr.path) if type(f.expr) is Field else id(f.expr)
    got = cache.get(key)
    if got is None:
        col, kind = _input_column(frame, f.expr)
        got = cache[key] = (_per_group(col, members), kind)
    groups, kind = got
    reduce = REDUCERS[f.operator]
    return [reduce(vals, kind) for vals in groups]


def _reduce_per_frame(subframes: list, f: GroupField, cache: dict) -> list:
    if f.expr is None:
        return [len(sf) for sf in subframes]
    key = ("field", f.expr.path) if type(f.expr) is Field else id(f.expr)
    got = cache.get(key)
    if got is None:
        got = cache[key] = [_input_column(sf, f.expr) for sf in subframes]
    reduce = REDUCERS[f.operator]
    return [reduce(vals, kind) for vals, kind in got]
