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
    path: Path | None  # None: a key the model does not know; every row ties on it
    desc: bool


class SearchQuery(NamedTuple):
    filter: FilterPlan
    sort: tuple[SortKey, ...]  # empty: the default order, created_at descending
    start: int  # 0-based offset
    limit: int | None  # None: everything from start
    projection: tuple[str, ...] | None  # None: every field
    count_only: bool


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
        if "key" not in item:
            raise E.required_parameter(f"{where}[{i}].key")
        keys.append(_parse_sort_key(item["key"], bool(item.get("desc", False))))
    return tuple(keys)


def _parse_sort_key(key: Any, desc: bool) -> SortKey:
    """One sort key as the reference's ``order_by`` reads it.

    A leading ``-`` or ``+`` on the key sets the direction itself; a key the
    model does not know sorts nothing (every row ties) rather than failing.
    """
    name = str(key)
    if not desc and name[:1] in ("-", "+"):
        desc, name = name[0] == "-", name[1:]
    if name in ("id", "_id", "pk"):
        return SortKey(name, Path("_row", "row"), desc)
    try:
        return SortKey(name, resolve_path(name), desc)
    except E.EngineError:
        return SortKey(name, None, desc)


def parse_page(page: Any) -> tuple[int, int | None]:
    """``{start, limit}``: start is 1-based (below 1 means 1); a limit of 0 or less means everything."""
    if page is None:
        return 0, None
    if not isinstance(page, dict):
        raise E.invalid_parameter_type("query.page", "dict")
    start = page.get("start", 1)
    limit = page.get("limit")
    if limit is not None and not isinstance(limit, int):
        raise E.invalid_parameter_type("query.page.limit", "int")
    if limit is None or limit <= 0:
        return 0, None
    if not isinstance(start, int):
        raise E.db_query(f"query.page.start must be an integer (start = {start!r})")
    return max(int(start), 1) - 1, int(limit)


def projection_of(query: dict, sort: tuple[SortKey, ...]) -> tuple[str, ...] | None:
    if query.get("minimal"):
        return MINIMAL_FIELDS
    only = query.get("only")
    if not only:
        return None
    if not isinstance(only, list):
        raise E.db_query(f"query.only must be a list of field names (only = {only!r})")
    keys: list[str] = []
    # The reference keeps the ordering keys in the projection, and checks them as fields there.
    for key in only + ([s.key for s in sort] or ["created_at"]):
        if not isinstance(key, str) or not _projectable(key):
            raise E.db_query(f'Cannot resolve field "{key}" (query.only)')
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def _projectable(key: str) -> bool:
    if key in ("id", "_id", "pk") or key.startswith("errors."):
        return True
    try:
        resolve_path(key)
    except E.EngineError:
        return False
    return True

