"""Result rows of the SQL engines as the JobTask API writes them (the in-memory engine's shapes)."""

from __future__ import annotations

from typing import Any, Callable, Sequence

import msgspec

from ..schema import DATETIME, ERRORS, FIELDS
from .engine_parts import errors_out, ms_to_iso, project_element, sub_projection

__all__ = ["page_dicts", "element_dict"]

_DECODE = msgspec.json.Decoder().decode


def element_dict(element: Any) -> dict:
    """One stored errors element (a DuckDB dict or a Spark Row) as the engine stores it."""
    if not isinstance(element, dict):
        element = element.asDict()
    out = {k: element[k] for k in ("error_code", "message") if element.get(k) is not None}
    text = element.get("additional")
    out["additional"] = {} if text is None else _DECODE(text)
    return out


def page_dicts(rows: Sequence[Sequence[Any]], fields: Sequence[str], projection: tuple[str, ...] | None) -> list[dict]:
    """Page rows (one value per field, datetimes as epoch ms) -> JobTaskInfo dicts."""
    partial = {} if projection is None else sub_projection(projection)[1]
    converters = [_converter(name, partial.get(name)) for name in fields]
    out = []
    for row in rows:
        out.append({name: conv(v) for name, conv, v in zip(fields, converters, row)})
    return out


def _converter(name: str, sub: dict | None) -> Callable[[Any], Any]:
    kind = FIELDS[name].kind
    if kind == DATETIME:
        return lambda v: None if v is None else ms_to_iso(v)
    if kind == ERRORS:
        if sub is None:
            return lambda v: errors_out([[element_dict(e) for e in v]])[0] if v else []
        return lambda v: [project_element(element_dict(e), sub) for e in (v or ())]
    return lambda v: v


