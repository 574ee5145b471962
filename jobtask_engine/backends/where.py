"""Filter conditions (the parser's ``Condition`` lists) as one SQL boolean expression.

The request was parsed and checked by the engine's own parser
(``request.parse_list_parts`` / ``parse_stat_parts``); each condition is
resolved and its value converted by the same functions the in-memory engine
uses (``resolve_path``, ``prepare_value``), and only then turned into SQL.

Every test built here is two-valued (never SQL NULL), so ``NOT`` is exactly
MongoDB's complement: ``not``, ``not_in``, ``not_contain`` and ``exists false``
match rows whose field is null or missing.  The schema's rule makes NULL
unambiguous (``schema.py`` of this package).  Values of another BSON type
than the column's never compare (type bracketing), so such a comparison is
the constant it always is.  On ``errors.<sub>`` a test holds when any element
satisfies it; an empty array satisfies nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from sqlglot import exp

from ..query.conditions import OPERATORS, UNKNOWN, Condition, Path, prepare_value, resolve_path
from ..schema import DATETIME, ERRORS, FIELDS, INT, STR
from .dialects import INT64_MAX, INT64_MIN, Dialect, timestamp_literal
from .refusals import refuse
from .regex import NotPortable, check_portable, spell

__all__ = ["where_clause", "condition_sql"]

TRUE = exp.true()
FALSE = exp.false()
#: The lambda variable of one ``errors`` element.
ELEMENT = "e"
_SPARK_MAX_DIGITS = 38


def where_clause(all_of: tuple[Condition, ...], any_of: tuple[Condition, ...], dialect: Dialect) -> exp.Condition:
    """``all_of`` AND-ed, AND (when given) ``any_of`` OR-ed."""
    parts = [condition_sql(c, dialect) for c in all_of]
    if any_of:
        parts.append(_or([condition_sql(c, dialect) for c in any_of]))
    return _and(parts)


def _and(parts: list[exp.Condition]) -> exp.Condition:
    if any(p is FALSE for p in parts):
        return FALSE
    parts = [p for p in parts if p is not TRUE]
    return exp.and_(*parts) if parts else TRUE


def _or(parts: list[exp.Condition]) -> exp.Condition:
    if any(p is TRUE for p in parts):
        return TRUE
    parts = [p for p in parts if p is not FALSE]
    return exp.or_(*parts) if parts else FALSE


def _not(e: exp.Condition) -> exp.Condition:
    if e is TRUE:
        return FALSE
    if e is FALSE:
        return TRUE
    return exp.not_(exp.paren(e))


def condition_sql(cond: Condition, dialect: Dialect) -> exp.Condition:
    """One condition; the refusals name the operator as the caller wrote it."""
    _, op = OPERATORS[cond.operator]
    if op == "regex":
        return _regex(cond, dialect)
    path = resolve_path(cond.key)
    if op == "match":
        raise refuse("match", dialect.engine, cond.label)
    if path.kind in ("dict", "any"):
        raise refuse("errors.additional", dialect.engine, cond.label)
    if op == "exists":
        return _exists(path, cond.value)
    if path.kind == ERRORS:
        return _errors_whole(op, cond.value, cond, dialect)
    value = prepare_value(path, op, cond.value, cond.key)
    if op in ("contain", "not_contain"):
        values = value if isinstance(value, list) else [value]
        return _or([_contain(path, op, v, cond, dialect) for v in values])
    positive, negate = {"ne": ("eq", True), "nin": ("in", True)}.get(op, (op, False))
    test = _scalar(path, positive, value, dialect)
    return _not(_on_path(path, test)) if negate else _on_path(path, test)


# -- where a test applies -------------------------------------------------------------

Test = Callable[[exp.Expr], exp.Condition]


def _on_path(path: Path, test: Test | exp.Boolean) -> exp.Condition:
    """A test of the path's value: the column, or any element of ``errors`` (constants for unknown sub-fields)."""
    if isinstance(test, exp.Expression):
        if path.in_array and test is TRUE:
            return _not_empty()
        return test
    if not path.in_array:
        return test(exp.column(path.field))
    if path.kind == UNKNOWN:
        # every element lacks the sub-field: a test that holds for null holds for each element
        holds = test(exp.null())
        return FALSE if holds is FALSE else _not_empty()
    body = test(exp.Dot(this=exp.column(ELEMENT), expression=exp.to_identifier(path.sub[0])))
    if body is FALSE:
        return FALSE
    if body is TRUE:
        return _not_empty()
    lam = exp.Lambda(this=body, expressions=[exp.to_identifier(ELEMENT)])
    matched = exp.ArrayFilter(this=exp.column("errors"), expression=lam)
    return exp.GT(this=exp.ArraySize(this=matched), expression=exp.Literal.number(0))


