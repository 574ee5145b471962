"""The ``group`` stage: one entry point (``GroupStage.run``) choosing a strategy by a stated rule.

The strategies, tried in the order of the constants below, the first that
fits answering: key codes per table (``fast.compact_group``), bit-sliced
columns over a dense selection (``sliced.sliced_group``), posting lists of an
indexed field (``partition``), computed key columns counted in C
(``partition``), and, right after ``unwind errors``, counts over the
elements without unwinding (``fast.unwind_errors_group``).  A strategy names
the operators it serves (``fast.CODES_SERVE``, ``sliced.SLICED_SERVE``,
``fast.UNWIND_COUNTS_SERVE``);
a group with any other operator falls back to computed keys, which serves
every reducer of ``accumulators.REDUCERS`` — so a new reducer is added there
and is served everywhere it is not explicitly left to the fallback.

With computed keys or postings, a field's input expression is evaluated once
over the frame and gathered per group (or read per group through its
sub-frame of row ids); reducers then run on plain lists, mostly in C.
Whichever strategy finds the groups, the output is built and ordered by
``grouped.py``, and an integer sum leaving int64 becomes a double by
``accumulators.fit_int64``.  No input gives no groups.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from ..schema import DATETIME, ERRORS, FIELDS, INT
from .accumulators import INTS, MILLIS, REDUCERS, VALUES
from .budget import (COLUMN_VALUE, DOC_VALUE, FAST_ROW_TERM, GROUP_DOC, GROUP_ROW, KEY_PATH, PUSHED_ARRAY,
                     PUSHED_DATETIME, PUSHED_VALUE, REDUCE_GROUP, RESULT_DOC_VALUE, RESULT_VALUE, UNWOUND_COUNT_ROW,
                     charge, expr_work, reserve_answer)
from .expressions import Expr, ObjectExpr, PathExpr
from .fast import compact_group, unwind_errors_group
from .frames import ColumnFrame, DocFrame, Frame, GroupFrame
from .grouped import finish_group_columns, finish_groups
from .partition import Partition, partition
from .sliced import sliced_group

if TYPE_CHECKING:
    from .frames import Values

__all__ = [
    "GroupKey",
    "GroupField",
    "GroupStage",
    "finish_groups",
    "NO_INPUT",
    "KEY_CODES",
    "BIT_SLICES",
    "POSTINGS",
    "COMPUTED_KEYS",
    "UNWOUND_COUNTS",
]


class GroupKey(NamedTuple):
    name: str
    expr: Expr


class GroupField(NamedTuple):
    name: str
    operator: str
    #: The per-document input (None for a plain count).
    expr: Expr | None


#: Group strategies, tried in this order; the first that fits answers (``GroupStage.run``).
NO_INPUT = "no input"
#: keys are stored plain fields and/or days of a stored datetime (not one plain key alone),
#: fields are operators of ``fast.CODES_SERVE`` over stored integers: per-table key codes.
KEY_CODES = "key codes"
#: one plain key on a code column of few values, fields of ``sliced.SLICED_SERVE`` over stored
#: integers, frame a dense selection (or every row): packed bitmaps and bit planes, once their
#: build is paid for by the next strategy's answers (rent or build, ``sliced.py``).
BIT_SLICES = "bit slices"
#: one plain key on an indexed field with few values, frame in row order: its posting lists.
POSTINGS = "postings"
#: anything else: the key column(s) evaluated and counted; every reducer (``REDUCERS``).
COMPUTED_KEYS = "computed keys"
#: ``unwind errors`` + plain counts per ``errors.<sub>`` (``fast.UNWIND_COUNTS_SERVE``):
#: counted over the elements without unwinding (``run_after_unwind``).
UNWOUND_COUNTS = "unwind + counts over elements"


class GroupStage(NamedTuple):
    keys: tuple[GroupKey, ...]
    fields: tuple[GroupField, ...]

    def apply(self, frame: Frame) -> DocFrame | GroupFrame:
        return self.run(frame)[0]

    def run(self, frame: Frame) -> tuple[DocFrame | GroupFrame, str]:
        """The group's output and the strategy that found the groups (the one entry point)."""
        rows = len(frame)
        if rows == 0:
            return DocFrame([]), NO_INPUT
        fast = compact_group(frame, self.keys, self.fields)
        if fast is not None:
            self._charge_groups(rows, len(fast), columns=False)
            return finish_groups(fast), KEY_CODES
        sliced = sliced_group(frame, self.keys, self.fields)
        if sliced is not None:
            found, results = sliced
            self._charge_groups(rows, len(found), columns=True)
            names = [k.name for k in self.keys]
            return finish_group_columns(names, found, [f.name for f in self.fields], results), BIT_SLICES
        charge(rows * self._keys_work(), f"{rows} rows x {len(self.keys)} keys evaluated")
        part = partition(frame, [k.expr for k in self.keys])
        self._charge_reducing(rows, part)
        self._charge_groups(rows, len(part.keys), columns=True)
        cache: dict[Any, Any] = {}
        subframes, split = part.subframes, part.split
        if subframes is not None:
            results = [_reduce_per_frame(subframes, f, cache) for f in self.fields]
        else:
            assert split is not None, "a partition without sub-frames splits columns"
            results = [_reduce_field(frame, f, part.sizes, split, cache) for f in self.fields]
        out = finish_group_columns([k.name for k in self.keys], part.keys, [f.name for f in self.fields], results)
        return out, POSTINGS if part.subframes is not None else COMPUTED_KEYS

    def run_after_unwind(self, frame: Frame, unwind_path: str) -> DocFrame | None:
        """``unwind <path>`` then this group in one step, when the strategy fits (else None)."""
        rows = len(frame)
        if not rows:
            return None
        charge(rows * UNWOUND_COUNT_ROW, f"{rows} rows unwound and counted")
        docs = unwind_errors_group(frame, unwind_path, self.keys, self.fields)
        if docs is None:
            return None
        self._charge_groups(rows, len(docs), columns=False)
        return finish_groups(docs)

    # -- its work (``budget.py``) -----------------------------------------------------

    def terms(self) -> int:
        """Keys and fields reading an input (a plain count reads none)."""
        return len(self.keys) + sum(f.expr is not None for f in self.fields)

    def _keys_work(self) -> int:
        """Per row, the general strategies' keys beyond the key-codes rate charged before the
        stage: a field path is gathered and counted in C, a calculation evaluated."""
        return sum(KEY_PATH - FAST_ROW_TERM if type(k.expr) is PathExpr else _extra_work([k.expr]) for k in self.keys)

    def _charge_reducing(self, rows: int, part: Partition) -> None:
        """The fields evaluated over the rows and reduced per group, once the groups are known.
        Posting lists give sub-frames of stored rows: a field path is read per group in C."""
        evaluated = [f.expr for f in self.fields
                     if f.expr is not None and (part.subframes is None or type(f.expr) is not PathExpr)]
        groups, fields = len(part.keys), len(self.fields)
        charge(rows * _extra_work(evaluated) + groups * fields * REDUCE_GROUP,
               f"{rows} rows x {len(evaluated)} fields evaluated, {groups} groups x {fields} fields reduced")

    def _charge_groups(self, rows: int, groups: int, columns: bool) -> None:
        """Charged once the groups are found, before their output is built (or, from a
        ``fast.py`` path that builds its documents itself, ordered) and shaped; pushed values
        count once per input row.  ``columns``: the output is built as columns (a group row,
        a column value each), else as documents."""
        per_group, per_value = (GROUP_ROW, COLUMN_VALUE) if columns else (GROUP_DOC, DOC_VALUE)
        values = len(self.keys) + len(self.fields)
        pushed = sum(_pushed_work(f.expr) for f in self.fields if f.operator in _PUSHING and f.expr is not None)
        charge(groups * (per_group + values * per_value) + rows * pushed,
               f"{groups} groups x {values} values, {rows} rows pushing {pushed} units each")
        reserve_answer(groups, values, RESULT_VALUE if columns else RESULT_DOC_VALUE)


