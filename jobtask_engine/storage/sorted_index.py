"""The sorted index of an integer or datetime column: row ids by (value, row id).

Range lookups bisect its keys, ordered walks read its permutation (descending
one part at a time), and a byte per row names the value range the row falls in
(the range codes: a wide range becomes a 0/1 vector with one ``translate``).
Writes go to small side parts, folded in by a rebuild once they grow
(``thresholds.DENSE_FRACTION``, ``thresholds.SETTLE_SLACK``).

A column whose values arrive in order (JobTasks are exported in creation order, so
``created_at`` rises with the row id but for a few steps down) is not sorted: its runs are
merged (``_merged_runs``), each step down costing a sort of the few rows that overlap
across it.  At 1M workload rows (10 steps, known) the build took 18-25 ms against 320-460 ms
by sort in the same runs (min of 3, shared 2-core machine), the parts identical.

A column of few values (``updated_count``: 544 over 1M rows) is not sorted either: its rows
are counted into one array per value (``_counted``, ``thresholds.COUNT_SORT_SHARE``).  At 1M
workload rows the build took 71-89 ms against 808-895 ms by sort (spread of 5-7 builds,
shared 2-core machine; its range codes made at first use, ``SortedIndex.codes``: 104-146 ms
with them), the parts identical.
"""

from __future__ import annotations

import threading
from array import array
import sys
from bisect import bisect_left, bisect_right
from collections import defaultdict, deque
from functools import partial
from heapq import merge
from itertools import chain, compress, islice
from operator import eq, gt
from typing import Any, Callable, Iterator, Sequence

from sortedcontainers import SortedList

from ..columns import MISSING_MS
from ..schema import MISSING
from ..thresholds import (
    DENSE_FRACTION,
    DESC_PART,
    FEW_VALUES_SHARE,
    RANGE_BUCKETS,
    RUN_STEPS,
    RUN_STEP_ROWS,
    RUN_WINDOW_SHARE,
    SETTLE_SLACK,
    STEP_SCAN_CHUNK,
    COUNT_SORT_SHARE,
)

__all__ = ["SortedIndex", "ROW_TYPECODE", "SMALL_KEY_TYPECODE", "NULL_KEY", "ABSENT_KEY", "find_steps", "steps_of", "order_key", "arrives_in_order", "builds_by_counting"]

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


order_key = _order_key


# -- the runs of a column that arrives in order ----------------------------------------------
#
# The rule, exactly: the *sort keys* of the live rows, in row-id order, are what must not step
# down -- the keys the index orders by: a datetime column's raw milliseconds (null
# ``NULL_MS`` below not stored ``MISSING_MS`` below every instant), an integer column's value
# with null and not stored as ``NULL_KEY``.  So nulls or not-stored values before every value
# keep a column in order; one after a value is a step down (its run starts there).  A
# deleted row is not in the sequence at all.


def _row_values(col: Sequence[Any], rows: Sequence[int], live: bytearray | None = None) -> Any:
    """The stored values of ``rows`` (ascending) in row order, as a copy: an array slice (C
    speed) of a datetime column's raw array, a list of an integer column's values (null and
    not stored as they are: see ``_comparable``).  ``live``: the 0/1 vector of the row ids
    ``rows`` lists (when not a range), read as the slices between deleted rows."""
    if type(rows) is range and rows.step == 1:
        return col[rows.start : rows.stop]
    if live is not None and len(live) == len(col):
        return _joined(col, _live_spans(live))
    picked = map(col.__getitem__, rows)
    return array(col.typecode, picked) if type(col) is array else list(picked)


def _live_spans(live: bytearray) -> list[tuple[int, int]]:
    """The (start, end) spans of consecutive 1s of a 0/1 vector, found by ``bytearray.find``
    (a Python step per deleted span, C between them)."""
    spans: list[tuple[int, int]] = []
    at, n = 0, len(live)
    while at < n:
        dead = live.find(0, at)
        if dead < 0:
            spans.append((at, n))
            break
        if dead > at:
            spans.append((at, dead))
        at = live.find(1, dead)
        if at < 0:
            break
    return spans


def _joined(seq: Any, spans: list[tuple[int, int]]) -> Any:
    """``seq``'s slices over ``spans``, one after the other (an array stays an array)."""
    out = array(seq.typecode) if type(seq) is array else []
    for a, b in spans:
        out += seq[a:b]
    return out


def _comparable(keys: list) -> bool:
    """Whether a list of stored counts holds no null or not-stored value (two C scans)."""
    return not (None in keys or MISSING in keys)


