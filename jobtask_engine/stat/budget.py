"""The work a stat pipeline may do (``max_pipeline_work``), counted before each piece of it is done.

The other limits bound a request's size; this one bounds its work over the data
it meets.  A stage's work is known from the rows entering it (counted by then)
and its terms, before it runs: each charge below is made at the last point
where nothing but bounded, already-charged work has happened, and the request
is refused (``ERROR_LIMIT_EXCEEDED``) as soon as the running total passes the
limit, so the refused piece of work is never started.  Some amounts are only
known part-way: a group's number of groups after it has found them (its
documents are built, ordered and shaped after), a sort key's cost after its
column is read (a column of plain values sorts in C, arrays and documents take
a Python sort key per value), an unwind's rows after they are counted.

Units track CPU: one unit is about a nanosecond of CPython 3.11 on the
project's 2-core machine, from the per-unit costs below, each measured on
100k-record stores (``benchmarks/limits_probe.py``, ``--work`` prints the
estimate beside the time).  The fast paths of ``fast.py`` (key codes of stored
columns, counts over unwound errors) are charged by their own, much lower, rate
per row; they build their group documents themselves, which are charged once
counted, before they are ordered and shaped (so the work done before a refusal
there is the path's own, bounded by rows x keys).  ``distinct`` is not a
pipeline and is bounded by its one column.

The budget of the call under way lives in a context variable (threads and tasks
see their own), opened by ``open_budget`` around a stat's pipeline and the
shaping of its answer; stages used on their own (tests, other callers) charge
nothing.
"""

from __future__ import annotations

import contextvars
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from ..limits import LimitError, active_limits
from .expressions import DateToString, Expr

__all__ = [
    "WorkBudget",
    "open_budget",
    "charge",
    "reserve_answer",
    "expr_work",
    "ROW_TERM",
    "MATCH_TERM",
    "KEY_PATH",
    "FAST_ROW_TERM",
    "UNWOUND_COUNT_ROW",
    "GROUP_DOC",
    "GROUP_ROW",
    "COLUMN_VALUE",
    "REDUCE_GROUP",
    "DOC_VALUE",
    "PROJECT_PATH",
    "DATE_TEXT",
    "DATE_PIECE",
    "PUSHED_VALUE",
    "PUSHED_DATETIME",
    "PUSHED_ARRAY",
    "SORT_PLAIN",
    "SORT_COMPUTED",
    "SORT_ELEMENT",
    "UNWOUND_ROW",
    "RESULT_VALUE",
    "RESULT_DOC_VALUE",
]

# Per-unit costs, in work units (~ns).  Measured at 100k records: the probe's CPU time of a
# request (``--work``) and each stage's time (``explain``) divided over its units, for
# requests where one kind of unit dominates.

#: One row through one node of an expression (a group key or field, a project field or
#: operand) evaluated by the general path: 16 project calculations of 2
#: operands, 0.45 s for 3M row-nodes; an ``add`` of 16 operands, 0.28 s for 1.7M.
ROW_TERM = 150
#: One row through one match condition (arrays walked, values looked up, patterns searched):
#: a 32-pattern ``contain_in`` on ``errors.message`` 0.05 s, an ``in`` of 10k documents on
#: ``errors.additional`` 0.085 s, over 100k rows.
MATCH_TERM = 600
#: One row of a group key that is a field path (not a calculation): its column gathered in C
#: and counted, a Python pass over integer codes when there are more than 8 groups.
KEY_PATH = 50
#: One row through one key or field of a strategy reading stored columns in C (``fast.py``'s
#: key codes and counts over unwound errors, a group's posting lists): a group by day and
#: provider with a max over 1M rows, 0.25 s for 4M row-terms.
FAST_ROW_TERM = 15
#: One input row of ``unwind errors`` answered with counts over its elements (``fast.py``),
#: its array walked without unwinding: FAILURE rows of 200k records, 7.5 ms for 24k rows.
UNWOUND_COUNT_ROW = 300
#: One group document built and ordered by ``_id`` (beside its values), as ``fast.py``'s
#: paths build them, or when the groups' order needs their ``_id`` documents: 100k groups,
#: ~0.15 s more than their values account for.
GROUP_DOC = 1_500
#: One group kept as a row of columns (``frames.GroupFrame``) and ordered by its key columns.
GROUP_ROW = 300
#: One value of a group kept in its column.
COLUMN_VALUE = 30
#: One group's values of one field gathered and reduced by the general strategies (computed
#: keys, postings), a reducer call per group: a group per task pushing its errors, ~0.15 s
#: for 100k groups of 2 fields beyond the rest.
REDUCE_GROUP = 800
#: One value of a document a stage builds (a group's ``_id`` keys and fields, a project's
#: fields with a dotted name): 100k groups of 12 keys, ~0.35 s before shaping.
DOC_VALUE = 180
#: One row of a project field that is a stored field or a path, kept as a column (read in C).
PROJECT_PATH = 40
#: A date format with time specifiers rendered for one row (a text per value, where a day
#: format is rendered once per day): ``DATE_TEXT + DATE_PIECE`` per piece of the format;
#: 16 ``%H`` over 100k rows 0.22 s, three ``%Y-%m-%dT%H:%M:%S.%L`` keys ~0.45 s.
DATE_TEXT = 400
DATE_PIECE = 80
#: One value pushed (``push``/``add_to_set``) into a group's array, copied when shaped
#: (``PUSHED_DATETIME``: a stored datetime, made a datetime and written out as text):
#: 31 pushes and sums over 2,497 groups, 1.6M values answered in 1.27 s.
PUSHED_VALUE = 250
PUSHED_DATETIME = 1_300
#: One row pushing an array of documents (a stored record's ``errors``), copied element by
#: element when shaped: a group per task pushing its errors, 0.3 s of shaping for 100k rows.
PUSHED_ARRAY = 3_000
#: One row of a sort key read from a column of plain values and sorted in C:
#: 16 sorts of 100k stored rows, 17 ms each.
SORT_PLAIN = 170
#: A sort key computed per value (arrays, documents, mixed types): ``SORT_COMPUTED`` a row
#: plus ``SORT_ELEMENT`` per array element (two levels deep) it holds: a sort of 100k groups
#: on their pushed errors ~0.35 s; on ``errors.error_code`` of 100k records ~0.05 s a key.
SORT_COMPUTED = 300
SORT_ELEMENT = 1_500
#: One row an unwind makes (a repeated row id and its element).
UNWOUND_ROW = 100
#: One value of one result shaped into the answer from columns (stored rows, a group's or a
#: project's columns), one dict a row: 100k whole records (17 values each), ~0.4 s; 15
#: projected fields of 100k records, 0.3 s.
RESULT_VALUE = 200
#: One value of one result document flattened row by row: 100k groups of 12 keys, ~0.38 s.
RESULT_DOC_VALUE = 300


