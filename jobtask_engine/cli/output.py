"""Turning a list or stat response into the text of ``--format table|json|csv|chart``."""

from __future__ import annotations

from typing import Sequence

from jobtask_engine.cli.inputs import UsageError
from jobtask_engine.cli.render import bar_chart, columns_of, numeric_columns, table, to_csv, to_json
from jobtask_engine.schema import FIELD_NAMES

__all__ = ["FORMATS", "rows_of", "default_columns", "format_response"]

FORMATS = ("table", "json", "csv", "chart")

#: What a table of full JobTaskInfo rows shows unless --columns says otherwise.
COMPACT_INFO_COLUMNS = (
    "job_task_id",
    "status",
    "provider",
    "job_id",
    "created_count",
    "updated_count",
    "deleted_count",
    "failure_count",
    "errors",
    "created_at",
    "finished_at",
)


def rows_of(response: dict) -> list[dict]:
    """The result rows; bare values (``distinct``) become ``{"value": v}`` rows."""
    results = response.get("results", [])
    return [r if isinstance(r, dict) else {"value": r} for r in results]


def default_columns(rows: Sequence[dict]) -> list[str]:
    present = columns_of(rows)
    if set(FIELD_NAMES) <= set(present):
        return [c for c in COMPACT_INFO_COLUMNS if c in present]
    return present


def _columns(rows: Sequence[dict], wanted: Sequence[str] | None, compact: bool) -> list[str]:
    if not wanted:
        return default_columns(rows) if compact else columns_of(rows)
    if list(wanted) == ["all"]:
        return columns_of(rows)
    return list(wanted)


def _chart(rows: Sequence[dict], label: str | None, value: str | None, glyph: str) -> str:
    present = columns_of(rows)
    for option, name in (("--label", label), ("--value", value)):
        if name is not None and rows and name not in present:
            raise UsageError(f"{option} {name}: no such column (columns: {', '.join(present)})")
    numeric = numeric_columns(rows)
    if value is None:
        if not numeric:
            if not rows:
                return "(no rows)"
            raise UsageError("--format chart: the result has no numeric column to chart")
        value = numeric[0]
    if label is not None:
        labels = [label]
    else:
        labels = [c for c in present if c not in numeric and c != value]
        if len(labels) > 3:
            labels = labels[:1]
    return bar_chart(rows, value, labels, glyph=glyph)


def format_response(
    response: dict,
    fmt: str,
    *,
    columns: Sequence[str] | None = None,
    label: str | None = None,
    value: str | None = None,
    glyph: str = "#",
) -> str:
    """The response in ``fmt``; the table and chart end with the total count when there is one."""
    if fmt == "json":
        return to_json(response)
    rows = rows_of(response)
    if fmt == "csv":
        return to_csv(rows, _columns(rows, columns, compact=False))
    if fmt == "table":
        text = table(rows, _columns(rows, columns, compact=True))
    elif fmt == "chart":
        text = _chart(rows, label, value, glyph)
    else:
        raise UsageError(f"--format {fmt}: expected one of {', '.join(FORMATS)}")
    if "total_count" in response:
        text += f"\ntotal_count: {response['total_count']:,}"
    return text