def find_steps(
    keys: Sequence[int], limit: int = RUN_STEPS, before: int | None = None, start: int = 0, stop: int | None = None
) -> list[int] | None:
    """Positions i (counted from ``start``) where ``keys[i - 1] > keys[i]`` among
    ``keys[start:stop]`` (position 0 too when ``before`` is given and above the first key),
    ascending; None once more than ``limit`` (not a column that arrives in order: the scan
    stops there, a chunk in).

    C passes a chunk of ``STEP_SCAN_CHUNK`` keys at a time: a chunk already in order is told
    by ``sorted`` (its run detection: one comparison a key, of ints already boxed by
    ``tolist``) and passed over; the others are compared pairwise into a bytes object
    (``bytes(map(gt, ...))``) that ``bytes.find`` reads the steps off.  1M workload
    ``created_at`` keys: 30 ms (machine shared), against 54 ms comparing every pair."""
    stop = len(keys) if stop is None else stop
    steps: list[int] = [0] if before is not None and stop > start and before > keys[start] else []
    for lo in range(start, stop - 1, STEP_SCAN_CHUNK):
        part = keys[lo : min(lo + STEP_SCAN_CHUNK + 1, stop)]
        if type(part) is array:
            part = part.tolist()
        if part == sorted(part):
            continue
        flags = bytes(map(gt, part, islice(part, 1, None)))
        i = flags.find(1)
        while i >= 0:
            steps.append(lo - start + i + 1)
            i = flags.find(1, i + 1)
        if len(steps) > limit:
            return None
    return steps if len(steps) <= limit else None


def steps_of(
    col: Sequence[Any], rows: Sequence[int], limit: int = RUN_STEPS, before: int | None = None, live: bytearray | None = None
) -> list[int] | None:
    """``find_steps`` of the sort keys of ``rows`` in row order (see the rule above), the null
    and not-stored counts of an integer column converted only when met.  Rows that are a range
    are read in place, a chunk at a time (a column given up early is never copied whole);
    others through ``live`` as ``_row_values`` reads them."""
    if type(rows) is range and rows.step == 1:
        keys, start, stop = col, rows.start, rows.stop
    else:
        keys, start, stop = _row_values(col, rows, live), 0, None
    try:
        return find_steps(keys, limit, before, start, stop)
    except TypeError:  # a null or not-stored count compared with a number
        converted = [_order_key(x) for x in _row_values(col, rows, live)]
        return find_steps(converted, limit, before)


def arrives_in_order(steps: int, rows: int) -> bool:
    """Whether ``rows`` keys with ``steps`` steps down count as arriving in order: few steps,
    and few for their number (``RUN_STEPS``, ``RUN_STEP_ROWS``)."""
    return steps <= RUN_STEPS and steps * RUN_STEP_ROWS <= rows