class WorkBudget:
    """The running estimate of a pipeline's work against ``max_pipeline_work``.

    Besides the stages' work, it holds a reservation for shaping the answer, made as soon
    as the documents the answer will be made of are counted (the pipeline's input when no
    later stage reshapes it, a group's groups, a project's rows, an unwind's rows), cut to
    what later skips, limits and the page can return (``answer_rows``); each reservation
    replaces the one before, and the answer's exact size replaces the last.  So a request
    whose answer would be too big to shape is refused before the stage that makes it runs,
    not after.
    """

    __slots__ = ("limit", "spent", "peak", "stage", "reserved", "answer_rows")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.spent = 0
        #: the highest ``spent`` has been (a request is refused when it would pass the limit)
        self.peak = 0
        #: the stage being run, as the refusal names it (``stage 2 (group)``)
        self.stage = "the pipeline"
        #: the part of ``spent`` that is the reservation for shaping the answer
        self.reserved = 0
        #: documents about to be made -> results the rest of the pipeline can answer of them
        #: (None: a later stage reshapes them; its output is what is answered)
        self.answer_rows: Callable[[int], int] | None = None

    def charge(self, units: int, what: str) -> None:
        """Count ``units`` of work about to be done; refuse before doing it past the limit."""
        self.spent = self._checked(self.spent + units, what)

    def reserve_answer(self, rows: int, width: int, unit: int) -> None:
        """The answer's shaping, if ``rows`` documents of ``width`` values are what it is made of."""
        if self.answer_rows is None:
            return
        results = self.answer_rows(rows)
        units = results * width * unit
        self.spent = self._checked(self.spent - self.reserved + units, f"an answer of {results} results x {width} values")
        self.reserved = units

    def _checked(self, spent: int, what: str) -> int:
        self.peak = max(self.peak, spent)
        if spent > self.limit:
            raise LimitError(
                "ERROR_LIMIT_EXCEEDED",
                f"Request exceeds the max_pipeline_work limit. (key = aggregate, stage = {self.stage}, "
                f"limit = {self.limit}, got = {spent} estimated, {what})",
                limit="max_pipeline_work",
            )
        return spent


_current: contextvars.ContextVar[WorkBudget | None] = contextvars.ContextVar("jobtask_work_budget", default=None)


@contextmanager
def open_budget() -> Iterator[WorkBudget]:
    """The budget of this stat call: the one already open (a pipeline inside a call that
    also shapes its answer), else a new one at the active ``max_pipeline_work``."""
    budget = _current.get()
    if budget is not None:
        yield budget
        return
    budget = WorkBudget(active_limits().max_pipeline_work)
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def charge(units: int, what: str) -> None:
    """Charge the open budget (nothing when no stat call opened one)."""
    budget = _current.get()
    if budget is not None:
        budget.charge(units, what)


def reserve_answer(rows: int, width: int, unit: int) -> None:
    """``WorkBudget.reserve_answer`` of the open budget (nothing when none is open)."""
    budget = _current.get()
    if budget is not None:
        budget.reserve_answer(rows, width, unit)


def expr_work(expr: Any) -> int:
    """The work of evaluating an expression for one row: ``ROW_TERM`` per node (a path, a
    constant, an operator and each operand), plus a date format's text per date format with
    time specifiers; walked without recursion."""
    work = 0
    stack = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Expr):
            work += ROW_TERM
            if type(node) is DateToString and node.fmt.needs_time:
                work += DATE_TEXT + DATE_PIECE * len(node.fmt.pieces)
            for cls in type(node).__mro__:
                for slot in getattr(cls, "__slots__", ()):
                    stack.append(getattr(node, slot, None))
        elif type(node) is list or type(node) is tuple:
            stack.extend(node)
    return work
