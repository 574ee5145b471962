"""Planning a list request: which index answers which condition, and how rows are ordered.

Every cost model of the list side lives here, each with the measurements
that set it.  The planner reads the table only through its statistics
(``Table.value_count``, ``Table.range_count``, ``Table.capacity``); the
executor (``query/executor.py``, ``query/order.py``) then reads the indexes
the plan names.

Access paths of an AND condition, cheapest first:

- ``index lookup``: an exact answer from an index (posting lists of an
  indexed string field, its sorted keys for a string range, the lower-cased
  text for ``contain``, or nothing at all for a condition no row can meet);
  answers are intersected smallest first;
- a range on an integer/datetime field is answered the cheapest of three
  ways for the candidates the lookups are estimated to leave
  (:func:`choose_range`): ``range index`` (its sorted index's rows),
  ``range codes`` (the index's range codes as a dense set) or ``candidate test``;
- ``candidate test``: a per-row test of the remaining candidates.

OR conditions (``filter_or``) are always tests of the AND's candidates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..schema import DATETIME, INT
from ..storage import Table
from ..thresholds import DENSE_FRACTION
from .predicates import Predicate

if TYPE_CHECKING:  # the parsed request's types (they import the executor, which imports this)
    from .filters import FilterPlan
    from .search import SortKey

__all__ = [
    "LOOKUP",
    "RANGE_INDEX",
    "RANGE_CODES",
    "TEST",
    "Step",
    "AccessPlan",
    "OrderPlan",
    "plan_filter",
    "choose_range",
    "plan_order",
]

LOOKUP, RANGE_INDEX, RANGE_CODES, TEST = "index lookup", "range index", "range codes", "candidate test"

# Relative costs per row of the ways to answer a range, measured at 10k-1M rows:
# filtering an index row 1.2, testing a candidate 1.5, listing a dense row 0.2, a
# range-code pass 0.02, testing a listed row against a dense set 0.3.
COST_INDEX_ROW = 1.2
COST_TEST_ROW = 1.5
COST_LIST_DENSE_ROW = 0.2
COST_CODE_PASS_ROW = 0.02
COST_TEST_AGAINST_DENSE = 0.3


class Step(NamedTuple):
    """One AND condition's planned access: the method and the planner's row estimate
    (None: the index knows only when read, e.g. a text search)."""

    predicate: Predicate
    method: str
    estimate: int | None


class AccessPlan(NamedTuple):
    """The access path of each AND condition, in execution order: exact lookups, then ranges
    read from an index (smallest first), then tests (ranges a test serves best last)."""

    lookups: tuple[Step, ...]
    ranges: tuple[Step, ...]
    tests: tuple[Step, ...]
    any_of: tuple[Predicate, ...]


def plan_filter(flt: FilterPlan, table: Table) -> AccessPlan:
    """Each AND condition's access path, from the index it names and the table's statistics.

    The candidates left by the exact lookups are estimated by the smallest lookup, the
    bound of an intersection, which is exact for the fields a JobTask request narrows
    together (domain, workspace, project nest); a lookup whose size only its reading
    tells (a text search, a string range) bounds nothing.  Each range then takes the
    cheapest method for the candidates so far, and bounds those after it in turn.  An
    estimate too high at worst makes a range read its codes (one C pass) where a test
    would have done.
    """
    n = table.capacity
    lookups: list[Step] = []
    sized: list[tuple[int, Predicate]] = []
    tests: list[Step] = []
    for pred in flt.all_of:
        access = pred.access
        if access is None:
            tests.append(Step(pred, TEST, None))
        elif access.kind == "sorted_range":
            sized.append((table.range_count(access.field, access.op, access.value), pred))
        elif access.kind == "postings":
            lookups.append(Step(pred, LOOKUP, table.value_count(access.field, access.value)))
        elif access.kind == "nothing":
            lookups.append(Step(pred, LOOKUP, 0))
        else:
            lookups.append(Step(pred, LOOKUP, None))
    count, dense = _after_lookups(lookups, n)
    ranges: list[Step] = []
    range_tests: list[Step] = []
    for size, pred in sorted(sized, key=lambda item: item[0]):
        method = choose_range(size, count, n, dense)
        if method == TEST:
            range_tests.append(Step(pred, TEST, size))
            continue
        ranges.append(Step(pred, method, size))
        count = min(count, size)
        dense = dense and method == RANGE_CODES
    return AccessPlan(tuple(lookups), tuple(ranges), tuple(tests + range_tests), flt.any_of)


def _after_lookups(lookups: list[Step], n: int) -> tuple[int, bool]:
    """(estimated candidates, held as a 0/1 vector) once the exact lookups are intersected;
    no lookup: every row, which the executor holds as a range or the live rows' vector."""
    count, dense = n, True
    for step in lookups:
        if step.estimate is None:  # a text search or string range: listed rows, size unknown
            dense = False
            continue
        dense = dense and step.estimate * DENSE_FRACTION >= n  # ``Table.value_selection``'s rule
        count = min(count, step.estimate)
    return count, dense


