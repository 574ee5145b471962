"""The JobTask table as SQL engines hold it: one typed column per field.

The in-memory engine distinguishes a field stored as null from a field not
stored at all; the schema makes that distinction per field (``schema.FIELDS``:
a nullable field is never missing, a non-nullable one is never null), so one
SQL NULL is enough and unambiguous: in a nullable column it is null, in a
non-nullable one it is "not stored".  Inside ``errors`` elements the two text
sub-fields are never stored as null (records.py drops them), so NULL there is
"missing" too; ``additional`` is always an object, kept as its JSON text
(engines disagree on maps of arbitrary JSON; text round-trips exactly).

``row_no`` is the insertion order: the in-memory engine breaks every tie by
it (MongoDB's natural order), so the SQL engines order by it last.
"""

from __future__ import annotations

from typing import Final

from ..schema import DATETIME, ERRORS, FIELDS, INT, STR

__all__ = ["check_columns", "ROW_NO", "COLUMNS", "duckdb_columns", "spark_ddl", "DUCKDB_TYPES", "SPARK_TYPES", "ERROR_SUBFIELDS"]

#: The tie-breaking column: 0-based insertion order.
ROW_NO: Final = "row_no"

#: Sub-fields of one ``errors`` element, in struct order.
ERROR_SUBFIELDS: Final = ("error_code", "message", "additional")

DUCKDB_TYPES: Final[dict[str, str]] = {
    STR: "VARCHAR",
    INT: "BIGINT",
    DATETIME: "TIMESTAMP",
    ERRORS: "STRUCT(error_code VARCHAR, message VARCHAR, additional VARCHAR)[]",
}
SPARK_TYPES: Final[dict[str, str]] = {
    STR: "STRING",
    INT: "BIGINT",
    DATETIME: "TIMESTAMP_NTZ",
    ERRORS: "ARRAY<STRUCT<error_code: STRING, message: STRING, additional: STRING>>",
}

#: Column names in table order: the JobTaskInfo fields, then ``row_no``.
COLUMNS: Final[tuple[str, ...]] = (*FIELDS, ROW_NO)


def check_columns(present: list[str], where: str) -> None:
    """Refuse a table that lacks a column of the schema (a query would fail, or worse, mean something else)."""
    from ..errors import EngineError

    missing = [c for c in COLUMNS if c not in set(present)]
    if missing:
        raise EngineError(
            "ERROR_INVALID_PARAMETER",
            f"{where} lacks the JobTask table columns {missing} (see jobtask_engine/backends/schema.py)",
        )


def duckdb_columns() -> dict[str, str]:
    """name -> DuckDB type, in table order (timestamps are UTC, millisecond precision)."""
    out = {name: DUCKDB_TYPES[f.kind] for name, f in FIELDS.items()}
    out[ROW_NO] = "BIGINT"
    return out


def spark_ddl() -> str:
    """The same table as a Spark DDL schema string."""
    parts = [f"{name} {SPARK_TYPES[f.kind]}" for name, f in FIELDS.items()]
    return ", ".join(parts + [f"{ROW_NO} BIGINT"])
