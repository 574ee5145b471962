"""Whether each integer/datetime column arrives in order: the live rows where its key steps down.

JobTasks are exported in creation order, so ``created_at`` rises with the row id but at a
few places.  A column like that is its own sorted index but for the rows that overlap
across those places: the index merges its runs instead of sorting it
(``sorted_index._merged_runs``, 18-25 ms at 1M rows against 320-460 ms), and the planner,
knowing it, builds the index at once where it would otherwise rent (``query/planner.py``).

``ArrivalOrder`` keeps, per column, the live rows whose sort key (``sorted_index``'s rule:
raw milliseconds for a datetime, null and not stored below every value) is below the previous
live row's -- the steps -- in ascending row id:

- an append compares the new keys with each other and with the last live row's (one C pass
  over what is appended, ~40 ns a key; a single create: one comparison);
- an update or a delete of a row whose neighbours are live re-judges the two pairs it
  touches (O(1) beside a list of at most ``RUN_STEPS`` row ids);
- anything else -- a neighbour deleted, a snapshot just opened -- leaves the column
  *unknown*, found again by one C pass at the next ask (``steps``; 1M rows: 30-37 ms,
  a column that does not arrive in order given up a chunk or a few in, 1-7 ms); a snapshot
  keeps the steps, and one without them has them found at open.

A column with more than ``RUN_STEPS`` steps is *out of order* until a rebuild of the
knowledge (an unknown state) says otherwise: appends never bring it back, and updates and
deletes leave it so (a conservative answer: the index is then sorted, as before).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from typing import Any, Callable, Sequence

from ..schema import DATETIME, FIELDS, INT
from ..thresholds import RUN_STEPS
from .liveness import Liveness
from .sorted_index import order_key, steps_of

__all__ = ["ArrivalOrder", "ORDERED_KINDS"]

#: The field kinds a sorted index serves, whose arrival order is kept.
ORDERED_KINDS = (INT, DATETIME)

_UNKNOWN = None
_OUT = False  # more steps than RUN_STEPS

Steps = list[int] | bool | None


class ArrivalOrder:
    """Per integer/datetime field: its steps (ascending live row ids), ``False`` (more than
    ``RUN_STEPS``) or ``None`` (unknown).  Every method takes the field's sort source (a datetime
    column's raw array, an integer column's list) and the table's liveness."""

    __slots__ = ("_steps",)

    def __init__(self, known: bool = True, saved: dict[str, list[int] | None] | None = None) -> None:
        """``known``: an empty table's columns are in order; an opened snapshot's are unknown but
        for those it ``saved`` (checked by the reader: ascending rows, at most ``RUN_STEPS``)."""
        self._steps: dict[str, Steps] = {
            name: ([] if known else _UNKNOWN) for name, f in FIELDS.items() if f.kind in ORDERED_KINDS
        }
        for name, steps in (saved or {}).items():
            self._steps[name] = _OUT if steps is None else list(steps)

    def saved(self, live: Liveness) -> dict[str, list[int] | None]:
        """The known fields' steps as positions among the live rows (None: out of order)."""
        rows = live.rows
        out: dict[str, list[int] | None] = {}
        for name, steps in self._steps.items():
            if steps is _OUT:
                out[name] = None
            elif type(steps) is list:
                out[name] = list(steps) if type(rows) is range else [bisect_left(rows, r) for r in steps]
        return out

    def fields(self) -> list[str]:
        return list(self._steps)

    def state(self, field: str) -> Steps:
        """The field's steps as kept (a list, False or None: unknown), nothing computed."""
        return self._steps[field]

    # -- reading -----------------------------------------------------------------------------
    def steps(self, field: str, source: Sequence[Any], live: Liveness) -> list[int] | None:
        """The live rows where ``field`` steps down, ascending; None when more than ``RUN_STEPS``.
        Found by one C pass when unknown (then kept)."""
        steps = self._steps[field]
        if steps is _UNKNOWN:
            rows = live.rows
            found = steps_of(source, rows, live=live.live_mask())
            if found is None:
                steps = _OUT
            elif type(rows) is range:
                steps = found
            else:
                steps = [rows[i] for i in found]
            self._steps[field] = steps
        return steps if type(steps) is list else None

    def positions(self, field: str, source: Sequence[Any], live: Liveness) -> list[int] | None:
        """``steps`` as positions in ``live.rows`` (what a sorted index build takes)."""
        steps = self.steps(field, source, live)
        if steps is None:
            return None
        rows = live.rows
        if type(rows) is range:
            return list(steps)
        return [bisect_left(rows, r) for r in steps]

    # -- writing -----------------------------------------------------------------------------
    def appended(self, source_of: Callable[[str], Sequence[Any]], live: Liveness, start: int, end: int) -> None:
        """Rows ``start``..``end - 1`` were appended (``live`` already counts them); ``source_of``:
        a field's sort source (read only for the fields still in order)."""
        for field, steps in self._steps.items():
            if type(steps) is not list:
                continue  # unknown stays unknown, out of order stays out
            if start and live.is_deleted(start - 1):
                self._steps[field] = _UNKNOWN  # the last live row is further back
                continue
            source = source_of(field)
            before = order_key(source[start - 1]) if start else None
            found = steps_of(source, range(start, end), RUN_STEPS - len(steps), before)
            if found is None:
                self._steps[field] = _OUT
            else:
                steps.extend(start + i for i in found)

    def rewritten(self, field: str, source: Sequence[Any], live: Liveness, r: int) -> None:
        """Live row ``r``'s ``field`` now holds what ``source[r]`` reads (updated in place)."""
        steps = self._steps[field]
        if type(steps) is not list:
            return
        n = len(source)
        if (r and live.is_deleted(r - 1)) or (r + 1 < n and live.is_deleted(r + 1)):
            self._steps[field] = _UNKNOWN
            return
        key = order_key(source[r])
        if r:
            _mark(steps, r, order_key(source[r - 1]) > key)
        if r + 1 < n:
            _mark(steps, r + 1, key > order_key(source[r + 1]))
        if len(steps) > RUN_STEPS:
            self._steps[field] = _OUT

    def deleting(self, source_of: Callable[[str], Sequence[Any]], live: Liveness, r: int) -> None:
        """Live row ``r`` is about to be deleted (its values and liveness not yet changed)."""
        n = live.capacity
        unknown = (r and live.is_deleted(r - 1)) or (r + 1 < n and live.is_deleted(r + 1))
        for field, steps in self._steps.items():
            if type(steps) is not list:
                continue
            if unknown:
                self._steps[field] = _UNKNOWN
                continue
            _mark(steps, r, False)  # r leaves the sequence
            if r + 1 < n:
                # row r + 1 now follows row r - 1 (or comes first)
                source = source_of(field)
                _mark(steps, r + 1, bool(r) and order_key(source[r - 1]) > order_key(source[r + 1]))


def _mark(steps: list[int], r: int, step: bool) -> None:
    """Make ``r``'s membership of the ascending list ``steps`` be ``step``."""
    i = bisect_left(steps, r)
    present = i < len(steps) and steps[i] == r
    if step and not present:
        insort(steps, r)
    elif present and not step:
        del steps[i]
