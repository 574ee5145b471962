"""Planning a list request: which index answers which condition, and how rows are ordered.

Every cost model of the list side lives here, each with the measurements
that set it.  The planner reads the table only through its statistics
(``Table.value_count``, ``Table.range_count``, ``Table.capacity``,
``Table.has_sorted_index``, ``Table.arrival_runs``) and the ledger of passes made in place of an index
not yet built (``query/build_ledger.py``); the executor (``query/executor.py``,
``query/order.py``) then reads the indexes the plan names.

A sorted index costs a sort of the whole column to build (270-390 ms at 1M
rows; a column of few values is counted instead, 71-146 ms: ``updated_count``).  Beyond ``BUILD_AT_ONCE_ROWS`` the planner does not build one for a
request that a pass over its candidates answers for less (a range as a
``candidate test``, an order as an ``order view`` sort or top-k): it rents,
and builds once the passes it made instead add up to the build
(:func:`rent_or_build`).  A field whose values arrive in order (``created_at``: JobTasks
come in creation order) has its index merged from its runs instead, 18-25 ms at 1M rows:
that build is made at once, like a small table's (``MERGE_AT_ONCE_ROWS``).

Access paths of an AND condition, cheapest first:

- ``index lookup``: an exact answer from an index (posting lists of an
  indexed string field, its sorted keys for a string range, the lower-cased
  text for ``contain``, or nothing at all for a condition no row can meet);
  answers are intersected smallest first;
- a range on an integer/datetime field is answered the cheapest of three
  ways for the candidates the lookups are estimated to leave
  (:func:`choose_range`): ``range index`` (its sorted index's rows),
  ``range codes`` (the index's range codes as a dense set) or ``candidate test``
  (also while its index is not built and a test costs less, see above);
- ``candidate test``: a per-row test of the remaining candidates.

OR conditions (``filter_or``) are always tests of the AND's candidates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from ..schema import DATETIME, INT
from ..storage import Table
from ..thresholds import DENSE_FRACTION
from . import build_ledger
from .predicates import IndexAccess, Predicate

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
    "rent_or_build",
    "plan_order",
    "order_plan_for",
    "BUILD_AT_ONCE_ROWS",
    "MERGE_AT_ONCE_ROWS",
    "COST_MERGE_ROW",
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
#: Building a sorted index, per table row, in the units of the passes it would spare.
#: Measured at 1M rows (``benchmarks/first_calls.py`` and the parts alone, 3 runs, nice, on
#: a shared 2-core machine): the builds took 270 ms (created_at) and 390 ms (updated_count),
#: 270-390 ns a row; the passes made in their place cost more per unit at that size than the
#: ~20 ns above (a dense set's listing is dearer than its 0.2 says): 27-50 ns (q4's top-k and
#: listing 72 ms for 2.7M units, q2's test and listing 51 ms for 1.0M): 5-14 units a row,
#: about 10.  The rule buys at a third of that: a rented call at 1M costs 3-10x what the same
#: call costs once the index exists (q1 16.8 against 5.1 ms, q2 44 against 6.2, q4 59 against
#: 2.0), and renting up to the full price kept a field asked again and again slow for ten
#: calls or more (created_at: 11 rounds of the benchmark).  At a third, q4's field is built at
#: its second call and q2's at its third; a field asked once still never pays a build, and
#: the work stays within 1.3x of building at once.
#: A column of few values is counted, not sorted (``storage/sorted_index._counted``,
#: ``thresholds.COUNT_SORT_SHARE``): ``updated_count`` at 1M rows 71-146 ms over several runs
#: (range codes made later, at a range's first use: +23-50 ms), 70-150 ns a row, about 3 units;
#: the same 3 buys it at its full price, not a third: a third (1 unit a row) would build at a
#: field's first ask (q2's pass is 1.0M units, q4's 2.7M), a first call of 110-180 ms on this
#: machine, past the 150 ms first calls keep.  At 3, q4 asked once rents (76-99 ms), after q2
#: builds at its first call (115-152 ms, with the walk; 850-970 ms when sorted), and q2 builds
#: at its third.  One constant serves both builds, so the planner need not tell them apart.
COST_BUILD_ROW = 3
#: Up to this many rows a sorted index is built on first use, as a lookup needs it: at
#: 390 ns a row the build costs at most 51 ms, a first call stays well inside 150 ms, and a
#: store of this size pays no pass where the index would serve.  Beyond it the planner
#: weighs a pass over the candidates against the build (``rent_or_build``).
BUILD_AT_ONCE_ROWS = 1 << 17
#: Building the sorted index of a field that arrives in order (its runs merged, not sorted:
#: ``storage/sorted_index._merged_runs``), per table row, in the same units.  Measured at 1M
#: workload rows (``created_at``, 11 runs, its steps known as after a load or an open; min of
#: 3-5 builds, shared 2-core machine at load 1-5): 18-25 ms, ~1 unit a row; its measured cost
#: (the sort's rule buys at a third of its, to cut the renting short; none is needed here: it
#: counts only beyond ``MERGE_AT_ONCE_ROWS``).
COST_MERGE_ROW = 1
#: Up to this many rows an index merged from runs is built at once: at the ~25 ns a row measured
#: at the noisy end it costs what a sort of ``BUILD_AT_ONCE_ROWS`` does (~50 ms at 2M rows), so
#: a first call stays inside 150 ms; at 1M, q1's order (20-25 ms a call by the view's top-k,
#: 5 over the index) pays it back at its first call.
MERGE_AT_ONCE_ROWS = 1 << 21


class Step(NamedTuple):
    """One AND condition's planned access: the method and the planner's row estimate
    (None: the index knows only when read, e.g. a text search, or is not built), and why
    when the method is not the index's for a reason ``explain`` should tell."""

    predicate: Predicate
    method: str
    estimate: int | None
    note: str = ""


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
    unsized: list[tuple[Predicate, IndexAccess]] = []  # ranges over a field whose sorted index is not built
    tests: list[Step] = []
    for pred in flt.all_of:
        access = pred.access
        if access is None:
            tests.append(Step(pred, TEST, None))
        elif access.kind == "sorted_range":
            unsized.append((pred, access))
        elif access.kind == "postings":
            lookups.append(Step(pred, LOOKUP, table.value_count(access.field, access.value)))
        elif access.kind == "nothing":
            lookups.append(Step(pred, LOOKUP, 0))
        else:
            lookups.append(Step(pred, LOOKUP, None))
    count, dense = _after_lookups(lookups, n)
    sized: list[tuple[int, Predicate]] = []
    range_tests: list[Step] = []
    test_cost = _test_cost(count, n, dense)
    by_field: dict[str, list[tuple[Predicate, IndexAccess]]] = {}
    for pred, access in unsized:
        by_field.setdefault(access.field, []).append((pred, access))
    for field, ranged in by_field.items():
        # One decision per field: two ranges of one field (a window) both use its index or
        # neither, never the second building it while the first tests every candidate.
        if _rents(table, field, test_cost * len(ranged)):
            range_tests += [Step(pred, TEST, None, _RENT_NOTE.format(field=field)) for pred, _ in ranged]
        else:
            sized += [(table.range_count(field, access.op, access.value), pred) for pred, access in ranged]
    ranges: list[Step] = []
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


