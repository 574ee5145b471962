"""Planning and running ``filter`` (AND) + ``filter_or`` (OR).

The plan starts from the smallest exact index lookup among the AND conditions
(or every live row when none serves), then narrows the candidates with the
remaining AND predicates, most selective first, and finally keeps the
candidates that satisfy at least one OR predicate.  Rows stay in ascending
id order throughout, which is what later stages rely on.
"""

from __future__ import annotations

from typing import NamedTuple, Sequence

from ..table import Table
from .conditions import Condition
from .predicates import Predicate, compile_condition

__all__ = ["FilterPlan", "compile_filter"]


class FilterPlan(NamedTuple):
    all_of: tuple[Predicate, ...]
    any_of: tuple[Predicate, ...]

    def execute(self, table: Table) -> Sequence[int]:
        """Ascending ids of the live rows that match."""
        rows: Sequence[int] | None = None
        rest = list(self.all_of)
        best = None
        for pred in rest:
            found = pred.lookup(table)
            if found is not None and (best is None or len(found) < len(best[1])):
                best = (pred, found)
                if not found:
                    return []
        if best is not None:
            rows = best[1]
            rest.remove(best[0])
        else:
            rows = table.alive
        for pred in rest:
            if not rows:
                return []
            rows = pred.filter(table, rows)
        if self.any_of:
            if len(self.any_of) == 1:
                return self.any_of[0].filter(table, rows)
            hit: set[int] = set()
            for pred in self.any_of:
                hit.update(pred.filter(table, rows))
            rows = [r for r in rows if r in hit]
        return rows


def compile_filter(all_of: list[Condition], any_of: list[Condition]) -> FilterPlan:
    """Field resolution and value conversion, condition by condition (AND list first)."""
    return FilterPlan(
        tuple(compile_condition(c) for c in all_of),
        tuple(compile_condition(c) for c in any_of),
    )
