"""Stat output: pipeline documents as the JobTask API returns them.

spaceone-core flattens each result row: the entries of a document-valued
``_id`` (the group keys) become top-level fields beside the others; any other
``_id`` (a stored document's ObjectId) is returned as a string.  MongoDB puts
``_id`` first in a ``$group`` output, so a field named like a group key
overrides it.  Values become plain JSON: datetimes as
``2022-01-01T11:00:02.588Z``, everything else as is (fresh containers, so the
caller can never alter stored data).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

__all__ = ["plain", "flatten_row", "shape_rows"]


def _iso(value: _dt.datetime) -> str:
    return f"{value.isoformat(timespec='milliseconds')}Z"


def plain(value: Any) -> Any:
    t = type(value)
    if t is str or t is int or t is float or value is None or t is bool:
        return value
    if t is dict:
        return {k: plain(v) for k, v in value.items()}
    if t is list:
        return [plain(v) for v in value]
    if isinstance(value, _dt.datetime):
        return _iso(value)
    return value


def flatten_row(doc: dict) -> dict:
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "_id" and type(value) is dict:
            for k, v in value.items():
                out[k] = plain(v)
        else:
            out[key] = plain(value)
    return out


def shape_rows(docs: list[dict]) -> list[dict]:
    return [flatten_row(d) for d in docs]