def _identity(n: int) -> array:
    """``array(ROW_TYPECODE, range(n))`` at C speed: each of the four bytes of a row id is a
    repeated pattern, written with one strided slice assignment (1M rows: 6 ms, against
    41 ms iterating the range; min of 5, machine shared)."""
    buf = bytearray(4 * n)
    for byte in range(4):
        shift = 8 * byte
        if n <= (1 << shift):
            break  # this byte and the higher ones are 0 for every row below n
        # byte ``byte`` of row i is (i >> shift) & 255: each value repeated 2**shift times
        top = min(256, ((n - 1) >> shift) + 1)
        period = b"".join(bytes((v,)) * (1 << shift) for v in range(top))
        reps = -(-n // len(period))
        buf[byte::4] = (period * reps)[:n]
    ids = array(ROW_TYPECODE)
    ids.frombytes(buf)
    if sys.byteorder == "big":
        ids.byteswap()
    return ids


def _merged_runs(
    col: Sequence[Any], rows: Sequence[int], steps: list[int] | None, live: bytearray | None = None
) -> tuple[array, Any, Sequence[int], list[int]] | None:
    """(perm, keys, row-order keys, run starts) of ``rows`` ordered by (key, row), from the
    runs the keys form in row order; None when they form more than ``RUN_STEPS + 1`` runs (or
    more than one step per ``RUN_STEP_ROWS`` rows, see ``arrives_in_order``) or the runs
    overlap in more than 1/RUN_WINDOW_SHARE of the rows (sorting is then cheaper).

    ``steps``: the positions (in ``rows``) where the keys step down, when the table knows them
    (``storage/arrival.py``); found here otherwise (``live`` as for ``_row_values``).  Runs are merged left to right: the rows
    merged so far are ordered, and a run after a step down interleaves only with the merged
    rows whose keys exceed its first key, and only its rows below the merged rows' largest
    key (equal keys: the earlier row first, so these stay put) -- that window is sorted, the
    rest of the run appended as it is.
    """
    keys_r = _row_values(col, rows, live)
    if type(keys_r) is list and (len(keys_r) < 2 or steps is not None) and not _comparable(keys_r):
        keys_r = [_order_key(x) for x in keys_r]
    if steps is None:
        try:
            steps = find_steps(keys_r)
        except TypeError:  # a null or not-stored count (compared with a number)
            keys_r = [_order_key(x) for x in keys_r]
            steps = find_steps(keys_r)
    m = len(keys_r)
    if steps is None or not arrives_in_order(len(steps), m):
        return None
    starts = [0, *steps]
    keys = keys_r[:]
    perm = _identity(m)
    budget = m // RUN_WINDOW_SHARE + 64
    windows: list[tuple[int, int]] = []
    for j in range(1, len(starts)):
        s = starts[j]
        e = starts[j + 1] if j + 1 < len(starts) else m
        first, last = keys_r[s], keys[s - 1]
        if last <= first:
            continue  # no overlap (a step the table named that a write has undone)
        p = bisect_right(keys, first, 0, s)
        q = bisect_left(keys_r, last, s, e)
        budget -= q - p
        if budget < 0:
            return None
        window = sorted(chain(zip(keys[p:s], perm[p:s]), zip(keys_r[s:q], range(s, q))))
        merged_keys = [k for k, _ in window]
        keys[p:q] = array(keys.typecode, merged_keys) if type(keys) is array else merged_keys
        perm[p:q] = array(ROW_TYPECODE, [r for _, r in window])
        windows.append((p, q))
    if not (type(rows) is range and rows.start == 0 and rows.step == 1):
        # positions -> row ids: the rows themselves but in the windows
        if live is not None and len(live) == len(col):
            by_row = _joined(_identity(len(col)), _live_spans(live))
        else:
            by_row = array(ROW_TYPECODE, rows)
        for p, q in windows:
            by_row[p:q] = array(ROW_TYPECODE, map(rows.__getitem__, perm[p:q]))
        perm = by_row
    small = not m or (_SMALL_MIN <= keys[0] and keys[-1] <= _SMALL_MAX)
    if small or type(keys) is list:
        keys = array(SMALL_KEY_TYPECODE if small else "q", keys)
    return perm, keys, keys_r, starts


# -- a column of few values: counted, not sorted -------------------------------------------------
#
# A count column (``updated_count``: 544 values over 1M workload rows) sorts no better than any
# other: ``sorted`` over 1M rows and then the keys read back through the permutation (random
# reads of the column and of the int objects) cost 620-800 ms at 1M rows.  Counting costs a
# C pass: each row id appended to its value's own array (``map(array.append, ...)``, ~70 ns a
# row with the row's value looked up), the arrays then joined in value order.  Every value's
# rows are appended in row order, so ties stay in row order (the sort's (value, row) order),
# and no int object of a row id outlives its append.

#: Every this-many-th value of a column is looked at to judge it few-valued
#: (``builds_by_counting``): a sample four times the distinct values a counted build allows
#: (``thresholds.COUNT_SORT_SHARE``), so a column of one value a row (a datetime) shows more
#: than those in it, a set of 62,500 values at 1M rows (~1 ms).
_COUNT_SAMPLE_STEP = COUNT_SORT_SHARE // 4


def builds_by_counting(col: Sequence[Any], rows: int) -> bool:
    """Whether the sorted index of ``col`` over ``rows`` live rows is built by counting: every
    ``_COUNT_SAMPLE_STEP``-th value of the column holds at most ``rows // COUNT_SORT_SHARE``
    distinct values.  The sample can only undercount; a column that fools it (few values
    there, many elsewhere) still gets the right index, counted at up to ~2x a sort's time
    (all values distinct; see ``thresholds.COUNT_SORT_SHARE``)."""
    limit = rows // COUNT_SORT_SHARE
    return bool(limit) and len(set(col[::_COUNT_SAMPLE_STEP])) <= limit


def _counted(col: Sequence[Any], rows: Sequence[int], live: bytearray | None = None) -> tuple[array, array]:
    """(perm, keys) of ``rows`` ordered by (key, row), by counting: the distinct values sorted
    (about 1/COUNT_SORT_SHARE of the rows at most), null and not stored first as ``NULL_KEY`` (``live`` as for
    ``_row_values``)."""
    identity = type(rows) is range and rows.start == 0 and rows.step == 1 and rows.stop == len(col)
    values = col if identity else _row_values(col, rows, live)
    by_value: defaultdict[Any, array] = defaultdict(partial(array, ROW_TYPECODE))
    deque(map(array.append, map(by_value.__getitem__, values), rows), maxlen=0)
    # null, not stored and an integer stored as null's key all sort as ``NULL_KEY``: one tie
    nulls = [by_value.pop(x) for x in (None, MISSING, NULL_KEY) if x in by_value]
    groups = [(k, by_value[k]) for k in sorted(by_value)]
    if nulls:
        groups.insert(0, (NULL_KEY, nulls[0] if len(nulls) == 1 else array(ROW_TYPECODE, sorted(chain(*nulls)))))
    small = not groups or (_SMALL_MIN <= groups[0][0] and groups[-1][0] <= _SMALL_MAX)
    typecode = SMALL_KEY_TYPECODE if small else "q"
    perm, keys = array(ROW_TYPECODE), array(typecode)
    for k, ids in groups:
        perm += ids
        keys += array(typecode, (k,)) * len(ids)
    return perm, keys


class SortedIndex:
    """Row ids ordered by (value, row id), with the values alongside for bisection.

    The two big lists are rebuilt, not edited: a write adds the row's new entry
    to a small ``SortedList`` of pending entries and marks its old main entry
    stale, so it costs microseconds at any size.  Readers merge the two; once
    the side parts pass 1/DENSE_FRACTION of the index they are folded in by a rebuild.

    ``runs``: how the main lists were last made -- the number of runs merged (1: the keys were
    already in order) when the column arrived in order, 0 when sorted (or read from a snapshot).
    """

    __slots__ = ("perm", "keys", "pending", "stale", "_col", "_desc", "_desc_end", "_made_lock", "bounds", "_codes", "runs")

    def __init__(
        self,
        col: Sequence[Any],
        rows: Sequence[int],
        steps: list[int] | None = None,
        merge: bool = True,
        live: bytearray | None = None,
    ) -> None:
        """``steps``: where the keys of ``rows`` step down (positions in ``rows``), when known;
        ``merge`` False: known not to arrive in order (sorted without looking); ``live``: the
        0/1 vector of the row ids in ``rows`` when they are not a range (a quicker merge)."""
        self._col = col
        self._build(rows, steps, merge, live)

    def _build(
        self, rows: Sequence[int], steps: list[int] | None = None, merge: bool = True, live: bytearray | None = None
    ) -> None:
        col = self._col
        merged = _merged_runs(col, rows, steps, live) if merge else None
        if merged is not None:
            self.perm, self.keys, keys_r, starts = merged
            self.runs = len(starts)
            self._settled_parts(len(col), (keys_r, starts, rows, live))
            return
        self.runs = 0
        if builds_by_counting(col, len(rows)):
            self.perm, self.keys = _counted(col, rows, live)
            self._settled_parts(len(col))
            return
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

    def _settled_parts(self, capacity: int, runs: tuple[Sequence[int], list[int], Sequence[int], bytearray | None] | None = None) -> None:
        self.pending: SortedList = SortedList()
        self.stale: set[int] = set()
        self._desc: list[array] | None = None
        # Guards what readers make at first use, one at a time: the descending parts and the
        # range codes (both readers' work under the store's shared lock).
        self._made_lock = threading.Lock()
        self._bucket(capacity, runs)

    def _bucket(self, capacity: int, runs: tuple[Sequence[int], list[int], Sequence[int], bytearray | None] | None = None) -> None:
        """Cut the values into at most 255 ranges of about equal row counts; every row's byte
        code of its range (0: null, missing or deleted) is made here from a merge's ``runs``
        (a slice a run and range), else at first use (``codes``).

        ``bounds[c - 1] <= value < bounds[c]`` for code c.  A value frequent enough
        to fill a range gets one to itself, so no range is much bigger than 1/120
        of the rows unless a single value is.
        """
        keys = self.keys
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
        self.bounds = bounds
        codes = None
        if runs is not None:
            codes = bytearray(capacity)
            _run_codes(codes, bounds, *runs)
        self._codes = codes

    @property
    def codes(self) -> bytearray:
        """Each row id's range code (see ``_bucket``; one byte a row id handed out).

        Made from the main lists at first use when the build did not make them: a store per
        row (1M rows: 23-50 ms), which an index only walked in order (q4's) never pays --
        a count's build at 1M rows is a quarter cheaper without.  Any write reads them first
        (``insert``, ``remove``), so the main lists they are made from are then exact."""
        codes = self._codes
        if codes is None:
            with self._made_lock:
                codes = self._codes
                if codes is None:
                    codes = self._codes = self._perm_codes()
        return codes

    def _perm_codes(self) -> bytearray:
        keys, perm, bounds = self.keys, self.perm, self.bounds
        codes = bytearray(len(self._col))
        edges = [bisect_left(keys, b) for b in bounds] + [len(keys)]
        # Plain loops: quicker than driving ``__setitem__`` through ``map`` (selection.mask_of).
        for code in range(1, len(bounds) + 1):
            for r in perm[edges[code - 1] : edges[code]]:
                codes[r] = code
        return codes

    @classmethod
    def of_parts(cls, col: Sequence[Any], perm: array, keys: array, bounds: list[int], codes: bytearray) -> "SortedIndex":
        """An index read back from a snapshot (the parts a settled index had), without sorting again."""
        index = cls.__new__(cls)
        index._col, index.perm, index.keys, index.bounds, index._codes = col, perm, keys, bounds, codes
        index.runs = 0
        index.pending, index.stale, index._desc, index._made_lock = SortedList(), set(), None, threading.Lock()
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

    def rebuild(
        self, live_rows: Sequence[int], steps: list[int] | None = None, merge: bool = True, live: bytearray | None = None
    ) -> None:
        """Fold the side parts in: the main lists made again from the column (``steps``,
        ``merge`` and ``live`` as for the constructor)."""
        self._build(live_rows, steps, merge, live)

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
        hits: Sequence[int] = self.perm[lo:hi]
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
            with self._made_lock:
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
            with self._made_lock:
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


def _run_codes(
    codes: bytearray, bounds: list[int], keys_r: Sequence[int], starts: list[int], rows: Sequence[int], live: bytearray | None
) -> None:
    """Each row's range code from the row-order keys: within a run the rows of one range are
    consecutive, so each is one slice assignment (a bisection per run and range) instead of
    a store per row (1M rows, 11 runs: ~2 ms against 69 ms).  Rows not a range (some deleted):
    a slice spans the deleted rows between its first and last, set back to 0 after (found in
    ``live`` by ``bytearray.find``, else by a pass over ``rows``)."""
    m = len(keys_r)
    ends = [*starts[1:], m]
    identity = type(rows) is range and rows.start == 0 and rows.step == 1
    for s, e in zip(starts, ends):
        lo = bisect_left(keys_r, bounds[0], s, e)
        for code in range(1, len(bounds) + 1):
            hi = bisect_left(keys_r, bounds[code], lo, e) if code < len(bounds) else e
            if hi > lo:
                first, end = (lo, hi) if identity else (rows[lo], rows[hi - 1] + 1)
                codes[first:end] = bytes((code,)) * (end - first)
            lo = hi
    if identity:
        return
    if live is not None and len(live) == len(codes):
        r = live.find(0)
        while r >= 0:
            codes[r] = 0
            r = live.find(0, r + 1)
        return
    at = 0
    for r in rows:  # the row ids left out are deleted: code 0
        if r != at:
            codes[at:r] = bytes(r - at)
        at = r + 1
    codes[at:] = bytes(len(codes) - at)


def _descending(keys: array, perm: array) -> array:
    """``perm`` (ordered by (key, row)) reordered by key descending, equal keys in ascending row."""
    n = len(perm)
    # Few values: copy each value's run of ``perm`` (already in row order), last first, each
    # run found by a bisection -- tried when every FEW_VALUES_SHARE-th key repeats often (a
    # set of 1/64 of the keys), given up once the runs pass 1/FEW_VALUES_SHARE of the rows.
    # The top 128k rows of the 1M workload's updated_count: 0.3-0.5 ms, where flagging every
    # tie first cost 8-9; created_at's (a value a row) 7.1-7.5 as before, not 16 by bisecting
    # (min of 7, two runs).
    desc = array(perm.typecode)
    sample = keys[::FEW_VALUES_SHARE]
    runs = 0 if len(set(sample)) * 2 <= len(sample) else n  # n: not tried
    i = n
    while i > 0 and runs * FEW_VALUES_SHARE < n:
        j = bisect_left(keys, keys[i - 1], 0, i)
        desc.extend(perm[j:i])
        i = j
        runs += 1
    if i == 0:
        return desc
    # Many values: ``perm`` reversed, then each run of equal values put back in row order.
    tied = list(compress(range(n - 1), map(eq, keys, islice(keys, 1, None))))  # keys[i] == keys[i + 1]
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
