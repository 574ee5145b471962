"""The stat pipeline's ``match`` stage (and ``unwind``'s ``filter``) as a SQL condition.

spaceone-core builds this query itself (``stat/match.py``): ``eq``/``not``
are ``{path: value}`` / ``$ne``, ``in``/``not_in`` are ``$in``/``$nin``, by
MongoDB equality (same type bracket; numbers across int and float; null also
matches missing).  On the typed columns that is a comparison or a constant.
The contain family there is an unescaped, case-sensitive MongoDB regex of the
caller's text, which is refused, as are paths into ``errors`` that are not
unwound (arrays of elements).
"""

from __future__ import annotations

from typing import Any

from sqlglot import exp

from ..schema import ERRORS, FIELDS, INT, STR
from .dialects import INT64_MAX, INT64_MIN
from .refusals import refuse
from .where import FALSE, TRUE, _and, _not, _or, _total

__all__ = ["match_sql"]


def _column(parts: tuple[str, ...], unwound_column: str | None, engine: str, what: str) -> tuple[Any, str, bool]:
    """(column expression or None for a path no document has, kind, NULL means missing)."""
    f = FIELDS.get(parts[0])
    if f is None:
        return None, STR, True
    if len(parts) == 1 and f.kind != ERRORS:
        return exp.column(f.name), f.kind, not f.nullable
    if unwound_column and len(parts) == 2 and parts[1] in ("error_code", "message"):
        return exp.Dot(this=exp.column(unwound_column), expression=exp.to_identifier(parts[1])), STR, True
    raise refuse(what, engine, f"key = {'.'.join(parts)}")


def _equals(col: Any, kind: str, q: Any) -> exp.Condition:
    """MongoDB equality of the stored value with ``q``."""
    if q is None:
        return TRUE if col is None else exp.Is(this=col, expression=exp.null())
    if col is None:
        return FALSE
    if kind == STR and type(q) is str:
        return _total(exp.EQ(this=col, expression=exp.Literal.string(q)), col)
    if kind == INT and type(q) in (int, float):
        if type(q) is float and not q.is_integer():
            return FALSE
        q = int(q)
        if not INT64_MIN <= q <= INT64_MAX:
            return FALSE
        return _total(exp.EQ(this=col, expression=exp.Literal.number(q)), col)
    return FALSE  # another type bracket (datetimes never equal a JSON value)


def match_sql(stage: Any, unwound_column: str | None, engine: str, what: str) -> exp.Condition:
    """An AND of the stage's conditions (``stat.match.MatchCondition``: parts, negated, op, value)."""
    parts = []
    for cond in stage.conditions:
        if cond.op not in ("eq", "in"):
            raise refuse(what, engine, f"key = {'.'.join(cond.parts)} (contain family: unescaped case-sensitive regex)")
        col, kind, _ = _column(cond.parts, unwound_column, engine, what)
        values = cond.value if cond.op == "in" else [cond.value]
        test = _or([_equals(col, kind, q) for q in values])
        parts.append(_not(test) if cond.negated else test)
    return _and(parts)


