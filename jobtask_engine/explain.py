"""``explain``: how a list or stat request is answered, phase by phase.

The request runs through the same passes as ``list``/``stat`` — parse,
plan, execute, shape — each timed, with the executor recording what it did:
per AND/OR condition the access path (``index lookup``, ``range index``,
``range codes``, ``candidate test``) with the planner's row estimate and the
actual row count (and a ``note`` when a range is tested for want of its
sorted index); for a list the order strategy (with such a note too); for a stat each pipeline
stage with its rows in and out and, for ``group`` and ``sort``, its
strategy.  The answer itself is not returned (only its size): explain is for
people and tests reading the plan.
"""

from __future__ import annotations

from time import perf_counter
from typing import Any, Callable, Sequence

from .query.executor import run_filter
from .query.filters import FilterPlan
from .query.order import order_rows
from .query.planner import DEFAULT_ORDER, OrderPlan, order_plan_for, plan_filter
from .query.predicates import Predicate
from .query.search import SearchQuery
from .request import StatRequest, parse_list_request, parse_stat_request
from .stat.execute import run_stat, shape_stat, stage_name
from .selection import Selection
from .storage import Table

__all__ = ["explain_list", "explain_stat"]

Shaper = Callable[[Sequence[int]], list]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _condition(pred: Predicate) -> dict[str, Any]:
    """A parsed condition as the parse holds it (its value only in the label: it may be long)."""
    return {
        "condition": pred.label,
        "test": pred.test,
        "field": None if pred.path is None else ".".join((pred.path.field, *pred.path.sub)),
        "op": pred.op or None,
        "negate": pred.negate,
        "index": None if pred.access is None else pred.access.kind,
        "parts": [_condition(p) for p in pred.parts],
    }


def _filter_of(flt: FilterPlan) -> dict[str, Any]:
    return {"all_of": [_condition(p) for p in flt.all_of], "any_of": [_condition(p) for p in flt.any_of]}


def describe_list(query: SearchQuery) -> dict[str, Any]:
    """The parsed list request as plain data."""
    return {
        "kind": "list",
        "filter": _filter_of(query.filter),
        "sort": [{"key": s.key, "desc": s.desc, "known": s.path is not None} for s in query.sort]
        or [{"key": DEFAULT_ORDER[0], "desc": DEFAULT_ORDER[1], "known": True}],
        "start": query.start,
        "limit": query.limit,
        "projection": None if query.projection is None else list(query.projection),
        "count_only": query.count_only,
    }


def describe_stat(request: StatRequest) -> dict[str, Any]:
    """The parsed stat request as plain data."""
    plan = request.plan
    page = None if plan.page is None else {"start": plan.page.start, "limit": plan.page.limit}
    stages = None if plan.stages is None else [stage_name(s) for s in plan.stages]
    return {"kind": "stat", "filter": _filter_of(request.filter), "stages": stages, "distinct": plan.distinct, "page": page}


def _filter(flt: FilterPlan, table: Table) -> tuple[Selection, list[dict[str, Any]], float]:
    """Plan and run a filter, recording each condition: (matches, conditions, planning seconds)."""
    started = perf_counter()
    access = plan_filter(flt, table)
    planned = perf_counter() - started
    conditions: list[dict[str, Any]] = []
    return run_filter(access, table, conditions), conditions, planned


def _order_of(order: OrderPlan) -> dict[str, Any]:
    """The order strategy, its field, and why it is not the field's index walk when that is
    for want of the index."""
    shown: dict[str, Any] = {"strategy": order.strategy, "field": order.field or None}
    if order.note:
        shown["note"] = order.note
    return shown


def _times(parse: float, plan: float, execute: float, shape: float) -> dict[str, float]:
    return {"parse": _ms(parse), "plan": _ms(plan), "execute": _ms(execute), "shape": _ms(shape)}


def explain_list(table: Table, params: Any, shaper: Callable[[tuple[str, ...] | None], Shaper]) -> dict[str, Any]:
    """How ``list(params)`` is answered over ``table`` (``shaper``: the store's page shapers)."""
    t0 = perf_counter()
    query = parse_list_request(params)
    t1 = perf_counter()
    matches, conditions, planned = _filter(query.filter, table)
    total = matches.count()
    need = None if query.limit is None else query.start + query.limit
    order = None
    page: list[int] = []
    if not query.count_only:
        order = order_plan_for(table, total, query.sort, need)
        page = order_rows(table, matches, query.sort, need, order)[query.start :]
    t3 = perf_counter()
    results = shaper(query.projection)(page) if not query.count_only else []
    t4 = perf_counter()
    return {
        "request": describe_list(query),
        "conditions": conditions,
        "order": None if order is None else _order_of(order),
        "rows": {"matched": total, "returned": len(results)},
        "times_ms": _times(t1 - t0, planned, t3 - t1 - planned, t4 - t3),
    }


def explain_stat(table: Table, params: Any) -> dict[str, Any]:
    """How ``stat(params)`` is answered over ``table``."""
    t0 = perf_counter()
    request = parse_stat_request(params)
    t1 = perf_counter()
    matches, conditions, planned = _filter(request.filter, table)
    stages: list[dict[str, Any]] = []
    outcome = run_stat(table, matches, request.plan, stages)
    t3 = perf_counter()
    response = shape_stat(outcome, request.plan)
    t4 = perf_counter()
    return {
        "request": describe_stat(request),
        "conditions": conditions,
        "stages": stages,
        "rows": {"matched": matches.count(), "results": outcome.total, "returned": len(response["results"])},
        "times_ms": _times(t1 - t0, planned, t3 - t1 - planned, t4 - t3),
    }