#: Operators gathering each input value into the group's array.
_PUSHING = frozenset(("push", "add_to_set"))


def _extra_work(exprs: list) -> int:
    """Per row, what evaluating these expressions costs beyond the key-codes rate charged
    before the stage (``work.stage_work``)."""
    return max(0, sum(expr_work(e) for e in exprs) - len(exprs) * FAST_ROW_TERM)


def _pushed_work(expr: Expr) -> int:
    """The work of one pushed value: a stored record's ``errors`` is an array of documents
    copied element by element, a document built by the push one value per field."""
    if type(expr) is PathExpr and len(expr.parts) == 1:
        kind = FIELDS[expr.path].kind if expr.path in FIELDS else None
        if kind == ERRORS:
            return PUSHED_ARRAY
        if kind == DATETIME:
            return PUSHED_DATETIME
    if type(expr) is ObjectExpr:
        return PUSHED_VALUE * max(1, len(expr.items))
    return PUSHED_VALUE


# -- reducing ----------------------------------------------------------------------

def _input_column(frame: Frame, expr: Expr) -> tuple[Values, str]:
    if type(expr) is PathExpr:
        vals, is_ms = expr.raw(frame)
        if is_ms:
            return vals, MILLIS
        if (
            type(frame) is ColumnFrame
            and len(expr.parts) == 1
            and expr.path not in frame.overrides
            and expr.path in FIELDS
            and FIELDS[expr.path].kind == INT
        ):
            return vals, INTS
        return vals, VALUES
    return expr.column(frame), VALUES


def _reduce_field(frame: Frame, f: GroupField, sizes: list[int], split: Callable[[Values], list],
                  cache: dict) -> list:
    if f.expr is None:
        return list(sizes)
    key = _expr_key(f.expr)
    got = cache.get(key)
    if got is None:
        col, kind = _input_column(frame, f.expr)
        got = cache[key] = (split(col), kind)
    groups, kind = got
    return _reduce_groups(f.operator, groups, kind, key, cache)


def _reduce_per_frame(subframes: list, f: GroupField, cache: dict) -> list:
    if f.expr is None:
        return [len(sf) for sf in subframes]
    key = _expr_key(f.expr)
    got = cache.get(key)
    if got is None:
        got = cache[key] = [_input_column(sf, f.expr) for sf in subframes]
    return _reduce_groups(f.operator, [vals for vals, _ in got], got[0][1] if got else VALUES, key, cache)


def _expr_key(expr: Expr) -> Any:
    return ("field", expr.path) if type(expr) is PathExpr else id(expr)


def _reduce_groups(operator: str, groups: list, kind: str, key: Any, cache: dict) -> list:
    """One reducer over every group; integer sums are shared by ``sum`` and ``average``."""
    if kind == INTS and operator in ("sum", "average"):
        sums = cache.get(("sums", key))
        if sums is None:
            sums = cache[("sums", key)] = [sum(vals) for vals in groups]
        if operator == "sum":
            return [REDUCERS["sum"]((s,), INTS) for s in sums]
        return [s / float(len(vals)) if vals else None for s, vals in zip(sums, groups)]
    reduce = REDUCERS[operator]
    return [reduce(vals, kind) for vals in groups]