_RENT_NOTE = "no sorted index of {field} yet: testing the candidates costs less than building it"
_ORDER_RENT_NOTE = "no sorted index of {field} yet: ordering the matches by its order view costs less than building it"
_MERGED_NOTE = "sorted index of {field} merged from the runs its values arrive in (no sort)"


def _test_cost(count: int, capacity: int, dense: bool) -> float:
    """Testing ``count`` candidates (``dense``: listed from a 0/1 vector first)."""
    return COST_TEST_ROW * count + (COST_LIST_DENSE_ROW * capacity if dense else 0)


def _rents(table: Table, field: str, pass_cost: float) -> bool:
    """Whether a request is answered by a pass costing ``pass_cost`` instead of ``field``'s
    sorted index (``rent_or_build``), the pass then charged to the ledger.  An index that
    exists, or a table small enough to build one at once, never reads the ledger."""
    n = table.capacity
    if table.has_sorted_index(field) or n <= BUILD_AT_ONCE_ROWS:
        return False
    if rent_or_build(False, n, build_ledger.spent(table, field), pass_cost, table.arrival_runs(field) > 0):
        return False
    build_ledger.charge(table, field, pass_cost)
    return True


def rent_or_build(built: bool, capacity: int, spent: float, pass_cost: float, in_order: bool = False) -> bool:
    """Whether a request that a sorted index would serve uses it (building it if need be),
    rather than a pass over its candidates costing ``pass_cost``.

    An index that exists, or that a table of at most ``BUILD_AT_ONCE_ROWS`` builds in a
    moment (``MERGE_AT_ONCE_ROWS`` when the field arrives in order, ``in_order``: its runs
    merged), is used (the method is then the index's cost model's).  Otherwise the pass is
    made while the passes made so far in its place (``spent``, ``query/build_ledger.py``)
    and this one stay below the build's cost; the request that would reach it builds.
    """
    if built or capacity <= (MERGE_AT_ONCE_ROWS if in_order else BUILD_AT_ONCE_ROWS):
        return True
    return spent + pass_cost >= (COST_MERGE_ROW if in_order else COST_BUILD_ROW) * capacity


