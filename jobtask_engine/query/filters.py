"""The parsed filter of a request: ``filter`` (AND) + ``filter_or`` (OR) as parsed conditions.

A ``FilterPlan`` is plain data — per condition a ``Predicate`` naming its row
test, its converted value and the index that could answer it — and is what
the plan cache keeps; ``execute`` hands it to the planner
(``query/planner.py``: which index answers which condition, from the
table's statistics) and the executor (``query/executor.py``: reads those
indexes, intersects, tests the rest).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..selection import Selection
from ..storage import Table
from .conditions import Condition
from .executor import run_filter
from .planner import plan_filter
from .predicates import Predicate, compile_condition

__all__ = ["FilterPlan", "compile_filter"]


class FilterPlan(NamedTuple):
    all_of: tuple[Predicate, ...]
    any_of: tuple[Predicate, ...]
    #: a condition was resolved against the clock (``timediff_*``): the plan is for now only
    clock: bool = False

    def execute(self, table: Table, trace: list[dict[str, Any]] | None = None) -> Selection:
        """The live rows that match (``trace``: a list to record each condition's access path in)."""
        return run_filter(plan_filter(self, table), table, trace)


def compile_filter(all_of: list[Condition], any_of: list[Condition]) -> FilterPlan:
    """Field resolution and value conversion, condition by condition (AND list first)."""
    return FilterPlan(
        tuple(compile_condition(c) for c in all_of),
        tuple(compile_condition(c) for c in any_of),
        any(c.operator.startswith("timediff_") for c in (*all_of, *any_of)),
    )
