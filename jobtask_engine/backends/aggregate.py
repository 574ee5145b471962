"""``stat`` as SQL: the part of the pipeline a SQL engine does best, the rest by the engine's stages.

A stat pipeline starts on the stored documents; its expensive part is the
scan, the optional ``unwind`` of ``errors`` and the first ``group`` (or
``count``): that is compiled to one SQL query.  Its answer is a handful of
group documents, built exactly as the in-memory engine builds them (keys
whose value is missing left out of ``_id``, datetimes as datetimes) and
ordered as it orders them (``finish_groups``: BSON order of ``_id``); every
later stage (sort, limit, skip, project, a second group...) then runs through
the engine's own stage objects, so their semantics are shared, not
re-implemented.  ``distinct`` is one ``SELECT DISTINCT`` whose values are
ordered as the engine orders them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, NamedTuple, Sequence

from sqlglot import exp

from ..schema import DATETIME, ERRORS, FIELDS, INT, STR
from ..stat.expressions import DatePart, DateToString, PathExpr
from ..stat.group import GroupField, GroupKey, GroupStage
from ..stat.match import MatchStage
from ..stat.parse import StatPlan
from ..stat.stages import CountStage, UnwindStage
from .dialects import Dialect
from .engine_parts import MISSING, SPEC_OF, ms_to_dt
from .match import match_sql
from .schema import ROW_NO
from .refusals import refuse

__all__ = ["StatSql", "compile_stat"]

_UNWOUND = "_e"  # the unwound errors element's column


class StatSql(NamedTuple):
    """One SQL query, how its rows become pipeline documents, and the stages left for the engine."""

    query: exp.Select
    to_docs: Callable[[Sequence[Sequence[Any]]], list]
    tail: tuple
    kind: str  # "group", "count" or "distinct"


# -- values ---------------------------------------------------------------------------


class _Value(NamedTuple):
    """A pipeline value read from SQL: the expression (None: always missing) and its conversion."""

    sql: exp.Expr | None
    kind: str  # the schema kind of the value
    null_is_missing: bool


def _field_value(path: str, unwound: bool, engine: str, what: str) -> _Value:
    parts = path.split(".")
    f = FIELDS.get(parts[0])
    if f is None:
        return _Value(None, STR, True)  # a field no document has
    if len(parts) == 1 and f.kind != ERRORS:
        return _Value(exp.column(f.name), f.kind, not f.nullable)
    if unwound and len(parts) == 2 and parts[1] in ("error_code", "message"):
        return _Value(exp.Dot(this=exp.column(_UNWOUND), expression=exp.to_identifier(parts[1])), STR, True)
    raise refuse(what, engine, f"key = {path}")


def _out(value: _Value, dialect: Dialect) -> exp.Expr:
    assert value.sql is not None  # a value some document has (its callers read the others as constants)
    if value.kind == DATETIME:
        return dialect.epoch_ms(value.sql)
    return value.sql


def _convert(kind: str, null_is_missing: bool) -> Callable[[Any], Any]:
    if kind == DATETIME:
        return lambda v: (MISSING if null_is_missing else None) if v is None else ms_to_dt(v)
    return lambda v: (MISSING if null_is_missing else None) if v is None else v


# -- group keys -------------------------------------------------------------------------


def _date_format(pieces: list, dialect: Dialect, source: str) -> str:
    duck = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "M": "%M", "S": "%S", "L": "%g", "j": "%j"}
    java = {"Y": "yyyy", "m": "MM", "d": "dd", "H": "HH", "M": "mm", "S": "ss", "L": "SSS", "j": "DDD"}
    out = []
    for p in pieces:
        if type(p) is str:
            if dialect.engine == "spark":
                out.append("'" + p.replace("'", "''") + "'")
            else:
                out.append(p.replace("%", "%%"))
            continue
        letter = SPEC_OF.get(p)
        if letter not in duck:
            raise refuse("aggregate.group.keys.date_format", dialect.engine, f"date_format = {source}")
        out.append((java if dialect.engine == "spark" else duck)[letter])
    return "".join(out)


def _group_key(key: GroupKey, unwound: bool, dialect: Dialect) -> tuple[exp.Expr | None, Callable[[Any], Any]]:
    e = key.expr
    what = "aggregate.group.keys"
    if type(e) is PathExpr:
        value = _field_value(e.path, unwound, dialect.engine, what)
        if value.sql is None:
            return None, lambda v: MISSING
        return _out(value, dialect), _convert(value.kind, value.null_is_missing)
    if (type(e) is DatePart or type(e) is DateToString) and type(e.arg) is PathExpr:
        value = _field_value(e.arg.path, unwound, dialect.engine, what)
        if value.sql is None:
            return None, lambda v: None  # a date of a missing value is null
        if value.kind != DATETIME:
            raise refuse(what, dialect.engine, f"a date of the non-datetime field {e.arg.path}")
        if type(e) is DatePart:
            make = {"year": exp.Year, "month": exp.Month, "day": exp.Day}[e.unit]
            return make(this=value.sql), lambda v: v
        if type(e) is DateToString:
            fmt = exp.Literal.string(_date_format(e.fmt.pieces, dialect, e.fmt.source))
            if dialect.engine == "spark":
                sql: exp.Expr = exp.Anonymous(this="date_format", expressions=[value.sql, fmt])
            else:
                sql = exp.Anonymous(this="strftime", expressions=[value.sql, fmt])
            return sql, lambda v: v
    raise refuse(what, dialect.engine, f"key = {key.name}")


# -- group fields ------------------------------------------------------------------------


def _sum_sql(sql: exp.Expr) -> exp.Expr:
    # DECIMAL(38,0): a sum of int64 values never overflows (Spark's ANSI mode fails on BIGINT overflow)
    return exp.Sum(this=exp.cast(sql, exp.DataType.build("DECIMAL(38, 0)")))


def _fit(total: Any) -> Any:
    """An integer sum that leaves int64 becomes a double, as the engine (and MongoDB) do."""
    total = int(total)
    return float(total) if not -(2**63) <= total < 2**63 else total


#: Group operators that read the documents in input order (insertion order: ``row_no``).
_IN_ORDER = ("first", "last", "push", "add_to_set")


def _pair(item: Any) -> tuple[Any, Any]:
    """(row_no, value) of a struct DuckDB (dict) or Spark (Row) returned."""
    return (item["r"], item["v"]) if isinstance(item, dict) else (item[0], item[1])


def _ordered_struct(value: _Value, dialect: Dialect) -> exp.Expr:
    return exp.Struct(expressions=[
        exp.PropertyEQ(this=exp.to_identifier("r"), expression=exp.column(ROW_NO)),
        exp.PropertyEQ(this=exp.to_identifier("v"), expression=_out(value, dialect)),
    ])


def _in_order(f: GroupField, path: str, value: _Value, dialect: Dialect) -> tuple[list[exp.Expr], Callable[[list], Any]]:
    """first/last: the value of the first/last document (missing -> null); push/add_to_set: the values
    in input order (missing ones left out; add_to_set keeps first occurrences)."""
    if value.sql is not None and value.sql.find(exp.Dot) is not None:
        # unwound element values: their order inside one stored document is not kept by the SQL engines
        raise refuse("aggregate.group.fields", dialect.engine, f"aggregate.group.fields.{f.operator} of {path}")
    if value.sql is None:
        return [], (lambda vs: None) if f.operator in ("first", "last") else (lambda vs: [])
    convert = _convert(value.kind, value.null_is_missing)
    if f.operator in ("first", "last"):
        make = exp.Min if f.operator == "first" else exp.Max
        one = _convert(value.kind, False)
        return [make(this=_ordered_struct(value, dialect))], lambda vs: one(_pair(vs[0])[1])
    unique = f.operator == "add_to_set"

    def finish(vs: list) -> list:
        items = [convert(v) for _, v in sorted(map(_pair, vs[0] or ()), key=lambda p: p[0])]
        items = [v for v in items if v is not MISSING]
        return list(dict.fromkeys(items)) if unique else items

    return [exp.ArrayAgg(this=_ordered_struct(value, dialect))], finish


def _group_field(f: GroupField, unwound: bool, dialect: Dialect) -> tuple[list[exp.Expr], Callable[[list], Any]]:
    """SQL aggregates for one field, and how their values (a list) become the field's value."""
    what = f"aggregate.group.fields.{f.operator}"
    if f.operator == "count" and f.expr is None:
        return [exp.Count(this=exp.Star())], lambda vs: vs[0]
    if f.operator not in ("sum", "average", "max", "min", *_IN_ORDER) or type(f.expr) is not PathExpr:
        raise refuse("aggregate.group.fields", dialect.engine, f"{what} (name = {f.name})")
    value = _field_value(f.expr.path, unwound, dialect.engine, "aggregate.group.fields")
    if f.operator in _IN_ORDER:
        return _in_order(f, f.expr.path, value, dialect)
    if f.operator == "sum":
        if value.sql is None or value.kind != INT:  # not numeric
            return [], lambda vs: 0
        return [_sum_sql(value.sql)], lambda vs: _fit(vs[0])
    if f.operator == "average":
        if value.sql is None or value.kind != INT:  # not numeric
            return [], lambda vs: None
        # the engine divides the exact integer sum by the count in floating point
        return [_sum_sql(value.sql), exp.Count(this=exp.Star())], lambda vs: int(vs[0]) / float(vs[1])
    if value.sql is None:
        return [], lambda vs: None
    make = exp.Max if f.operator == "max" else exp.Min
    convert = _convert(value.kind, False)
    return [make(this=_out(value, dialect))], lambda vs: convert(vs[0])