def choose_range(size: int, count: int, capacity: int, dense: bool) -> str:
    """How to answer a range whose index lists ``size`` rows, over ``count`` candidates so far
    (``dense``: held as a 0/1 vector)."""
    by_index = COST_INDEX_ROW * size
    by_test = _test_cost(count, capacity, dense)
    by_codes = COST_CODE_PASS_ROW * capacity + (0 if dense else COST_TEST_AGAINST_DENSE * count)
    if by_test <= min(by_index, by_codes):
        return TEST
    return RANGE_INDEX if by_index <= by_codes else RANGE_CODES


# -- order ------------------------------------------------------------------------------

NOTHING, INDEX_WALK, VIEW_SORT, VIEW_TOP_K, KEY_SORT, TOP_K, MULTI_SORT = (
    "nothing to order",
    "sorted index walk",
    "order view sort",
    "order view top-k",
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
#: 1/TOP_K_SHARE of the rows are needed; so does the order view's top-k (a sampled cut,
#: ``query/order.py``) a sort of the view.
TOP_K_SHARE = 8
#: The same costs in the range units above (one unit ~20 ns, as a candidate test of 1.5 took
#: 17-40 ns), for weighing a walk that needs a build against a pass (``plan_order``): a walked
#: row 150 ns; a sort step 22 ns; the view's top-k ~95 ns a candidate (1M rows, 3 runs:
#: 6.2 ms over q1's 65k candidates, 3.6 ms over q2's 38k, 35 ms over q4's 549k for 5,100 rows).
COST_WALK_ROW = 7.5
COST_SORT_STEP = 1.1
COST_TOP_K_ROW = 5


class OrderPlan(NamedTuple):
    """How the matches are ordered: the strategy, and for the index strategies the field;
    ``rent``: what this order costs over a walk of the field's index, which is not built
    (charged to ``query/build_ledger.py``), with ``note`` saying so."""

    strategy: str
    field: str = ""
    desc: bool = False
    rent: float = 0.0
    note: str = ""


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


def _top_k(count: int, need: int | None) -> bool:
    return need is not None and need < count // TOP_K_SHARE


def _direct_cost(count: int, need: int | None) -> float:
    """Ordering ``count`` matches by the order view, for the first ``need``."""
    if _top_k(count, need):
        return COST_TOP_K_ROW * count
    return COST_SORT_STEP * count * count.bit_length()


def plan_order(
    capacity: int,
    count: int,
    sort: tuple[SortKey, ...],
    need: int | None,
    built: bool = True,
    spent: float = 0.0,
    in_order: bool = False,
) -> OrderPlan:
    """The order strategy for ``count`` matches of which the first ``need`` (None: all) are kept.

    ``built``: whether the field's sorted index exists; ``spent``: what passes have cost so
    far in its place; ``in_order``: whether it would be merged from the field's runs
    (``rent_or_build``).  A walk that needs the index built is chosen only when
    ``rent_or_build`` says to build; one over an index merged from runs says so in its note."""
    if not count:
        return OrderPlan(NOTHING)
    walk = _walkable(sort)
    if walk is not None:
        field, desc = walk
        direct = VIEW_TOP_K if _top_k(count, need) else VIEW_SORT
        if need is None or need * capacity * WALK_TO_SORT >= count * count * count.bit_length():
            return OrderPlan(direct, field, desc)
        saving = max(_direct_cost(count, need) - COST_WALK_ROW * need * capacity / count, 0.0)
        if rent_or_build(built, capacity, spent, saving, in_order):
            return OrderPlan(INDEX_WALK, field, desc, note=_MERGED_NOTE.format(field=field) if in_order else "")
        return OrderPlan(direct, field, desc, saving, _ORDER_RENT_NOTE.format(field=field))
    if len({s.desc for s in sort}) > 1:
        return OrderPlan(MULTI_SORT)
    if _top_k(count, need):
        return OrderPlan(TOP_K)
    return OrderPlan(KEY_SORT)


def order_plan_for(table: Table, count: int, sort: tuple[SortKey, ...], need: int | None) -> OrderPlan:
    """``plan_order`` with the table's statistics, its rent (if any) charged to the ledger.

    ``in_order`` says whether the field's index is, or would be, merged from its runs: read
    off the built index (an attribute), else asked of the table (kept under writes; one C
    pass when a write or an opened snapshot left it unknown)."""
    walk = _walkable(sort)
    field = "" if walk is None else walk[0]
    # (a table of at most BUILD_AT_ONCE_ROWS builds at once whatever was spent: no ledger read)
    exists = bool(field) and table.has_sorted_index(field)
    built = not field or exists or table.capacity <= BUILD_AT_ONCE_ROWS
    spent = build_ledger.spent(table, field) if not built else 0.0
    if not field:
        in_order = False
    elif exists:
        in_order = table.sorted_index_runs(field) > 0
    else:
        in_order = table.arrival_runs(field) > 0
    plan = plan_order(table.capacity, count, sort, need, built, spent, in_order)
    if plan.rent:
        build_ledger.charge(table, plan.field, plan.rent)
    return plan
