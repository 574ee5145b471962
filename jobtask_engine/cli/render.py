"""Plain-text output of results: tables, CSV, JSON and horizontal bar charts.

Everything here takes rows (a list of dicts, as ``list`` and ``stat`` return
them) and returns a string, so the CLI and the demo print the same way and the
tests can compare text.
"""

from __future__ import annotations

import csv
import io
import sys
from typing import Any, Iterable, Sequence, TypeGuard

import msgspec

__all__ = [
    "columns_of",
    "cell",
    "table",
    "to_csv",
    "to_json",
    "bar_chart",
    "numeric_columns",
    "bar_glyph",
]

MAX_CELL = 40


def columns_of(rows: Iterable[dict]) -> list[str]:
    """Every key of every row, in order of first appearance."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        text = f"{value:,.3f}".rstrip("0").rstrip(".")
        return text or "0"
    return f"{value:,}"


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """One value as table text: numbers with separators, null as '-', nested values compact."""
    if value is None:
        text = "-"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif _is_number(value):
        text = _number(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(v, dict) for v in value) and value:
        text = f"[{len(value)} item{'s' if len(value) != 1 else ''}]"
    else:
        text = msgspec.json.encode(value).decode()
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def table(rows: Sequence[dict], columns: Sequence[str] | None = None, *, max_cell: int = MAX_CELL) -> str:
    """An aligned text table; numbers right-aligned, everything else left, cells cut at ``max_cell``."""
    columns = list(columns) if columns is not None else columns_of(rows)
    if not columns:
        return "(no rows)" if not rows else "(rows without columns)"
    texts = [[cell(row.get(c), max_cell) for c in columns] for row in rows]
    right = [any(_is_number(row.get(c)) for row in rows) for c in columns]
    widths = [max([len(c)] + [len(t[i]) for t in texts]) for i, c in enumerate(columns)]

    def line(values: Sequence[str]) -> str:
        parts = [v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right)]
        return "  ".join(parts).rstrip()

    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(t) for t in texts)
    if not rows:
        out.append("(no rows)")
    return "\n".join(out)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return msgspec.json.encode(value).decode()
    return value


def to_csv(rows: Sequence[dict], columns: Sequence[str] | None = None) -> str:
    """CSV with a header row; nested values as JSON, null as an empty field."""
    columns = list(columns) if columns is not None else columns_of(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_csv_value(row.get(c)) for c in columns])
    return buffer.getvalue().rstrip("\n")


def to_json(value: Any) -> str:
    return msgspec.json.format(msgspec.json.encode(value), indent=2).decode()


def numeric_columns(rows: Sequence[dict]) -> list[str]:
    """Columns whose every present, non-null value is a number (and at least one is)."""
    out = []
    for column in columns_of(rows):
        values = [row.get(column) for row in rows if row.get(column) is not None]
        if values and all(_is_number(v) for v in values):
            out.append(column)
    return out


def bar_glyph(stream: Any = None) -> str:
    """A full block when the output can encode it, else '#'."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None) or "ascii"
    try:
        "█".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return "#"
    return "█"


def bar_chart(
    rows: Sequence[dict],
    value: str,
    labels: Sequence[str],
    *,
    width: int = 40,
    glyph: str = "#",
) -> str:
    """One horizontal bar per row: label, bar scaled to the largest value, the value."""
    if not rows:
        return "(no rows)"
    names = [" / ".join(cell(row.get(c), 30) for c in labels) if labels else str(i + 1) for i, row in enumerate(rows)]
    values = [row.get(value) for row in rows]
    largest = max((v for v in values if _is_number(v) and v > 0), default=0)
    name_width = max(len(n) for n in names)
    out = []
    for name, v in zip(names, values):
        if _is_number(v) and v > 0 and largest:
            length = max(1, round(width * v / largest))
        else:
            length = 0
        out.append(f"{name.ljust(name_width)}  {(glyph * length).ljust(width)}  {cell(v)}")
    return "\n".join(out)
