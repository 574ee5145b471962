"""The group stage's output, whichever strategy found the groups: one ``_id`` builder, one order.

A group document is ``{"_id": {key name: value, ...}, field: value, ...}``;
a key whose value is missing is left out of ``_id``, as MongoDB does.
MongoDB leaves the order of groups unspecified; the engine orders them by
``_id`` in BSON order, which is also what the reference (mongomock) does, so
later order-sensitive stages agree.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Sequence

from ..values import MISSING, bson_key
from .budget import COLUMN_VALUE, DOC_VALUE, GROUP_DOC, GROUP_ROW, charge
from .frames import DocFrame, GroupFrame, group_docs, group_id

__all__ = ["group_id", "group_docs", "finish_groups", "finish_group_columns"]


def finish_group_columns(names: Sequence[str], keys: Sequence[Sequence[Any]], fields: Sequence[str],
                         columns: Sequence[Sequence[Any]]) -> DocFrame | GroupFrame:
    """The group stage's output from each group's key values and each field's column, in BSON
    order of ``_id``: kept as columns (``GroupFrame``) when the order comes from the key
    columns in C, else as documents ordered as ``finish_groups`` orders them."""
    if names and len(keys) > 1:
        key_columns = list(zip(*keys))
        if not any(MISSING in c for c in key_columns):
            order = _plain_key_order(key_columns)
            if order is not None:
                frame = GroupFrame(names, key_columns, fields, columns)
                return frame.take(order)
    values = len(names) + len(fields)
    charge(len(keys) * (GROUP_DOC - GROUP_ROW + values * (DOC_VALUE - COLUMN_VALUE)),
           f"{len(keys)} group documents of {values} values")
    return finish_groups(group_docs(names, keys, fields, columns))


def finish_groups(docs: list[dict]) -> DocFrame:
    """The group stage's output: its documents in BSON order of ``_id``."""
    if len(docs) > 1:
        order = _plain_order(docs)
        if order is None:
            docs.sort(key=_id_order)
        else:
            docs[:] = [docs[i] for i in order]
    return DocFrame(docs)


def _id_order(doc: dict) -> tuple:
    """BSON order of the ``_id`` documents: field by field, type bracket, name, then value."""
    out = []
    for k, v in doc["_id"].items():
        bk = bson_key(v)
        out.append((bk[0], k, bk))
    return tuple(out)


def _plain_order(docs: list[dict]) -> list[int] | None:
    """The BSON order of ``_id`` sorted in C, when every ``_id`` holds the same keys in the
    same order (``_plain_key_order`` then gives it from the key columns); None otherwise."""
    ids = list(map(itemgetter("_id"), docs))
    first = ids[0]
    if type(first) is not dict or not first:
        return None
    names = tuple(first)
    if not all(type(i) is dict for i in ids) or not all(map(names.__eq__, map(tuple, ids))):
        return None
    return _plain_key_order([list(map(itemgetter(name), ids)) for name in names])


def _plain_key_order(columns: Sequence[Sequence]) -> list[int] | None:
    """The BSON order of groups from their key columns (every group holding every key), sorted
    in C, when each key's values are all strings or all numbers (no NaN), or those and null:
    BSON order is then the values' own (null first), key by key, so stable sorts, the last key
    first, give it (from the first key no two groups share on, the rest never decide).
    Building ``_id_order``'s tuples instead cost 1.3 s for 100k groups of 12 keys
    (``benchmarks/limits_probe.py``); None when the rule does not apply.
    """
    passes: list[Sequence] = []  # sort keys, the most significant first
    for column in columns:
        types = set(map(type, column))
        nulls = type(None) in types
        types.discard(type(None))
        if types == _STR:
            stand_in: Any = ""
        elif types and types <= _NUMBERS and not (float in types and any(v != v for v in column)):
            stand_in = 0
        else:
            return None
        if nulls:
            passes.append([v is not None for v in column])
            passes.append([stand_in if v is None else v for v in column])
        else:
            passes.append(column)
            if len(set(column)) == len(column):
                break  # no two groups tie on this key: the keys after it never decide
    order = list(range(len(columns[0])))
    for keys in reversed(passes):
        order.sort(key=keys.__getitem__)
    return order


_STR = {str}
_NUMBERS = {int, float}
