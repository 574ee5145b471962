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
from typing import Any, Callable, NamedTuple

from .frames import ColumnFrame
from .values import MISSING, bson_equal

__all__ = ["Test", "MatchStage", "eq_test", "in_test", "regex_test", "negate", "any_of"]

#: A test of one reached value (a scalar or an array).
Test = Callable[[Any], bool]


def eq_test(q: Any) -> Test:
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


def in_test(values: list) -> Test:
    tests = [eq_test(q) for q in values]
    return lambda v: any(t(v) for t in tests)


def regex_test(pattern: "re.Pattern[str]") -> Test:
    search = pattern.search

    def test(v: Any) -> bool:
        if type(v) is str:
            return search(v) is not None
        if type(v) is list:
            return any(type(e) is str and search(e) is not None for e in v)
        return False

    return test


def any_of(tests: list[Test]) -> Test:
    return lambda v: any(t(v) for t in tests)


class Condition(NamedTuple):
    """One query condition: a path, a positive test, and whether it is negated."""

    parts: tuple[str, ...]
    test: Test
    negated: bool


def negate(parts: tuple[str, ...], test: Test) -> Condition:
    return Condition(parts, test, True)


def _leaves(value: Any, parts: tuple[str, ...]) -> list:
    if not parts:
        return [value]
    t = type(value)
    if t is dict:
        if parts[0] in value:
            return _leaves(value[parts[0]], parts[1:])
        return [MISSING]
    if t is list:
        out: list = []
        for e in value:
            if type(e) is dict:
                out.extend(_leaves(e, parts))
        if parts[0].isdigit():
            idx = int(parts[0])
            if idx < len(value):
                out.extend(_leaves(value[idx], parts[1:]))
        return out
    return [MISSING]


def _holds(cond: Condition, frame: Any) -> list[bool]:
    parts, test = cond.parts, cond.test
    if len(parts) == 1:
        hits = [test(v) for v in frame.values(parts)]
    else:
        if type(frame) is ColumnFrame:
            bases = frame.values(parts[:1])
            rest = parts[1:]
            reached = [_leaves(v, rest) for v in bases]
        else:
            reached = [_leaves(d, parts) for d in frame.docs()]
        hits = [any(test(v) for v in leaves) if leaves else test(MISSING) for leaves in reached]
    if cond.negated:
        return [not h for h in hits]
    return hits


class MatchStage(NamedTuple):
    """An AND of conditions."""

    conditions: tuple[Condition, ...]

    def apply(self, frame: Any) -> Any:
        keep: list[bool] | None = None
        for cond in self.conditions:
            hits = _holds(cond, frame)
            keep = hits if keep is None else [a and b for a, b in zip(keep, hits)]
        if keep is None or all(keep):
            return frame
        return frame.take([i for i, k in enumerate(keep) if k])
