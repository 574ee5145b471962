"""The core search Query's parts (sort, page, projection) and the parsed ``SearchQuery``.

Everything about the request is checked here, before the store is read:
a request that fails never touches the data.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .. import errors as E
from ..schema import MINIMAL_FIELDS
from .conditions import Path, resolve_path
from .filters import FilterPlan

__all__ = ["SortKey", "SearchQuery", "parse_sort", "parse_page", "projection_of"]


class SortKey(NamedTuple):
    key: str
    path: Path
    desc: bool


class SearchQuery(NamedTuple):
    filter: FilterPlan
    sort: tuple[SortKey, ...]  # empty: the default order, created_at descending
    start: int  # 0-based offset
    limit: int | None  # None: everything from start
    projection: tuple[str, ...] | None  # None: every field
    count_only: bool


def _list_of(value: Any, key: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise E.invalid_parameter_type(key, "list")
    return value


def parse_sort(sort: Any) -> tuple[SortKey, ...]:
    """Today's list ``[{key, desc}]`` and the v1 shapes ``{key, desc}`` / ``{keys: [...]}``."""
    if sort is None:
        return ()
    if isinstance(sort, dict):
        items = sort["keys"] if "keys" in sort else [sort]
        where = "query.sort.keys" if "keys" in sort else "query.sort"
    else:
        items, where = sort, "query.sort"
    if not isinstance(items, list):
        raise E.invalid_parameter_type(where, "list")
    keys = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise E.invalid_parameter_type(f"{where}[{i}]", "dict")
        key = item.get("key")
        if not isinstance(key, str) or not key:
            raise E.required_parameter(f"{where}[{i}].key")
        desc = item.get("desc", False)
        keys.append(SortKey(key, resolve_path(key), bool(desc)))
    return tuple(keys)


def parse_page(page: Any) -> tuple[int, int | None]:
    """``{start, limit}``: start is 1-based (below 1 means 1); a limit of 0 or less means everything."""
    if page is None:
        return 0, None
    if not isinstance(page, dict):
        raise E.invalid_parameter_type("query.page", "dict")
    start = page.get("start", 1)
    limit = page.get("limit")
    for name, value in (("start", start), ("limit", limit)):
        if value is not None and (type(value) is bool or not isinstance(value, int)):
            raise E.invalid_parameter_type(f"query.page.{name}", "int")
    if start is None or start < 1:
        start = 1
    if limit is None or limit <= 0:
        return start - 1, None
    return start - 1, limit


def projection_of(query: dict, sort: tuple[SortKey, ...]) -> tuple[str, ...] | None:
    if query.get("minimal"):
        return MINIMAL_FIELDS
    only = _list_of(query.get("only"), "query.only")
    if not only:
        return None
    keys: list[str] = []
    for i, key in enumerate(only):
        if not isinstance(key, str) or not key:
            raise E.invalid_parameter_type(f"query.only[{i}]", "str")
        resolve_path(key)
        keys.append(key)
    # The reference keeps the ordering keys in the projection.
    for extra in [s.key for s in sort] or ["created_at"]:
        if extra not in keys:
            keys.append(extra)
    return tuple(keys)

