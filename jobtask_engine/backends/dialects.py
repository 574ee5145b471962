"""What differs between the SQL engines, in one place: names, functions, literals.

Everything else the compiler emits is one sqlglot tree that sqlglot writes in
either dialect.
"""

from __future__ import annotations

import datetime as _dt
from typing import Final, NamedTuple

from sqlglot import exp

from ..timeutil import EPOCH

__all__ = ["Dialect", "DUCKDB", "SPARK", "DIALECTS", "timestamp_literal", "INT64_MIN", "INT64_MAX"]

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


class Dialect(NamedTuple):
    engine: str  # the name refusals use
    sqlglot: str  # sqlglot's dialect name

    def epoch_ms(self, ts: exp.Expr) -> exp.Expr:
        """Epoch milliseconds of a TIMESTAMP column (results carry datetimes as integers: no time zones)."""
        if self.engine == "spark":
            return exp.Anonymous(this="unix_millis", expressions=[exp.cast(ts, exp.DataType.build("TIMESTAMP"))])
        return exp.Anonymous(this="epoch_ms", expressions=[ts])

    def timestamp_type(self) -> exp.DataType:
        return exp.DataType.build("TIMESTAMPNTZ" if self.engine == "spark" else "TIMESTAMP")

    def sql(self, tree: exp.Expr) -> str:
        return tree.sql(dialect=self.sqlglot)


DUCKDB: Final = Dialect("duckdb", "duckdb")
SPARK: Final = Dialect("spark", "spark")
DIALECTS: Final = {"duckdb": DUCKDB, "spark": SPARK}


def timestamp_literal(ms: int, dialect: Dialect) -> exp.Expression:
    """A TIMESTAMP literal for epoch milliseconds (UTC, naive, as the table stores them)."""
    text = (EPOCH + _dt.timedelta(milliseconds=ms)).isoformat(sep=" ", timespec="milliseconds")
    return exp.cast(exp.Literal.string(text), dialect.timestamp_type())
