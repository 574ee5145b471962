"""The part every SQL runner shares: parse with the engine's parser, compile, run, shape.

A runner only has to say how to run one SQL text and return its rows
(``_rows``); ``list``, ``stat`` and ``explain`` are the same for every engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from sqlglot import exp

from ..request import parse_list_parts, parse_stat_parts
from .aggregate import compile_stat
from .dialects import Dialect
from .engine_parts import DocFrame, distinct_order, finish_groups, run_pipeline, stat_response
from .listing import compile_list
from .shape import page_dicts
from .where import where_clause

if TYPE_CHECKING:
    from ..query.search import SearchQuery
    from ..stat.frames import Frame
    from ..stat.parse import StatPlan
    from .aggregate import StatSql
    from .listing import ListSql

__all__ = ["SqlRunner"]


class SqlRunner:
    """``list`` / ``stat`` answered by a SQL engine over one JobTask table, as ``JobTaskStore`` answers them."""

    dialect: Dialect
    table: str

    def _rows(self, sql: str) -> list[Sequence[Any]]:  # pragma: no cover - each engine's own
        raise NotImplementedError

    def table_expr(self) -> exp.Table:
        """The table name as quoted identifiers (``db.table`` names a table of a database)."""
        parts = [exp.to_identifier(p, quoted=True) for p in self.table.split(".")]
        return exp.Table(this=parts[-1], db=parts[-2] if len(parts) > 1 else None,
                         catalog=parts[-3] if len(parts) > 2 else None)

    # -- compiling -------------------------------------------------------------
    def _list_sql(self, params: Any) -> tuple[SearchQuery, ListSql]:
        parsed = parse_list_parts(params)
        where = where_clause(parsed.all_of, parsed.any_of, self.dialect)
        return parsed.request, compile_list(parsed.request, where, self.table_expr(), self.dialect)

    def _stat_sql(self, params: Any) -> tuple[StatPlan, StatSql]:
        parsed = parse_stat_parts(params)
        where = where_clause(parsed.all_of, parsed.any_of, self.dialect)
        return parsed.request.plan, compile_stat(parsed.request.plan, where, self.table_expr(), self.dialect)

    def explain(self, params: Any, method: str | None = None) -> str:
        """The SQL a request runs as (``method``: "list" or "stat"; guessed from the request when left out)."""
        if method is None:
            query = params.get("query") if isinstance(params, dict) else None
            method = "stat" if isinstance(query, dict) and (query.get("aggregate") or query.get("distinct")) else "list"
        if method == "stat":
            plan, compiled = self._stat_sql(params)
            text = self.dialect.sql(compiled.query)
            if compiled.tail:
                text += "\n-- then, in process: " + ", ".join(type(s).__name__ for s in compiled.tail)
            return text
        _, listed = self._list_sql(params)
        texts = [self.dialect.sql(listed.count_query)]
        if listed.page is not None:
            texts.append(self.dialect.sql(listed.page))
        return ";\n".join(texts)

    def domain_counts(self, limit: int = 6) -> dict[str, int]:
        """The commonest domain_ids and their record counts (for callers that must pick a domain)."""
        col = exp.column("domain_id")
        query = (
            exp.select(col, exp.Count(this=exp.Star())).from_(self.table_expr())
            .where(exp.Not(this=exp.Is(this=col.copy(), expression=exp.null())))
            .group_by(col.copy()).order_by(exp.Ordered(this=exp.Count(this=exp.Star()), desc=True)).limit(limit)
        )
        return {d: int(n) for d, n in self._rows(self.dialect.sql(query))}

    # -- answering -------------------------------------------------------------
    def list(self, params: Any) -> dict:
        """The JobTask API's ``list``: ``{"results": [...], "total_count": N}``."""
        query, compiled = self._list_sql(params)
        total = int(self._rows(self.dialect.sql(compiled.count_query))[0][0])
        if compiled.page is None:
            return {"results": [], "total_count": total}
        rows = self._rows(self.dialect.sql(compiled.page)) if total else []
        return {"results": page_dicts(rows, compiled.fields, query.projection), "total_count": total}

    def stat(self, params: Any) -> dict:
        """The JobTask API's ``stat``: ``{"results": [...]}`` (+ ``total_count`` when paged)."""
        plan, compiled = self._stat_sql(params)
        docs = compiled.to_docs(self._rows(self.dialect.sql(compiled.query)))
        if compiled.kind == "distinct":
            values = distinct_order(docs)
            return stat_response(plan, values=values, total=len(values))
        frame: Frame = finish_groups(docs) if compiled.kind == "group" else DocFrame(docs)
        frame, total = run_pipeline(frame, compiled.tail, plan.page)
        return stat_response(plan, frame=frame, total=total)
