"""Case-insensitive ``contain`` over a string column, answered without a test per row.

A code column tests each distinct value once and keeps the rows whose code
passed; a list column (the unique ids) is searched as one lower-cased text of
its values joined by newlines, with each row's start offset.  Both refuse
(None) when a value is not ASCII or holds a newline: lower-casing could
change lengths, or a match span rows, so the caller tests row by row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate
from typing import Sequence

from ..columns import CodeColumn
from ..selection import ones

__all__ = ["ContainText", "coded_rows_containing"]


def coded_rows_containing(col: CodeColumn, needle: str) -> list[int] | None:
    """Ascending rows of a code column whose value contains ``needle`` (lower-case ASCII)."""
    strings = [v for v in col.values if type(v) is str]
    if "\n" in needle or not all(map(str.isascii, strings)) or any("\n" in v for v in strings):
        return None
    wanted = [c for c, v in enumerate(col.values) if type(v) is str and needle in v.lower()]
    if not wanted:
        return []
    mask = col.value_mask(wanted)
    if mask is not None:
        return ones(mask, mask.count(1))
    hit = set(wanted)
    return [r for r, c in enumerate(col.codes) if c in hit]


class ContainText:
    """The lower-cased text of one list column, made on first use and kept until ``stamp`` moves
    (the table's version for a field updates change, its row count for one they do not: a
    deleted row's text stays behind, and ``rows_containing`` passes over it)."""

    __slots__ = ("stamp", "text")

    def __init__(self, col: Sequence, stamp: int) -> None:
        self.stamp = stamp
        self.text = _lowered(col)

    def rows_containing(self, col: Sequence, needle: str) -> list[int] | None:
        """Ascending rows whose string value contains ``needle`` (already lower-case ASCII)."""
        if self.text is None or "\n" in needle:
            return None
        blob, starts = self.text
        rows: list[int] = []
        find = blob.find
        pos = find(needle)
        last = len(starts) - 2
        stride = starts.step if type(starts) is range else 0
        while pos >= 0:
            r = pos // stride if stride else bisect_right(starts, pos) - 1
            if type(col[r]) is str:
                rows.append(r)
            if r >= last:
                break
            pos = find(needle, starts[r + 1])
        return rows


def _lowered(col: Sequence) -> tuple[str, Sequence[int]] | None:
    """The column lower-cased and joined by newlines, with each row's start offset (a
    ``range`` when every value has the same length, as generated ids do: no array)."""
    try:
        parts = col
        blob = "\n".join(col)  # every value a string: joined without a copy of the list
    except TypeError:
        parts = [x if type(x) is str else "" for x in col]
        blob = "\n".join(parts)
    if not (blob.isascii() and blob.count("\n") == len(parts) - 1):
        return None
    lengths = set(map(len, parts))
    starts: Sequence[int]
    if len(lengths) == 1:
        stride = lengths.pop() + 1
        starts = range(0, stride * (len(parts) + 1), stride)
    else:
        starts = array("q", accumulate(map((1).__add__, map(len, parts)), initial=0))
    lowered = blob.lower()
    return (blob if lowered == blob else lowered, starts)  # already lower-case: one copy kept