# -- the head query ----------------------------------------------------------------------


def _source(where: exp.Expr, table: exp.Table, unwound: bool, after: exp.Expr | None = None,
            before: exp.Expr | None = None) -> exp.Subquery:
    """The documents the head stage reads: matched rows (``before``: match stages on them), unwound,
    then filtered by ``after`` (the unwind's filter)."""
    if before is not None:
        where = exp.and_(where, before)
    if not unwound:
        return exp.select("*").from_(table.copy()).where(where.copy()).subquery("src")
    explode = exp.alias_(exp.Explode(this=exp.column("errors")), _UNWOUND)
    inner = exp.select("*", explode).from_(table.copy()).where(where.copy())
    if after is None:
        return inner.subquery("src")
    return exp.select("*").from_(inner.subquery("unwound")).where(after).subquery("src")


class _Head(NamedTuple):
    unwound: bool
    before: exp.Expr | None  # match stages on the stored documents
    after: exp.Expr | None  # match stages on the unwound documents
    stage: Any  # the group or count stage
    tail: tuple


def _head(stages: tuple, engine: str) -> _Head:
    """Leading match stages, an optional unwind of errors with its filters, then a group or count."""
    i = 0
    unwound = False
    before: list = []
    after: list = []
    while i < len(stages) and type(stages[i]) is MatchStage:
        before.append(match_sql(stages[i], None, engine, "aggregate.match"))
        i += 1
    if i < len(stages) and type(stages[i]) is UnwindStage:
        if stages[i].path != "errors":
            raise refuse("aggregate.unwind", engine, f"path = {stages[i].path}")
        unwound = True
        i += 1
        while i < len(stages) and type(stages[i]) is MatchStage:
            after.append(match_sql(stages[i], _UNWOUND, engine, "aggregate.match"))
            i += 1
    if i >= len(stages):
        raise refuse("aggregate (stored documents)", engine, "the pipeline ends on stored documents")
    stage = stages[i]
    if type(stage) in (GroupStage, CountStage):
        both = lambda xs: exp.and_(*xs) if xs else None  # noqa: E731
        return _Head(unwound, both(before), both(after), stage, stages[i + 1 :])
    if type(stage) is UnwindStage:
        raise refuse("aggregate.unwind", engine, f"path = {stage.path}")
    raise refuse("aggregate (stored documents)", engine, type(stage).__name__)


