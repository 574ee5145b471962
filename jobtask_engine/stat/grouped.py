"""The group stage's output, whichever strategy found the groups: one ``_id`` builder, one order.

A group document is ``{"_id": {key name: value, ...}, field: value, ...}``;
a key whose value is missing is left out of ``_id``, as MongoDB does.
MongoDB leaves the order of groups unspecified; the engine orders them by
``_id`` in BSON order, which is also what the reference (mongomock) does, so
later order-sensitive stages agree.
"""

from __future__ import annotations

from typing import Any, Sequence

from ..values import MISSING, bson_key
from .frames import DocFrame

__all__ = ["group_id", "finish_groups"]


def group_id(names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """A group's ``_id`` document from its key names and values (missing values left out)."""
    return {name: v for name, v in zip(names, values) if v is not MISSING}


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