def _not_empty() -> exp.Condition:
    return exp.GT(this=exp.ArraySize(this=exp.column("errors")), expression=exp.Literal.number(0))


# -- scalar tests -------------------------------------------------------------------


def _null_test(op: str) -> Test | exp.Boolean:
    """A null query value: eq/gte/lte match null and missing, gt/lt nothing."""
    if op in ("eq", "gte", "lte"):
        return lambda col: exp.Is(this=col, expression=exp.null())
    return FALSE


def _scalar(path: Path, op: str, v: Any, dialect: Dialect) -> Test | exp.Boolean:
    if op == "in":
        tests = [_scalar(path, "eq", x, dialect) for x in v]
        consts = [t for t in tests if isinstance(t, exp.Expression)]
        funcs = [t for t in tests if not isinstance(t, exp.Expression)]
        if any(t is TRUE for t in consts):
            return TRUE
        if not funcs:
            return FALSE
        return lambda col: _or([f(col) for f in funcs])
    if v is None:
        return _null_test(op)
    if path.kind == UNKNOWN:
        return FALSE  # only null reaches here for unknown sub-fields
    literal = _literal(path.kind, v, op, dialect)
    if literal is TRUE or literal is FALSE:
        return literal
    make = {"eq": exp.EQ, "lt": exp.LT, "lte": exp.LTE, "gt": exp.GT, "gte": exp.GTE}[op]
    return lambda col: _total(make(this=col, expression=literal), col)


def _total(test: exp.Condition, col: exp.Expr) -> exp.Condition:
    """``col IS NOT NULL AND test``: a comparison with a NULL column is false, not unknown."""
    return exp.and_(exp.Not(this=exp.Is(this=col, expression=exp.null())), test)


def _literal(kind: str, v: Any, op: str, dialect: Dialect) -> Any:
    """The SQL literal of a converted value, or the constant the comparison always is."""
    if kind == STR:
        return exp.Literal.string(v) if type(v) is str else FALSE
    if kind == INT:
        if not INT64_MIN <= v <= INT64_MAX:
            above = v > INT64_MAX
            return {"eq": FALSE, "gt": FALSE, "gte": FALSE, "lt": TRUE, "lte": TRUE}[op] if above else \
                {"eq": FALSE, "gt": TRUE, "gte": TRUE, "lt": FALSE, "lte": FALSE}[op]
        return exp.Literal.number(v)
    if kind == DATETIME:
        return timestamp_literal(v, dialect) if type(v) is int else FALSE
    return FALSE


def _contain(path: Path, op: str, v: Any, cond: Condition, dialect: Dialect) -> exp.Condition:
    """Case-insensitive literal search on strings; on integers and datetimes the reference's equality."""
    negate = op == "not_contain"
    if path.kind in (INT, DATETIME) or not isinstance(v, str):
        return _on_path(path, _scalar(path, "eq", v, dialect))
    if path.kind == UNKNOWN:
        return _on_path(path, FALSE)
    if not v.isascii():
        raise refuse("contain", dialect.engine, cond.label)
    needle = v.lower()

    def test(col: exp.Expr) -> exp.Condition:
        if not needle:
            return exp.Not(this=exp.Is(this=col, expression=exp.null()))
        found = exp.GT(
            this=exp.StrPosition(this=exp.Lower(this=col), substr=exp.Literal.string(needle)),
            expression=exp.Literal.number(0),
        )
        return _total(found, col)

    found = _on_path(path, test)
    return _not(found) if negate else found


