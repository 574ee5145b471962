"""The JobTask service's request handling, before the core query.

The inventory service turns a ``JobTaskQuery`` / ``JobTaskStatQuery`` into a
core query: it requires ``domain_id``, turns each top-level key it knows into
an ``eq`` (or ``in`` for a list) filter, defaults and caps the page limit for
``list``, and turns ``keyword`` into a ``contain_in`` on ``job_task_id``.  The
caller's dicts are never modified.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from . import errors as E
from .limits import check_keyword, check_request
from .query.conditions import Condition, parse_condition
from .query.filters import FilterPlan, compile_filter
from .query.search import SearchQuery, parse_page, parse_sort, projection_of
from .stat.parse import StatPlan, parse_statistics_query

__all__ = [
    "LIST_FILTER_KEYS",
    "STAT_FILTER_KEYS",
    "PAGE_LIMIT",
    "parse_list_request",
    "parse_stat_request",
    "StatRequest",
    "ParsedRequest",
    "ListParts",
    "StatParts",
    "parse_list_parts",
    "parse_stat_parts",
]

LIST_FILTER_KEYS = (
    "job_task_id",
    "status",
    "provider",
    "job_id",
    "secret_id",
    "service_account_id",
    "project_id",
    "workspace_id",
    "domain_id",
)
STAT_FILTER_KEYS = ("domain_id", "workspace_id")
PAGE_LIMIT = 1000


class StatRequest(NamedTuple):
    filter: FilterPlan
    plan: StatPlan


class ListParts(NamedTuple):
    """A validated list request together with its plain conditions (before they become closures).

    Other executors (the SQL backends) compile ``all_of`` / ``any_of`` themselves; ``request``
    is exactly what ``parse_list_request`` returns, so every check ran.
    """

    request: SearchQuery
    all_of: tuple[Condition, ...]
    any_of: tuple[Condition, ...]


class StatParts(NamedTuple):
    """A validated stat request together with its plain conditions (as ``ListParts``)."""

    request: StatRequest
    all_of: tuple[Condition, ...]
    any_of: tuple[Condition, ...]


#: A validated request together with its plain conditions.
ParsedRequest = ListParts | StatParts


def _params(params: Any, required: tuple[str, ...]) -> dict:
    if not isinstance(params, dict):
        raise E.invalid_parameter_type("params", "dict")
    check_request(params)
    for key in required:
        if params.get(key) is None:
            raise E.required_parameter(key)
    return params


def _query(params: dict) -> dict:
    query = params.get("query")
    if query is None:
        return {}
    if not isinstance(query, dict):
        raise E.invalid_parameter_type("query", "dict")
    return dict(query)


def _conditions(params: dict, query: dict, filter_keys: tuple[str, ...]) -> tuple[list[Condition], list[Condition]]:
    """Shape-checked AND and OR conditions, with the service's own conditions appended."""
    lists = []
    for name in ("filter", "filter_or"):
        # The service appends to ``filter`` (so null fails there); ``filter_or`` may be null.
        items = query.get(name, []) if name == "filter" else query.get(name) or []
        if not isinstance(items, list):
            raise E.invalid_parameter_type(f"query.{name}", "list")
        lists.append([parse_condition(c, f"query.{name}[{i}]") for i, c in enumerate(items)])
    all_of, any_of = lists
    for key in filter_keys:
        if key in params:
            value = params[key]
            cond = {"k": key, "v": value, "o": "in" if isinstance(value, list) else "eq"}
            all_of.append(parse_condition(cond, key))
    if "keyword" in query:
        keyword = query["keyword"]
        if not isinstance(keyword, str):
            raise E.invalid_parameter_type("query.keyword", "str")
        keyword = keyword.strip()
        if keyword:
            words = [w for w in keyword.split(" ") if w]
            check_keyword(words)
            cond = {"k": "job_task_id", "v": words, "o": "contain_in"}
            any_of.append(parse_condition(cond, "query.keyword"))
    return all_of, any_of


def _capped_page(query: dict) -> dict:
    page = query.get("page", {})
    if not isinstance(page, dict):
        raise E.invalid_parameter_type("query.page", "dict")
    page = dict(page)
    limit = page.get("limit", PAGE_LIMIT)
    if not isinstance(limit, int):
        raise E.invalid_parameter_type("query.page.limit", "int")
    page["limit"] = min(limit, PAGE_LIMIT)
    return page


def parse_list_request(params: Any) -> SearchQuery:
    """A ``JobTaskQuery`` request, validated and compiled."""
    return parse_list_parts(params).request


def parse_list_parts(params: Any) -> ListParts:
    """``parse_list_request``'s answer plus the plain AND / OR conditions it compiled."""
    params = _params(params, ("domain_id",))
    query = _query(params)
    page = _capped_page(query)
    all_of, any_of = _conditions(params, query, LIST_FILTER_KEYS)
    sort = parse_sort(query.get("sort"))
    projection = projection_of(query, sort)
    flt = compile_filter(all_of, any_of)
    start, limit = parse_page(page)
    search = SearchQuery(flt, sort, start, limit, projection, bool(query.get("count_only")))
    return ListParts(search, tuple(all_of), tuple(any_of))


def parse_stat_request(params: Any) -> StatRequest:
    """A ``JobTaskStatQuery`` request, validated and compiled."""
    return parse_stat_parts(params).request


def parse_stat_parts(params: Any) -> StatParts:
    """``parse_stat_request``'s answer plus the plain AND / OR conditions it compiled."""
    params = _params(params, ("query", "domain_id"))
    query = _query(params)
    if not (query.get("aggregate") or query.get("distinct")):
        raise E.required_parameter("aggregate")
    all_of, any_of = _conditions(params, query, STAT_FILTER_KEYS)
    plan = parse_statistics_query(query)
    return StatParts(StatRequest(compile_filter(all_of, any_of), plan), tuple(all_of), tuple(any_of))