def _compile_group(
    stage: GroupStage, src: exp.Expr, unwound: bool, dialect: Dialect
) -> tuple[exp.Select, Callable[[Sequence[Sequence[Any]]], list[dict]]]:
    key_sql: list[exp.Expr] = []
    key_conv: list[tuple[int | None, Callable[[Any], Any]]] = []
    names: list[str] = []
    for k in stage.keys:
        sql, conv = _group_key(k, unwound, dialect)
        names.append(k.name)
        key_conv.append((len(key_sql) if sql is not None else None, conv))
        if sql is not None:
            key_sql.append(sql)
    field_plans = []
    aggs: list[exp.Expr] = [exp.Count(this=exp.Star())]
    for f in stage.fields:
        sqls, finish = _group_field(f, unwound, dialect)
        field_plans.append((f.name, len(aggs), len(sqls), finish))
        aggs.extend(sqls)
    select = [exp.alias_(s, f"k{i}") for i, s in enumerate(key_sql)]
    select += [exp.alias_(a, f"a{i}") for i, a in enumerate(aggs)]
    query = exp.select(*select).from_(src)
    if key_sql:
        query = query.group_by(*[s.copy() for s in key_sql])
    query = query.having(exp.GT(this=exp.Count(this=exp.Star()), expression=exp.Literal.number(0)))
    n_keys = len(key_sql)

    def to_docs(rows: Sequence[Sequence[Any]]) -> list[dict]:
        docs = []
        for row in rows:
            ident = {}
            for name, (pos, conv) in zip(names, key_conv):
                v = conv(None if pos is None else row[pos])
                if v is not MISSING:
                    ident[name] = v
            doc: dict[str, Any] = {"_id": ident}
            for name, start, width, finish in field_plans:
                vals = [_plain_number(x) for x in row[n_keys + start : n_keys + start + width]]
                doc[name] = finish(vals)
            docs.append(doc)
        return docs

    return query, to_docs