def _regex(cond: Condition, dialect: Dialect) -> exp.Condition:
    patterns = cond.value if isinstance(cond.value, list) else [cond.value]
    for p in patterns:
        try:
            check_portable(p)
        except NotPortable as exc:
            raise refuse("regex", dialect.engine, f"{exc}: {cond.label}") from None
    try:
        path = resolve_path(cond.key)
    except Exception:
        return FALSE  # MongoDB matches nothing on an unknown field
    if path.kind in ("dict", "any"):
        raise refuse("errors.additional", dialect.engine, cond.label)
    if path.kind != STR:
        return FALSE  # only strings match a pattern
    if path.in_array and path.kind == UNKNOWN:
        return FALSE

    def test(col: exp.Expr) -> exp.Condition:
        return _or([
            _total(exp.RegexpLike(this=col, expression=exp.Literal.string(spell(p, dialect.engine))), col)
            for p in patterns
        ])

    return _on_path(path, test)


def _exists(path: Path, want: bool) -> exp.Condition:
    """Stored or not: NULL means "not stored" only in non-nullable columns and in errors elements."""
    found: exp.Condition
    if path.in_array:
        if path.kind == UNKNOWN:
            found = FALSE
        else:
            found = _on_path(path, lambda col: exp.Not(this=exp.Is(this=col, expression=exp.null())))
    elif FIELDS[path.field].nullable or path.kind in (ERRORS, INT):
        found = TRUE
    else:
        found = exp.Not(this=exp.Is(this=exp.column(path.field), expression=exp.null()))
    return found if want else _not(found)


def _errors_whole(op: str, value: Any, cond: Condition, dialect: Dialect) -> exp.Condition:
    """``errors`` compared with whole Error documents (the reference's embedded-document conversion)."""
    if value is None and op in ("eq", "ne", "contain", "lt", "lte", "gt", "gte"):
        return TRUE if op == "ne" else FALSE
    values = value if isinstance(value, list) else [value]
    tests = []
    found: exp.Condition
    for doc in values:
        if doc is None:
            continue
        test = _element_equals(doc, cond, dialect)
        if test is not FALSE:
            tests.append(test)
    if not tests:
        found = FALSE
    else:
        lam = exp.Lambda(this=_or(tests), expressions=[exp.to_identifier(ELEMENT)])
        matched = exp.ArrayFilter(this=exp.column("errors"), expression=lam)
        found = exp.GT(this=exp.ArraySize(this=matched), expression=exp.Literal.number(0))
    return _not(found) if op == "nin" else found


def _element_equals(doc: dict, cond: Condition, dialect: Dialect) -> exp.Condition:
    """An element equal to the converted document: same stored sub-fields, same values."""
    additional = doc.get("additional")
    if additional is not None and additional != {}:
        if isinstance(additional, dict):
            raise refuse("errors whole-element value", dialect.engine, cond.label)
        return FALSE  # a stored additional is always an object
    parts: list[exp.Condition] = []
    for name in ("error_code", "message"):
        col = exp.Dot(this=exp.column(ELEMENT), expression=exp.to_identifier(name))
        want = doc.get(name)
        if want is None:
            parts.append(exp.Is(this=col, expression=exp.null()))
        elif type(want) is not str:
            return FALSE
        else:
            parts.append(exp.NullSafeEQ(this=col, expression=exp.Literal.string(want)))
    parts.append(exp.EQ(
        this=exp.Dot(this=exp.column(ELEMENT), expression=exp.to_identifier("additional")),
        expression=exp.Literal.string("{}"),
    ))
    return exp.and_(*parts)
