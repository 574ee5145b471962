"""Compiled requests kept by their exact content, so that a repeated request skips
parsing and compiling — the plan cache a database keeps for repeated statements.

A request is kept only when it is made of plain values (dicts with string keys,
lists, strings, numbers, booleans, None), under a key that tells apart
everything parsing tells apart (``1``, ``1.0`` and ``True``; a list and a
tuple), together with today's date (a partial date string is completed from
today).  A plan resolved against the clock (``timediff_*``) is never kept.

The cache is bounded by bytes, not entries: a plan's size is estimated from its
request (``request_size``, from the request's key), times ``PLAN_BYTES_PER_REQUEST_BYTE``.
A plan estimated over an eighth of the budget is not kept at all; when the
budget is full the oldest plans go first.  Shared between threads: every change
to the table of plans happens under one small lock.
"""

from __future__ import annotations

import datetime as _dt
import threading
from collections import OrderedDict
from typing import Any, Callable, Generic, TypeVar

__all__ = ["PlanCache", "request_key", "request_size"]

Plan = TypeVar("Plan")
#: A plain request as a key: ``(type, value)`` for a scalar, ``(dict, ((key, key of its value),
#: ...))``, ``(list, str, (strings...))`` or ``(list, (keys of its items...))``.
RequestKey = tuple[Any, ...]

_SCALARS = frozenset((str, int, float, bool, type(None)))
#: Deeper requests are compiled every time (and a key never recurses far).
_MAX_DEPTH = 16
#: Estimated plan bytes per byte of request (as ``request_size`` counts them).  Measured with
#: tracemalloc around the list compiler: an ordinary request (a sort, a page, three
#: conditions) 4.3 kB of plan for 256 counted bytes (17x); a 10k-value ``in`` on job_task_id
#: 0.9 MB for 290 kB (3x).  24 covers both with room.
PLAN_BYTES_PER_REQUEST_BYTE = 24
#: What one value counts for besides its characters (a pointer and an object header).
_VALUE_BYTES = 8


def request_key(value: Any, depth: int = 0) -> RequestKey | None:
    """A hashable copy of a plain request, or None when it holds anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if depth >= _MAX_DEPTH:
        return None
    if kind is dict:
        items = []
        for k, v in value.items():
            if type(k) is not str:
                return None
            inner = request_key(v, depth + 1)
            if inner is None:
                return None
            items.append((k, inner))
        return (dict, tuple(items))
    if kind is list:
        if all(type(v) is str for v in value):  # a list of ids or names: one C pass, no pair per item
            return (list, str, tuple(value))
        parts = []
        for v in value:
            inner = request_key(v, depth + 1)
            if inner is None:
                return None
            parts.append(inner)
        return (list, tuple(parts))
    return None


def request_size(key: RequestKey) -> int:
    """The request's estimated bytes, from its key: each value's characters and ``_VALUE_BYTES``
    (worked out only when a plan is about to be kept, never on a hit)."""
    kind = key[0]
    if kind is dict:
        return _VALUE_BYTES + sum(len(k) + request_size(inner) for k, inner in key[1])
    if kind is list:
        if len(key) == 3:
            return _VALUE_BYTES + sum(map(len, key[2])) + _VALUE_BYTES * len(key[2])
        return _VALUE_BYTES + sum(map(request_size, key[1]))
    return _VALUE_BYTES + (len(key[1]) if kind is str else 0)


class PlanCache(Generic[Plan]):
    """``compile(params)``, remembered within ``max_bytes`` of estimated plan memory."""

    def __init__(
        self, compile: Callable[[Any], Plan], timed: Callable[[Plan], bool], max_bytes: int = 64 * 1024 * 1024
    ) -> None:
        self._compile = compile
        self._timed = timed
        self._max_bytes = max_bytes
        self._bytes = 0
        self._plans: OrderedDict[tuple[RequestKey, _dt.date], tuple[Plan, int]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, params: Any) -> Plan:
        request = request_key(params)
        if request is None:
            return self._compile(params)
        key = (request, _dt.date.today())
        with self._lock:
            got = self._plans.get(key)
            if got is not None:
                self._plans.move_to_end(key)
                return got[0]
        plan = self._compile(params)  # a refused request raises here and is not kept
        if self._timed(plan):
            return plan
        cost = request_size(request) * PLAN_BYTES_PER_REQUEST_BYTE
        if cost * 8 <= self._max_bytes:
            self._keep(key, plan, cost)
        return plan

    def _keep(self, key: tuple[RequestKey, _dt.date], plan: Plan, cost: int) -> None:
        with self._lock:
            old = self._plans.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            while self._plans and self._bytes + cost > self._max_bytes:
                self._bytes -= self._plans.popitem(last=False)[1][1]
            self._plans[key] = (plan, cost)
            self._bytes += cost

    @property
    def estimated_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._plans)