def _plain_number(x: Any) -> Any:
    return int(x) if isinstance(x, Decimal) else x


def _nothing(table: exp.Table) -> StatSql:
    """A distinct over a path no stored value has."""
    return StatSql(exp.select(exp.Literal.number(1)).from_(table.copy()).where(exp.false()), lambda rows: [], (), "distinct")


def _compile_distinct(path: str, where: exp.Expr, table: exp.Table, dialect: Dialect) -> StatSql:
    parts = path.split(".")
    f = FIELDS.get(parts[0])
    if f is None:
        if parts[0] == "_id":
            raise refuse("distinct", dialect.engine, f"distinct = {path}")
        return _nothing(table)
    if f.kind != ERRORS:
        if len(parts) > 1:
            return _nothing(table)
        value = _Value(exp.column(f.name), f.kind, not f.nullable)
        src: exp.Expr = table.copy()
        q = exp.select(exp.alias_(_out(value, dialect), "v")).distinct().from_(src).where(where.copy())
    else:
        if len(parts) == 1 or parts[1] == "additional" or parts[1].isdigit():
            raise refuse("distinct", dialect.engine, f"distinct = {path}")
        if len(parts) > 2 or parts[1] not in ("error_code", "message"):
            return _nothing(table)  # no element has such a sub-field
        value = _field_value(path, True, dialect.engine, "distinct")
        assert value.sql is not None  # an element's error_code or message
        q = exp.select(exp.alias_(value.sql, "v")).distinct().from_(_source(where, table, True))
    conv = _convert(value.kind, value.null_is_missing)

    def to_docs(rows: Sequence[Sequence[Any]]) -> list:
        return [v for v in (conv(r[0]) for r in rows) if v is not MISSING]

    return StatSql(q, to_docs, (), "distinct")


def compile_stat(plan: StatPlan, where: exp.Expr, table: exp.Table, dialect: Dialect) -> StatSql:
    if plan.stages is None:
        assert plan.distinct is not None  # a plan is a pipeline or a distinct
        return _compile_distinct(plan.distinct, where, table, dialect)
    head = _head(plan.stages, dialect.engine)
    unwound, stage, tail = head.unwound, head.stage, head.tail
    src = _source(where, table, unwound, head.after, head.before)
    if type(stage) is CountStage:
        q = exp.select(exp.Count(this=exp.Star())).from_(src)
        name = stage.name
        return StatSql(q, lambda rows: [{name: rows[0][0]}] if rows and rows[0][0] else [], tail, "count")
    query, to_docs = _compile_group(stage, src, unwound, dialect)
    return StatSql(query, to_docs, tail, "group")