def choose_range(size: int, count: int, capacity: int, dense: bool) -> str:
    """How to answer a range whose index lists ``size`` rows, over ``count`` candidates so far
    (``dense``: held as a 0/1 vector)."""
    by_index = COST_INDEX_ROW * size
    by_test = COST_TEST_ROW * count + (COST_LIST_DENSE_ROW * capacity if dense else 0)
    by_codes = COST_CODE_PASS_ROW * capacity + (0 if dense else COST_TEST_AGAINST_DENSE * count)
    if by_test <= min(by_index, by_codes):
        return TEST
    return RANGE_INDEX if by_index <= by_codes else RANGE_CODES


# -- order ------------------------------------------------------------------------------

NOTHING, INDEX_WALK, VIEW_SORT, KEY_SORT, TOP_K, MULTI_SORT = (
    "nothing to order",
    "sorted index walk",
    "order view sort",
    "key sort",
    "top-k",
    "stable sort per key",
)

#: Walking a sorted index costs ~150 ns per row it passes (a C iteration and a
#: membership test) and passes about ``need * capacity / count`` rows; sorting the
#: matches by the column's order view costs ~22 ns per ``count * log2(count)`` (C key,
#: C sort): the walk wins when ``need * capacity * WALK_TO_SORT < count * log2(count) * count``
#: (measured at 10k-100k).
WALK_TO_SORT = 7
#: A heap (``heapq.nsmallest``) beats a full sort of computed keys when fewer than
#: 1/TOP_K_SHARE of the rows are needed.
TOP_K_SHARE = 8


class OrderPlan(NamedTuple):
    """How the matches are ordered: the strategy, and for the index strategies the field."""

    strategy: str
    field: str = ""
    desc: bool = False


#: The order of a list request that names none (the service's own): (field, descending).
DEFAULT_ORDER = ("created_at", True)


def _walkable(sort: tuple[SortKey, ...]) -> tuple[str, bool] | None:
    """(field, desc) when the order is one integer/datetime field that a sorted index serves."""
    if not sort:
        return DEFAULT_ORDER
    if len(sort) == 1 and sort[0].path is not None and not sort[0].path.in_array:
        if sort[0].path.kind in (INT, DATETIME):
            return sort[0].path.field, sort[0].desc
    return None


def plan_order(capacity: int, count: int, sort: tuple[SortKey, ...], need: int | None) -> OrderPlan:
    """The order strategy for ``count`` matches of which the first ``need`` (None: all) are kept."""
    if not count:
        return OrderPlan(NOTHING)
    walk = _walkable(sort)
    if walk is not None:
        field, desc = walk
        if need is not None and need * capacity * WALK_TO_SORT < count * count * count.bit_length():
            return OrderPlan(INDEX_WALK, field, desc)
        return OrderPlan(VIEW_SORT, field, desc)
    if len({s.desc for s in sort}) > 1:
        return OrderPlan(MULTI_SORT)
    if need is not None and need < count // TOP_K_SHARE:
        return OrderPlan(TOP_K)
    return OrderPlan(KEY_SORT)
