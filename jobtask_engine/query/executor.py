"""Running a planned filter: the one place that reads the indexes a plan names.

``run_filter`` takes the planner's ``AccessPlan`` and gives the live rows
that match, as a ``Selection``.  With a ``trace`` list it also records, per
condition, the access path used with the planner's estimate and the actual
row count (``store.explain``); without one it records nothing.
"""

from __future__ import annotations

from typing import Any

from ..selection import Selection
from ..storage import Table
from .planner import LOOKUP, RANGE_CODES, TEST, AccessPlan, Step
from .predicates import ANY_OF, IndexAccess, Predicate
from .row_tests import filter_rows

__all__ = ["run_filter", "read_index", "read_range"]

Trace = list[dict[str, Any]]


def read_index(access: IndexAccess, table: Table, dense: bool = False) -> Selection | None:
    """The rows an index access names (``dense``: a sorted range as its range codes' 0/1 set);
    None when the index cannot answer after all (a text search over non-ASCII values)."""
    kind, field, op, value = access
    n = table.capacity
    if kind == "postings":
        return table.value_selection(field, value)
    if kind == "sorted_range":
        return read_range(access, table, dense)
    if kind == "string_range":
        return Selection(n, rows=table.string_range(field, op, value), ordered=False)
    if kind == "text":
        rows = table.rows_containing(field, value)
        return None if rows is None else Selection(n, rows=rows)
    return Selection(n, rows=[])  # "nothing"


def read_range(access: IndexAccess, table: Table, dense: bool = False) -> Selection:
    """The rows a ``sorted_range`` access names (``dense``: as its range codes' 0/1 set)."""
    _, field, op, value = access
    n = table.capacity
    index = table.sorted_index(field)
    if dense:
        return Selection(n, mask=index.range_mask(op, value))
    return Selection(n, rows=index.range(op, value), ordered=False)


def _note(trace: Trace, step: Step, method: str, rows: int) -> None:
    entry = {"condition": step.predicate.label, "access": method, "estimated_rows": step.estimate, "rows": rows}
    if step.note:
        entry["note"] = step.note  # why not the index's method (a sorted index not built)
    trace.append(entry)


def _not_reached(trace: Trace, plan: AccessPlan, last: Step) -> None:
    """Record the steps an empty lookup made unnecessary."""
    steps = [*plan.lookups, *plan.ranges, *plan.tests]
    for step in steps[steps.index(last) + 1 :]:
        trace.append({"condition": step.predicate.label, "access": "not needed (no candidates left)",
                      "estimated_rows": step.estimate, "rows": 0})


def run_filter(plan: AccessPlan, table: Table, trace: Trace | None = None) -> Selection:
    """The live rows that satisfy every AND condition and (if any) one OR condition, by the
    plan's access paths (a text lookup the index cannot serve after all becomes a test)."""
    n = table.capacity
    answered: list[Selection] = []
    residual: list[Step] = []  # the request's tests, in its order, after any lookup turned test
    # The planner's lookups and ranges are the predicates with an index access (never None
    # there, which their type cannot say); its ranges are all sorted ranges.
    for step in plan.lookups:
        found = read_index(step.predicate.access, table)  # type: ignore[arg-type]  # see above
        if found is None:
            residual.append(step._replace(method=TEST))
            continue
        if trace is not None:
            _note(trace, step, LOOKUP, found.count())
        if found.count() == 0:
            if trace is not None:
                _not_reached(trace, plan, step)
            return Selection(n, rows=[])
        answered.append(found)
    answered.sort(key=Selection.count)
    current: Selection | None = None  # None: every live row
    if answered:
        current = answered[0]
        for other in answered[1:]:
            current = current & other
    for step in plan.ranges:
        dense = step.method == RANGE_CODES
        ranged = read_range(step.predicate.access, table, dense)  # type: ignore[arg-type]  # see above
        if trace is not None:  # counting a dense set is a pass over it: only when asked
            _note(trace, step, step.method, ranged.count())
        current = ranged if current is None else current & ranged
    if current is None:
        current = table.all_rows()
    residual += plan.tests
    if not (residual or plan.any_of):
        return current
    rows = current.rows()
    for step in residual:
        if rows:
            rows = filter_rows(step.predicate, table, rows)
        if trace is not None:
            _note(trace, step, TEST, len(rows))
    if plan.any_of and rows:
        rows = filter_rows(Predicate(ANY_OF, "any of", parts=plan.any_of), table, rows)
    if trace is not None and plan.any_of:
        trace.append({"condition": " OR ".join(p.label for p in plan.any_of), "access": "candidate test (any of)",
                      "estimated_rows": None, "rows": len(rows)})
    return Selection(n, rows=rows)

