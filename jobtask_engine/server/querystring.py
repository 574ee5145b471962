"""A JobTaskQuery from a query string (``GET /inventory/v1/job-tasks``).

The top-level filter keys come as plain parameters; a key given more than once
becomes a list (the service turns a list into an ``in`` filter).  The core
``Query`` travels as one JSON-encoded ``query`` parameter.  Unknown parameters
are refused so a typo cannot silently widen a filter.
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.datastructures import QueryParams

from jobtask_engine.errors import invalid_parameter, invalid_parameter_type
from jobtask_engine.request import LIST_FILTER_KEYS

#: The JobTaskQuery fields that are plain strings: the service's own filter keys.
FILTER_KEYS: tuple[str, ...] = LIST_FILTER_KEYS


def _decode_query(values: list[str]) -> dict:
    if len(values) != 1:
        raise invalid_parameter("query", "given more than once")
    try:
        query = msgspec.json.decode(values[0])
    except msgspec.DecodeError as exc:
        raise invalid_parameter("query", f"malformed JSON: {exc}") from None
    except RecursionError:
        raise invalid_parameter("query", "JSON nested too deeply") from None
    if not isinstance(query, dict):
        raise invalid_parameter_type("query", "object")
    return query


def list_request(params: QueryParams) -> dict[str, Any]:
    """The JobTaskQuery request dict that ``params`` spell."""
    request: dict[str, Any] = {}
    for key in dict.fromkeys(params.keys()):
        values = params.getlist(key)
        if key == "query":
            request["query"] = _decode_query(values)
        elif key in FILTER_KEYS:
            request[key] = values[0] if len(values) == 1 else values
        else:
            known = ", ".join(("query",) + FILTER_KEYS)
            raise invalid_parameter(key, f"unknown query-string parameter (known: {known})")
    return request
