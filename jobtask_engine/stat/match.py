"""The ``match`` stage (and ``unwind``'s ``filter``): MongoDB query semantics on documents.

spaceone-core builds the query itself, differently from the list filter:
``eq`` is ``{key: value}``, ``not`` is ``$ne``, ``in``/``not_in`` are
``$in``/``$nin``, and the contain family becomes ``$regex: ".*value.*"`` —
the value is *not* escaped and the match is case-sensitive.  Keys are plain
paths (a group key must be written ``_id.name``).

Query semantics: a path through an array of documents reaches every
element; a condition holds when any reached value (or any element of a
reached array) satisfies it, and the negations (``$ne``, ``$nin``, ``$not``,
``$nor``) hold when no reached value does.  Null in an ``$in`` list also
matches a missing field.
"""

from __future__ import annotations

import re
from itertools import compress, repeat
from operator import eq
from typing import TYPE_CHECKING, Any, NamedTuple, Sequence

from ..limits import sre_parser
from ..schema import FIELDS, INT, STR
from ..selection import Selection

from ..paths import query_leaves
from ..values import MISSING, ValueTest, bson_equal
from ..values import in_test as any_equal
from .frames import ColumnFrame, Frame

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["MatchCondition", "MatchStage", "condition_test", "search_patterns", "eq_test", "in_test", "regex_test"]


def eq_test(q: Any) -> ValueTest:
    """``{path: q}``: equal, or an array holding an equal element."""
    if q is None:

        def test_null(v: Any) -> bool:
            if v is None or v is MISSING:
                return True
            return type(v) is list and any(e is None for e in v)

        return test_null

    def test(v: Any) -> bool:
        if bson_equal(v, q):
            return True
        return type(v) is list and any(bson_equal(e, q) for e in v)

    return test


def in_test(values: Sequence[Any]) -> ValueTest:
    """``{path: {$in: values}}``: equal to one of the values (``values.in_test``, one set
    lookup), or an array holding such an element."""
    test = any_equal(values)
    return lambda v: test(v) or (type(v) is list and any(map(test, v)))


def regex_test(pattern: str) -> ValueTest:
    """A case-sensitive search with ``pattern`` (``re``'s own cache keeps it compiled)."""
    search = re.compile(pattern).search

    def test(v: Any) -> bool:
        if type(v) is str:
            return search(v) is not None
        if type(v) is list:
            return any(type(e) is str and search(e) is not None for e in v)
        return False

    return test


class MatchCondition(NamedTuple):
    """One query condition, as plain data: a path, the positive comparison — ``eq`` (``value``
    a value), ``in`` (a tuple of values) or ``regex`` (a tuple of patterns, any of them, as
    :func:`search_patterns` joins them) —
    and whether it is negated.  Its test is built when the stage runs (:func:`condition_test`);
    ``eq``/``in`` on a stored scalar column are compared in C instead."""

    parts: tuple[str, ...]
    op: str
    value: Any
    negated: bool


def condition_test(cond: MatchCondition) -> ValueTest:
    """The positive test of one reached value (a ``regex`` condition's patterns were already
    joined where they can be, when the request was parsed: :func:`search_patterns`)."""
    if cond.op == "eq":
        return eq_test(cond.value)
    if cond.op == "in":
        return in_test(cond.value)
    return _any_pattern(cond.value)


def _any_pattern(patterns: Sequence[str]) -> ValueTest:
    tests = [regex_test(p) for p in patterns]
    return tests[0] if len(tests) == 1 else (lambda v: any(t(v) for t in tests))


def search_patterns(patterns: Sequence[str]) -> tuple[str, ...]:
    """The contain family's ``.*value.*`` patterns as the searches that answer them: one, when
    they can share it.

    Whether ``.*V.*`` finds a match is whether ``V`` does (both ``.*`` may match nothing),
    and searching ``.*V.*`` backtracks over every start and end (n^2 in the text length);
    so each pattern that parses as ``.*``, V, ``.*`` is searched as V, and all of them as
    one alternation: 32 patterns over 100k rows' error messages took 1.5 s one by one
    (``benchmarks/limits_probe.py``).  A pattern of any other shape (a top-level ``|`` in
    its value, a value ending in a backslash) is searched as it is.  Worked out once, when
    the request is parsed (two ``sre_parse`` passes per pattern).
    """
    bodies = [_contained(p) for p in patterns]
    if all(b is not None for b in bodies):
        joined = "|".join(f"(?:{b})" for b in bodies)
        try:
            re.compile(joined)
            return (joined,)
        except (re.error, OverflowError, RecursionError):  # e.g. one group name in two patterns
            pass
    return tuple(patterns)


