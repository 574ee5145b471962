"""Planning and running ``filter`` (AND) + ``filter_or`` (OR).

Every AND condition an index can answer exactly is answered by it, and those
answers are intersected, smallest first (dense vectors by one big-integer AND).
The remaining AND conditions then narrow the candidates one comprehension at
a time, and the OR conditions keep the candidates that satisfy at least one.
With no usable index the candidates are all live rows.
"""

from __future__ import annotations

from typing import NamedTuple

from ..selection import Selection
from ..table import Table
from .conditions import Condition
from .predicates import Predicate, compile_condition

__all__ = ["FilterPlan", "compile_filter"]


class FilterPlan(NamedTuple):
    all_of: tuple[Predicate, ...]
    any_of: tuple[Predicate, ...]

    def execute(self, table: Table) -> Selection:
        """The live rows that match."""
        n = table.capacity
        answered: list[Selection] = []
        residual: list[Predicate] = []
        ranges = self._ranges_worth_an_index(table)
        for pred in self.all_of:
            found = pred.lookup(table) if pred.estimate(table) is None or pred in ranges else None
            if found is None:
                residual.append(pred)
            elif found.count() == 0:
                return Selection(n, rows=[])
            else:
                answered.append(found)
        if answered:
            answered.sort(key=Selection.count)
            current = answered[0]
            for other in answered[1:]:
                current = current & other
        else:
            current = table.all_rows()
        if residual or self.any_of:
            rows = current.rows()
            for pred in residual:
                if not rows:
                    break
                rows = pred.filter(table, rows)
            if self.any_of and rows:
                rows = self._any(table, rows)
            current = Selection(n, rows=rows)
        return current

    def _ranges_worth_an_index(self, table: Table) -> set[Predicate]:
        """Range lookups materialise unordered rows; use one only when it is the most selective."""
        sized = [(est, i) for i, p in enumerate(self.all_of) if (est := p.estimate(table)) is not None]
        if not sized:
            return set()
        best, i = min(sized)
        exact = any(p.indexed and p.estimate(table) is None for p in self.all_of)
        if exact and best * 4 > table.capacity:
            return set()
        return {self.all_of[i]}

    def _any(self, table: Table, rows):
        if len(self.any_of) == 1:
            return self.any_of[0].filter(table, rows)
        hit: set[int] = set()
        for pred in self.any_of:
            hit.update(pred.filter(table, rows))
        return [r for r in rows if r in hit]


def compile_filter(all_of: list[Condition], any_of: list[Condition]) -> FilterPlan:
    """Field resolution and value conversion, condition by condition (AND list first)."""
    return FilterPlan(
        tuple(compile_condition(c) for c in all_of),
        tuple(compile_condition(c) for c in any_of),
    )
