"""The sorted index of an integer or datetime column: row ids by (value, row id).

Range lookups bisect its keys, ordered walks read its permutation (descending
one part at a time), and a byte per row names the value range the row falls in
(the range codes: a wide range becomes a 0/1 vector with one ``translate``).
Writes go to small side parts, folded in by a rebuild once they grow
(``thresholds.DENSE_FRACTION``, ``thresholds.SETTLE_SLACK``).
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from heapq import merge
from itertools import chain, compress, islice
from operator import eq
from typing import Any, Callable, Iterator, Sequence

from sortedcontainers import SortedList

from ..columns import MISSING_MS
from ..schema import MISSING
from ..thresholds import DENSE_FRACTION, DESC_PART, FEW_VALUES_SHARE, RANGE_BUCKETS, SETTLE_SLACK

__all__ = ["SortedIndex", "ROW_TYPECODE", "SMALL_KEY_TYPECODE", "NULL_KEY", "ABSENT_KEY"]

#: Row ids held in typed arrays (sorted index permutations): 4 bytes, rows below 2**31.
ROW_TYPECODE = "i"
#: Sort keys of an index whose values all fit in 4 bytes (integer counts): 4 B/record less
#: per index than 8-byte keys.
SMALL_KEY_TYPECODE = "i"
assert array(ROW_TYPECODE).itemsize == array(SMALL_KEY_TYPECODE).itemsize == 4

#: The key null and missing sort under in a sorted index: below every 64-bit value.
NULL_KEY = -(2**63)
#: The largest sorted-index key that is not a value: a datetime column's raw array holds
#: "not stored" as ``columns.MISSING_MS`` (null's key + 1), so every key up to it is null or
#: missing in a range (an integer count of -2**63 + 1 would read as null too: none is stored).
ABSENT_KEY = MISSING_MS


def _passes(op: str, v: int) -> Any:
    """key -> whether ``key op v`` holds (a C-level bound method)."""
    return {"gt": v.__lt__, "gte": v.__le__, "lt": v.__gt__, "lte": v.__ge__}[op]


def _key_array(get: Callable[[int], Any], perm: list[int]) -> array:
    """The sort keys of ``perm`` (ascending), 4 bytes each when both ends fit (counts mostly
    do), else 8 (datetimes, null's key, big counts)."""
    small = not perm or (_SMALL_MIN <= get(perm[0]) and get(perm[-1]) <= _SMALL_MAX)
    return array(SMALL_KEY_TYPECODE if small else "q", map(get, perm))


_SMALL_MIN, _SMALL_MAX = -(2**31), 2**31 - 1


def _order_key(x: Any) -> int:
    """Sort key of a stored int/datetime value: null and missing first."""
    return NULL_KEY if x is None or x is MISSING else x


class SortedIndex:
    """Row ids ordered by (value, row id), with the values alongside for bisection.

    The two big lists are rebuilt, not edited: a write adds the row's new entry
    to a small ``SortedList`` of pending entries and marks its old main entry
    stale, so it costs microseconds at any size.  Readers merge the two; once
    the side parts pass 1/DENSE_FRACTION of the index they are folded in by a rebuild.
    """

    __slots__ = ("perm", "keys", "pending", "stale", "_col", "_desc", "_desc_end", "_desc_lock", "bounds", "codes")

    def __init__(self, col: list, rows: Sequence[int]) -> None:
        self._col = col
        self._build(rows)

    def _build(self, rows: Sequence[int]) -> None:
        col = self._col
        try:
            # The common case, no null: the column itself is the sort key (a C-level key).
            perm = sorted(rows, key=col.__getitem__)
            keys = _key_array(col.__getitem__, perm)
        except TypeError:  # null or missing among the values
            key = [_order_key(x) for x in col].__getitem__
            perm = sorted(rows, key=key)
            keys = _key_array(key, perm)
        # No int objects kept alive: 4 bytes a row id, 4 or 8 a key.
        self.perm = array(ROW_TYPECODE, perm)
        self.keys = keys
        self._settled_parts(len(col))

    def _settled_parts(self, capacity: int) -> None:
        self.pending: SortedList = SortedList()
        self.stale: set[int] = set()
        self._desc: list[array] | None = None
        self._desc_lock = threading.Lock()
        self._bucket(capacity)

    def _bucket(self, capacity: int) -> None:
        """Cut the values into at most 255 ranges of about equal row counts, and give
        every row the byte code of its range (0: null, missing or deleted).

        ``bounds[c - 1] <= value < bounds[c]`` for code c.  A value frequent enough
        to fill a range gets one to itself, so no range is much bigger than 1/120
        of the rows unless a single value is.
        """
        keys, perm = self.keys, self.perm
        first = bisect_right(keys, ABSENT_KEY)
        size = len(keys) - first
        bounds = [ABSENT_KEY + 1]
        for i in range(1, RANGE_BUCKETS):
            at = first + i * size // RANGE_BUCKETS
            if at >= len(keys):
                break
            k = keys[at]
            if k > bounds[-1]:
                bounds.append(k)
            end = bisect_right(keys, k, at)
            if end < len(keys) and end > first + (i + 1) * size // RANGE_BUCKETS and keys[end] > bounds[-1]:
                bounds.append(keys[end])
        codes = bytearray(capacity)
        edges = [bisect_left(keys, b) for b in bounds] + [len(keys)]
        # Plain loops: quicker than driving ``__setitem__`` through ``map`` (selection.mask_of).
        for code in range(1, len(bounds) + 1):
            for r in perm[edges[code - 1] : edges[code]]:
                codes[r] = code
        self.bounds = bounds
        self.codes = codes

    @classmethod
    def of_parts(cls, col: list, perm: array, keys: array, bounds: list[int], codes: bytearray) -> "SortedIndex":
        """An index read back from a snapshot (the parts a settled index had), without sorting again."""
        index = cls.__new__(cls)
        index._col, index.perm, index.keys, index.bounds, index.codes = col, perm, keys, bounds, codes
        index.pending, index.stale, index._desc, index._desc_lock = SortedList(), set(), None, threading.Lock()
        return index

    @property
    def settled(self) -> bool:
        """True when the main lists hold every entry (nothing pending, nothing stale): the
        state a snapshot keeps."""
        return not (self.pending or self.stale)

    def __len__(self) -> int:
        return len(self.perm) - len(self.stale) + len(self.pending)

    def insert(self, r: int, value: Any) -> None:
        key = _order_key(value)
        self.pending.add((key, r))
        codes = self.codes
        if r >= len(codes):
            codes.extend(bytes(r + 1 - len(codes)))
        codes[r] = bisect_right(self.bounds, key)

    def remove(self, r: int, value: Any) -> None:
        entry = (_order_key(value), r)
        if entry in self.pending:
            self.pending.remove(entry)
        else:
            self.stale.add(r)
        self.codes[r] = 0

    @property
    def unsettled(self) -> bool:
        """True once the side parts are worth folding in (see ``rebuild``)."""
        return (len(self.pending) + len(self.stale)) * DENSE_FRACTION > len(self.perm) + SETTLE_SLACK

    def rebuild(self, live_rows: Sequence[int]) -> None:
        self._build(live_rows)

    def range_mask(self, op: str, v: int) -> bytearray:
        """0/1 per row id (of every row id handed out): a live row with a non-null value ``op`` v.

        The range codes answer every row outside v's own range with one
        ``translate``; the rows inside it are read off the sorted keys.
        """
        bounds = self.bounds
        c = bisect_right(bounds, v)
        upward = op in ("gt", "gte")
        if upward:
            table = bytes(c + 1) + b"\x01" * (255 - c)
        else:
            table = b"\x00" + b"\x01" * (c - 1) + bytes(256 - c) if c else bytes(256)
        mask = bytearray(self.codes.translate(table))
        if c == 0:
            return mask  # v is below every stored value; only null has code 0
        low = bounds[c - 1]
        high = bounds[c] if c < len(bounds) else None
        keys = self.keys
        start = bisect_left(keys, low)
        end = len(keys) if high is None else bisect_left(keys, high, start)
        cut = {"gt": bisect_right, "gte": bisect_left, "lt": bisect_left, "lte": bisect_right}[op](keys, v, start, end)
        lo, hi = (cut, end) if upward else (start, cut)
        stale = self.stale
        hits = self.perm[lo:hi]
        if stale:
            hits = [r for r in hits if r not in stale]
        for r in hits:  # a plain loop: quicker than ``map(mask.__setitem__, ...)`` (selection.mask_of)
            mask[r] = 1
        if self.pending:
            test = _passes(op, v)
            for k, r in self.pending.irange((low, -1), None if high is None else (high, -1)):
                if test(k):
                    mask[r] = 1
        return mask

    def _bounds(self, op: str, v: Any) -> tuple[int, int]:
        keys = self.keys
        first = bisect_right(keys, ABSENT_KEY)
        if op == "gt":
            return max(bisect_right(keys, v), first), len(keys)
        if op == "gte":
            return max(bisect_left(keys, v), first), len(keys)
        if op == "lt":
            return first, bisect_left(keys, v)
        return first, bisect_right(keys, v)

    def range(self, op: str, v: Any) -> list[int]:
        """Rows with a non-null value ``op`` v (in no particular order)."""
        lo, hi = self._bounds(op, v)
        rows = self.perm[lo:hi].tolist()
        if self.stale:
            stale = self.stale
            rows = [r for r in rows if r not in stale]
        if self.pending:
            test = _passes(op, v)
            rows += [r for k, r in self.pending if k > ABSENT_KEY and test(k)]
        return rows

    def range_size(self, op: str, v: Any) -> int:
        lo, hi = self._bounds(op, v)
        return max(hi - lo, 0) + len(self.pending)

    def ascending(self) -> Iterator[int]:
        if not (self.pending or self.stale):
            return iter(self.perm)
        stale = self.stale
        main = ((k, r) for k, r in zip(self.keys, self.perm) if r not in stale)
        return (r for _, r in merge(main, self.pending))

    def descending(self) -> Iterator[int]:
        """Values descending, equal values in ascending row id."""
        if not (self.pending or self.stale):
            return iter(self._main_descending())
        stale, col = self.stale, self._col
        # A row not marked stale still holds the value it was indexed under.
        main = ((_order_key(col[r]), r) for r in self._main_descending() if r not in stale)
        side = sorted(self.pending, key=_descending_order)
        return (r for _, r in merge(main, side, key=_descending_order))

    def _main_descending(self) -> Iterator[int]:
        """The main rows by value descending, equal values in ascending row id.

        Put in that order one part of about ``DESC_PART`` rows at a time, from the top, when a
        walk first reaches it (kept): a descending walk that stops early — a page, a top-k —
        costs a part, not a second copy of the whole permutation (8 bytes a row).
        """
        parts = self._desc
        if parts is None:
            with self._desc_lock:
                if self._desc is None:
                    self._desc_end = len(self.perm)
                    self._desc = []
            parts = self._desc
        if not parts:
            next(self._desc_parts(parts), None)  # the top part made now (none for no rows)
        if len(parts) == 1 and self._desc_end == 0:
            return iter(parts[0])  # one part holds all: read as the array it is
        return chain.from_iterable(self._desc_parts(parts))

    def _desc_parts(self, parts: list[array]) -> Iterator[array]:
        i = 0
        while True:
            if i < len(parts):
                yield parts[i]
                i += 1
                continue
            with self._desc_lock:
                if i < len(parts):
                    continue  # another reader made it meanwhile
                end = self._desc_end
                if end == 0:
                    return
                start = max(end - DESC_PART, 0)
                if start:
                    start = bisect_left(self.keys, self.keys[start], 0, end)  # whole runs of equal values
                parts.append(_descending(self.keys[start:end], self.perm[start:end]))
                self._desc_end = start


def _descending(keys: array, perm: array) -> array:
    """``perm`` (ordered by (key, row)) reordered by key descending, equal keys in ascending row."""
    n = len(perm)
    # positions i with keys[i] == keys[i + 1]
    tied = list(compress(range(n - 1), map(eq, keys, islice(keys, 1, None))))
    if (n - len(tied)) * FEW_VALUES_SHARE < n:
        # Few values: copy each value's run of ``perm`` (already in row order), last first.
        desc = array(perm.typecode)
        i = n
        while i > 0:
            j = bisect_left(keys, keys[i - 1], 0, i)
            desc.extend(perm[j:i])
            i = j
        return desc
    # Many values: ``perm`` reversed, then each run of equal values put back in row order.
    desc = perm[::-1]
    t, m = 0, len(tied)
    while t < m:
        j = k = tied[t]
        t += 1
        while t < m and tied[t] == k + 1:
            k += 1
            t += 1
        # keys[j .. k + 1] are equal
        desc[n - 2 - k : n - j] = perm[j : k + 2]
    return desc


def _descending_order(entry: tuple[Any, int]) -> tuple[Any, int]:
    return (-entry[0], entry[1])