def _contained(pattern: str) -> str | None:
    """V of a pattern written ``.*V.*`` that parses as ``.*``, V, ``.*`` (else None)."""
    if not (pattern.startswith(".*") and pattern.endswith(".*")) or len(pattern) < 4:
        return None
    body = pattern[2:-2]
    try:
        whole = _tree(sre_parser.parse(pattern))
        inner = _tree(sre_parser.parse(body))
    except (re.error, OverflowError, RecursionError, ValueError):
        return None
    return body if whole == _ANY_RUN + inner + _ANY_RUN else None


def _tree(items: Any) -> list:
    """A parsed pattern as nested lists, comparable by value (its sub-patterns are not)."""
    return [(op, tuple(_tree(a) if isinstance(a, sre_parser.SubPattern) else a for a in arg)
             if type(arg) is tuple else arg) for op, arg in items]


_ANY_RUN = _tree(sre_parser.parse(".*"))


def _leaves(value: Any, parts: tuple[str, ...]) -> list:
    return query_leaves(value, parts, positional=True)


#: ``bytes.translate`` table swapping 0 and 1.
_NOT = bytes([1, 0]) + bytes(254)
_SCALARS = (str, int, float)


def _holds(cond: MatchCondition, frame: Frame) -> bytes:
    """A 0/1 vector: does each document satisfy the condition."""
    hits = _scalar_hits(cond, frame)
    if hits is None:
        hits = bytes(_tested(cond, frame))
    return hits.translate(_NOT) if cond.negated else hits


def _tested(cond: MatchCondition, frame: Frame) -> list[bool]:
    parts, test = cond.parts, condition_test(cond)
    if len(parts) == 1:
        return [test(v) for v in frame.values(parts)]
    if type(frame) is ColumnFrame:
        bases = frame.values(parts[:1])
        rest = parts[1:]
        reached = [_leaves(v, rest) for v in bases]
    else:
        reached = [_leaves(d, parts) for d in frame.docs()]
    return [any(test(v) for v in leaves) if leaves else test(MISSING) for leaves in reached]


def _scalar_hits(cond: MatchCondition, frame: Frame) -> bytes | None:
    """``eq``/``in`` on a stored string or integer column, compared in C (None: not applicable)."""
    if type(frame) is not ColumnFrame or not _scalar_applies(cond, frame):
        return None
    return _column_hits(cond, frame.column(cond.parts[0]))


def _column_hits(cond: MatchCondition, col: Values) -> bytes:
    """``eq``/``in`` (one that ``_scalar_applies`` to) tested on each value of ``col`` in C."""
    if cond.op == "eq":
        return bytes(map(eq, col, repeat(cond.value)))
    wanted = set(cond.value)
    if None in wanted:
        wanted.add(MISSING)
    return bytes(map(wanted.__contains__, col))


def _scalar_applies(cond: MatchCondition, frame: Frame) -> bool:
    if cond.op == "regex" or len(cond.parts) != 1 or type(frame) is not ColumnFrame:
        return False
    name = cond.parts[0]
    field = FIELDS.get(name)
    if field is None or field.kind not in (STR, INT) or name in frame.overrides:
        return False
    if cond.op == "eq":
        return type(cond.value) in _SCALARS
    return all(type(x) in _SCALARS or x is None for x in cond.value)


def _match_selection(conditions: tuple, frame: ColumnFrame) -> ColumnFrame | None:
    """Stored rows held as a 0/1 selection, all conditions C-testable: AND whole-column tests with it."""
    sel = frame.sel
    if sel is None or frame._rows is not None or not getattr(sel, "is_dense", False):
        return None
    if not all(_scalar_applies(c, frame) for c in conditions):
        return None
    n = len(sel.mask())
    acc = int.from_bytes(sel.mask(), "little")
    for cond in conditions:
        hits = _column_hits(cond, frame.table.columns[cond.parts[0]])
        if cond.negated:
            hits = hits.translate(_NOT)
        acc &= int.from_bytes(hits, "little")
    return ColumnFrame(frame.table, sel=Selection(n, mask=acc.to_bytes(n, "little")))


class MatchStage(NamedTuple):
    """An AND of conditions."""

    conditions: tuple[MatchCondition, ...]

    def apply(self, frame: Frame) -> Frame:
        n = len(frame)
        if n == 0:
            return frame
        if type(frame) is ColumnFrame:
            selected = _match_selection(self.conditions, frame)
            if selected is not None:
                return selected
        keep: bytes | None = None
        for cond in self.conditions:
            hits = _holds(cond, frame)
            if keep is None:
                keep = hits
            else:
                both = int.from_bytes(keep, "little") & int.from_bytes(hits, "little")
                keep = both.to_bytes(n, "little")
        if keep is None or keep.count(0) == 0:
            return frame
        return frame.take(list(compress(range(n), keep)))
