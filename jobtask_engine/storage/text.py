"""Case-insensitive ``contain`` over a string column, answered without a test per row.

A code column tests each distinct value once and keeps the rows whose code
passed; a list column (the unique ids) is searched as one lower-cased text of
its values, each after a newline, with each row's start offset (``ContainText``).
Both refuse (None) when a value is not ASCII or holds a newline: lower-casing could
change lengths, or a match span rows, so the caller tests row by row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from itertools import accumulate, chain, compress, repeat
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
    deleted row's text stays behind, and ``rows_containing`` passes over it).

    Each row's text is a newline then its value, as ASCII bytes.  When every value has one
    length (generated ids do) the rows start every ``stride`` bytes (no offsets kept) and the
    prefix all values share is left out: the workload's ids are ``job-task-`` and 12 hex digits,
    13 bytes a row instead of 22 (memory too: 13 B/record), and a search reads that much less.
    A match starting in the prefix is found as a newline then the rest of the needle.

    Measured in one process, old text against this one, 1M workload ids (machine loaded, CPU
    time): building 90-124 ms against 88-111 (the cut is 12 slice copies, ~34 ms, where one
    ``len`` per row to find the lengths cost ~30-35 and lowering the whole ids ~25); the
    workload's "7f3" (2,442 rows) 21-24 ms against 15-17; "f00d1" 13-14 against 9-10; needles
    reaching into the prefix: "-7f" 26-28 against 20-31, "k-1" (62k rows) 58-69 against 62-67.
    """

    __slots__ = ("stamp", "text", "_letters")

    def __init__(self, col: Sequence, stamp: int) -> None:
        self.stamp = stamp
        self.text = _lowered(col)
        self._letters: frozenset[int] | None = None

    def rows_containing(self, col: Sequence, needle: str) -> list[int] | None:
        """Ascending rows whose string value contains ``needle`` (already lower-case ASCII)."""
        if self.text is None or "\n" in needle:
            return None
        blob, starts, prefix = self.text
        pattern = needle.encode()
        if pattern in prefix:  # every value holds it
            return list(compress(range(len(starts) - 1), map(isinstance, col, repeat(str))))
        # Matches starting in the prefix, at offset i: the needle is prefix[i:] then the value's
        # first (non-empty) rest.
        tails = [pattern[len(prefix) - i :] for i in range(len(prefix)) if pattern.startswith(prefix[i:])]
        patterns = [pattern, *(b"\n" + t for t in tails)]
        if tails:
            # A needle reaching into the prefix ("k-1", "-7f") often holds a byte no cut text
            # does: the search for it can be spared (a pass over the text, ~9 ms at 1M).
            letters = self._held_letters(blob)
            patterns = [p for p in patterns if letters.issuperset(p.removeprefix(b"\n"))]
        found = [rows for rows in (_rows_finding(blob, starts, col, p) for p in patterns) if rows]
        if len(found) <= 1:
            return found[0] if found else []
        return sorted(set(chain.from_iterable(found)))

    def _held_letters(self, blob: bytes | bytearray) -> frozenset[int]:
        """The bytes the text holds, found once (the first 64 KiB's, then what deleting those
        from the whole text leaves: a few C passes)."""
        letters = self._letters
        if letters is None:
            seen = set(blob[:65536])
            rest = blob.translate(None, bytes(seen))
            while rest:
                seen.update(rest[:65536])
                rest = rest.translate(None, bytes(seen))
            letters = self._letters = frozenset(seen)
        return letters


def _rows_finding(blob: bytes | bytearray, starts: Sequence[int], col: Sequence, pattern: bytes) -> list[int]:
    """Ascending rows (a string value now) whose text holds ``pattern`` (no newline, or one at
    its start: a row's own newline)."""
    rows: list[int] = []
    find = blob.find
    pos = find(pattern)
    last = len(starts) - 2
    stride = starts.step if type(starts) is range else 0
    while pos >= 0:
        r = pos // stride if stride else bisect_right(starts, pos) - 1
        if type(col[r]) is str:
            rows.append(r)
        if r >= last:
            break
        pos = find(pattern, starts[r + 1])
    return rows


def _lowered(col: Sequence) -> tuple[bytes | bytearray, Sequence[int], bytes] | None:
    """(text, each row's start offset, the prefix left out): every row's text is a newline and
    its lower-cased value (its suffix past the prefix all share, when every value has one
    length; then the offsets are a ``range``); None when a value is not ASCII or holds a
    newline, or there are no rows."""
    try:
        parts = col
        blob = "\n".join(col)  # every value a string: joined without a copy of the list
    except TypeError:
        parts = [x if type(x) is str else "" for x in col]
        blob = "\n".join(parts)
    n = len(parts)
    if not (n and blob.isascii()):
        return None
    width = len(parts[0])
    if len(blob) == n * (width + 1) - 1 and blob[width :: width + 1].count("\n") == n - 1:
        # The n - 1 separators sit every ``width + 1``: with no other newline (none in the
        # prefix or in a column copied below), every value is ``width`` long.
        prefix = _shared_prefix(blob, n, width)
        cut = len(prefix)
        stride = width - cut + 1
        text = bytearray(n * stride)
        text[::stride] = b"\n" * n
        for j in range(cut, width):  # one column of characters at a time (C slice copies)
            chars = blob[j :: width + 1].encode()
            if 10 in chars:
                return None
            text[j - cut + 1 :: stride] = chars
        del blob
        if "\n" in prefix:
            return None
        # Lowered after the cut: fewer bytes (``islower`` is also False with no letter at all).
        return (text if text.islower() else text.lower()), range(0, stride * (n + 1), stride), prefix.lower().encode()
    if blob.count("\n") != n - 1:
        return None
    src = blob.encode()
    del blob
    if not src.islower():
        src = src.lower()
    starts = array("q", accumulate(map((1).__add__, map(len, parts)), initial=0))
    return b"\n" + src, starts, b""


def _shared_prefix(blob: str, n: int, width: int) -> str:
    """The longest prefix of every ``width``-long value of ``blob`` (values joined by newlines):
    the first, middle and last values' common prefix, checked by one count (else column by
    column)."""
    stride = width + 1
    samples = [blob[k * stride : k * stride + width] for k in (0, n // 2, n - 1)]
    prefix = samples[0]
    for other in samples[1:]:
        cut = next((i for i, (a, b) in enumerate(zip(prefix, other)) if a != b), min(len(prefix), len(other)))
        prefix = prefix[:cut]
    if not prefix or blob.count("\n" + prefix) == n - 1:
        return prefix
    for j, ch in enumerate(prefix):
        if blob[j::stride].count(ch) != n:
            return prefix[:j]
    return prefix
