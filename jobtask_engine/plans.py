"""Compiled requests kept by their exact content, so that a repeated request skips
parsing and compiling — the plan cache a database keeps for repeated statements.

A request is kept only when it is made of plain values (dicts with string keys,
lists, strings, numbers, booleans, None), under a key that tells apart
everything parsing tells apart (``1``, ``1.0`` and ``True``; a list and a
tuple), together with today's date (a partial date string is completed from
today).  A plan resolved against the clock (``timediff_*``) is never kept.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Callable, Generic, Hashable, TypeVar

__all__ = ["PlanCache", "request_key"]

Plan = TypeVar("Plan")

_SCALARS = frozenset((str, int, float, bool, type(None)))
#: Deeper requests are compiled every time (and a key never recurses far).
_MAX_DEPTH = 16


def request_key(value: Any, depth: int = 0) -> Hashable | None:
    """A hashable copy of a plain request, or None when it holds anything else."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if depth >= _MAX_DEPTH:
        return None
    if kind is dict:
        items = []
        for k, v in value.items():
            inner = request_key(v, depth + 1) if type(k) is str else None
            if inner is None:
                return None
            items.append((k, inner))
        return (dict, tuple(items))
    if kind is list:
        parts = []
        for v in value:
            inner = request_key(v, depth + 1)
            if inner is None:
                return None
            parts.append(inner)
        return (list, tuple(parts))
    return None


class PlanCache(Generic[Plan]):
    """``compile(params)``, remembered for up to ``size`` distinct requests (then forgotten all at once)."""

    def __init__(self, compile: Callable[[Any], Plan], timed: Callable[[Plan], bool], size: int = 256) -> None:
        self._compile = compile
        self._timed = timed
        self._size = size
        self._plans: dict[Hashable, Plan] = {}

    def __call__(self, params: Any) -> Plan:
        key = request_key(params)
        if key is None:
            return self._compile(params)
        key = (key, _dt.date.today())
        plan = self._plans.get(key)
        if plan is None:
            plan = self._compile(params)  # a refused request raises here and is not kept
            if not self._timed(plan):
                if len(self._plans) >= self._size:
                    self._plans.clear()
                self._plans[key] = plan
        return plan

    def __len__(self) -> int:
        return len(self._plans)
