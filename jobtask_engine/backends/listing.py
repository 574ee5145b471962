"""``list`` as SQL: the page query and the count query, from a parsed request.

Order: the requested keys (null and missing first ascending, last
descending, as MongoDB orders them; an unknown key orders nothing; ``id``
is insertion order), then insertion order (``row_no``), which is how the
in-memory engine breaks ties; with no sort, ``created_at`` descending.
"""

from __future__ import annotations

from typing import NamedTuple

from sqlglot import exp

from ..query.search import SearchQuery, SortKey
from ..schema import DATETIME, ERRORS, FIELDS
from .dialects import Dialect
from .engine_parts import sub_projection
from .refusals import refuse
from .schema import ROW_NO

__all__ = ["ListSql", "compile_list"]


class ListSql(NamedTuple):
    count_query: exp.Select
    page: exp.Select | None  # None: count_only
    fields: tuple[str, ...]  # the page's columns, JobTaskInfo order


def _order(sort: tuple[SortKey, ...], dialect: Dialect) -> list[exp.Ordered]:
    keys = sort or (SortKey("created_at", None, True),)
    out = []
    for s in keys:
        if s is keys[0] and not sort:
            name = "created_at"
        elif s.path is None:
            continue  # every row ties on a key the model does not know
        elif s.path.field == "_row":
            name = ROW_NO
        elif s.path.kind == ERRORS or s.path.in_array:
            raise refuse("sort", dialect.engine, f"key = {s.key}")
        else:
            name = s.path.field
        out.append(exp.Ordered(this=exp.column(name), desc=s.desc, nulls_first=not s.desc))
    out.append(exp.Ordered(this=exp.column(ROW_NO), desc=False, nulls_first=True))
    return out


def page_columns(projection: tuple[str, ...] | None) -> tuple[str, ...]:
    if projection is None:
        return tuple(FIELDS)
    fields, _ = sub_projection(projection)
    return tuple(fields)


def select_column(name: str, dialect: Dialect) -> exp.Expr:
    """A stored column as results carry it (datetimes as epoch milliseconds)."""
    col = exp.column(name)
    if FIELDS[name].kind == DATETIME:
        return exp.alias_(dialect.epoch_ms(col), name)
    return col


def _paged(query: exp.Select, q: SearchQuery, dialect: Dialect) -> exp.Select:
    if q.limit is not None:
        query = query.limit(q.limit)
    if q.start:
        if q.limit is None and dialect.engine == "spark":
            query = query.limit(2**31 - 1)  # Spark needs a LIMIT before an OFFSET
        query = query.offset(q.start)
    return query


def compile_list(query: SearchQuery, where: exp.Expr, table: exp.Table, dialect: Dialect) -> ListSql:
    """The count, and the page: with a limit, the page's row numbers are found first (ordering
    only the sort columns) and its columns read for those rows alone (two-phase), which keeps a
    deep or wide page from carrying every column of every match through the sort."""
    count = exp.select(exp.Count(this=exp.Star())).from_(table.copy()).where(where.copy())
    fields = page_columns(query.projection)
    if query.count_only:
        return ListSql(count, None, fields)
    order = _order(query.sort, dialect)
    columns = [select_column(f, dialect) for f in fields]
    if query.limit is None:
        page = _paged(exp.select(*columns).from_(table.copy()).where(where.copy()).order_by(*order), query, dialect)
        return ListSql(count, page, fields)
    rows = _paged(exp.select(exp.column(ROW_NO)).from_(table.copy()).where(where.copy()).order_by(*order), query, dialect)
    page = exp.select(*columns).from_(table.copy()).where(exp.In(this=exp.column(ROW_NO), query=rows.subquery()))
    return ListSql(count, page.order_by(*[o.copy() for o in order]), fields)
