"""Columnar storage of JobTask rows, with the indexes the planner uses.

A row is an integer id, given in insertion order and never reused; each field
is one Python list indexed by row id.  Insertion order is also the order
MongoDB returns documents in and breaks sort ties with, so "ascending row id"
is the engine's natural order everywhere.

Indexes, all kept current on every write once they exist:
- postings: for each equality-indexed string field, a ``SortedDict`` from
  value to its rows (string ranges walk its keys), plus the rows holding
  null and missing; built per field on first use.  A value's rows are a
  ``SortedList`` of row ids, or, once the value holds 1/32 of the rows or
  more, a ``DensePosting``: a 0/1 ``bytearray`` (1 byte a row instead of
  ~36, O(1) writes, ANDs and counts at C speed);
- sorted permutations of the integer and datetime columns (built on first
  use), for range lookups by bisection and ordered walks, each with a byte
  per row naming the value range the row falls in (a wide range becomes a
  dense set with one ``translate``);
- order views (null as -inf) and lower-cased text for ``contain``;
- ``by_id``: job_task_id -> row.

``version`` counts the writes, and a bounded log says which rows each recent
write touched, so caches kept elsewhere (stat group codes) catch up row by
row instead of starting over.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left, bisect_right
from heapq import merge
from itertools import accumulate, chain, compress, islice
from operator import eq
from typing import Any, Callable, Iterable, Iterator, Sequence

from sortedcontainers import SortedDict, SortedList

from .columns import CODE_MISSING, MISSING_MS, CodeColumn, TimeColumn, new_column
from .heap import TRIM_AFTER, return_big_blocks_on_free, return_freed_memory
from .schema import DATETIME, FIELD_NAMES, FIELDS, INT, MISSING, STR, UPDATABLE
from .selection import Selection, mask_of, ones

__all__ = ["Table", "SortedIndex", "DensePosting", "DENSE_FRACTION", "NEG_INF"]

#: Row ids held in typed arrays (sorted index permutations): 4 bytes, rows below 2**31.
ROW_TYPECODE = "i"
#: Sort keys of an index whose values all fit in 4 bytes (integer counts): 4 B/record less
#: per index than 8-byte keys.
SMALL_KEY_TYPECODE = "i"
assert array(ROW_TYPECODE).itemsize == array(SMALL_KEY_TYPECODE).itemsize == 4
#: Rows of a sorted index put in descending order at a time (``SortedIndex._main_descending``):
#: 128k rows (512 KiB) cover the deep page of the workload's q4 at 1M rows (about 9k rows
#: walked) with one part, where the whole order cost 8 MB at 1M rows (8.5 B/record); up to
#: 128k rows one part holds all, read as a plain array (chaining parts cost q4 8 % at 100k).
DESC_PART = 1 << 17
#: A value whose rows are at least 1/DENSE_FRACTION of the table gets a dense vector.
DENSE_FRACTION = 32
NEG_INF = float("-inf")
#: How many value ranges a sorted index cuts its column into (see ``SortedIndex._bucket``).
_BUCKETS = 120
#: Changes remembered by ``Table.rows_written_since`` (the older half is forgotten at once).
_LOG_SIZE = 4096


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
    the side parts pass 1/32 of the index they are folded in by a rebuild.
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
        for i in range(1, _BUCKETS):
            at = first + i * size // _BUCKETS
            if at >= len(keys):
                break
            k = keys[at]
            if k > bounds[-1]:
                bounds.append(k)
            end = bisect_right(keys, k, at)
            if end < len(keys) and end > first + (i + 1) * size // _BUCKETS and keys[end] > bounds[-1]:
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
        return (len(self.pending) + len(self.stale)) * DENSE_FRACTION > len(self.perm) + 64

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
    if (n - len(tied)) * 64 < n:
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


class DensePosting:
    """The rows of a frequent value as a 0/1 vector over every row id, with their count.

    Reads like the ``SortedList`` it replaces (length, ascending iteration,
    ``add``/``remove``), so the code around postings need not tell them apart.
    """

    __slots__ = ("vec", "_count")

    def __init__(self, rows: Iterable[int], capacity: int) -> None:
        self.vec = mask_of(rows, capacity)
        self._count = self.vec.count(1)

    @classmethod
    def of_vector(cls, vec: bytearray, count: int) -> "DensePosting":
        posting = cls.__new__(cls)
        posting.vec, posting._count = vec, count
        return posting

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        return iter(ones(self.vec, self._count))

    def add(self, r: int) -> None:
        if not self.vec[r]:
            self.vec[r] = 1
            self._count += 1

    def remove(self, r: int) -> None:
        if self.vec[r]:
            self.vec[r] = 0
            self._count -= 1

    def grow(self, rows: Sequence[int], added: int) -> None:
        """Room for ``added`` new row ids, the given ones among them set."""
        vec = self.vec
        vec.extend(bytes(added))
        for r in rows:  # a plain loop: quicker than ``map(vec.__setitem__, ...)`` (selection.mask_of)
            vec[r] = 1
        self._count += len(rows)


def _view_value(x: Any) -> Any:
    return NEG_INF if x is None or x is MISSING else x


def _rows_by_value(col: list, rows: Iterable[int]) -> dict[Any, list[int]]:
    """value -> the given rows holding it, in the order given."""
    groups: dict[Any, list[int]] = {}
    for r in rows:
        value = col[r]
        plist = groups.get(value)
        if plist is None:
            groups[value] = [r]
        else:
            plist.append(r)
    return groups


def _coded_rows_containing(col: CodeColumn, needle: str) -> list[int] | None:
    """``Table.rows_containing`` over a code column: each distinct value tested once, then the
    rows whose code passed.  None on the same values the joined text refuses (not ASCII, a
    newline), so that both searches answer alike."""
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


def _descending_order(entry: tuple[Any, int]) -> tuple[Any, int]:
    return (-entry[0], entry[1])


class Table:
    def __init__(self) -> None:
        # Before any load: its temporaries and the queries' go back to the system when freed.
        return_big_blocks_on_free()
        #: field -> its column (``columns.py``: a list, or a ``TimeColumn`` for datetimes); either
        #: way ``columns[name][r]`` is the stored value (int, str, errors, None or MISSING).
        self.columns: dict[str, list[Any] | TimeColumn] = {name: new_column(name) for name in FIELD_NAMES}
        # Built per field on first use, then kept current.
        self.postings: dict[str, SortedDict] = {}
        self.null_postings: dict[str, dict[Any, SortedList | DensePosting]] = {}
        #: repeated string values shared through one object per distinct value
        self.pools: dict[str, dict[str, str]] = {
            name: {} for name, f in FIELDS.items() if f.kind == STR and name != "job_task_id"
        }
        self.pools["errors"] = {}  # error codes and messages (str keys), whole stored lists (keyed by their JSON)
        self.pools.update((name, {}) for name, f in FIELDS.items() if f.kind == INT)  # repeated counts
        self.sorted_indexes: dict[str, SortedIndex] = {}
        self._alive_mask: bytearray | None = None  # made at the first delete (``alive_mask``)
        self.by_id: dict[str, int] = {}
        self.deleted: set[int] = set()
        self._alive_cache: list[int] | None = None
        self._lowered: dict[str, tuple[int, tuple[str, array] | None]] = {}
        self._views: dict[str, list] = {}
        self._bits: dict[tuple[str, Any], int] = {}
        self._size = 0
        #: bumped on every change; caches derived from the columns key on it.
        self.version = 0
        #: held while a reader builds an index or cache on first use, so concurrent readers
        #: (the store lets readers run together) build it once and publish it whole
        self.build_lock = threading.RLock()
        #: the rows each recent change wrote (a row id, or a range for an append), oldest first;
        #: entry i is the change that made version ``_log_base + i + 1``
        self._log: list[int | range] = []
        self._log_base = 0

    @classmethod
    def of_columns(cls, cols: dict[str, list[Any] | TimeColumn], pools: dict[str, dict], by_id: dict[str, int]) -> "Table":
        """A table holding these validated columns as they are, without copying them (an
        opened snapshot's, which nothing else references), its value pools and id index."""
        table = cls()
        n = len(cols["job_task_id"])
        table.columns = {name: cols[name] for name in FIELD_NAMES}
        for name, pool in pools.items():
            table.pools[name].update(pool)
        table._size = n
        table.by_id = by_id
        table._changed(range(n))
        return table

    # -- reading ------------------------------------------------------------
    def __len__(self) -> int:
        return self._size - len(self.deleted)

    @property
    def capacity(self) -> int:
        """Number of row ids handed out so far (alive or not)."""
        return self._size

    @property
    def alive(self) -> Sequence[int]:
        """Ascending ids of live rows (a ``range`` while nothing was deleted)."""
        if not self.deleted:
            return range(self._size)
        if self._alive_cache is None:
            dead = self.deleted
            self._alive_cache = [r for r in range(self._size) if r not in dead]
        return self._alive_cache

    @property
    def alive_mask(self) -> bytearray:
        """1 per live row id, 0 per deleted one; made when first asked for (a byte a row
        that a table nothing was deleted from never needs: its live rows are a range)."""
        mask = self._alive_mask
        if mask is None:
            mask = self._alive_mask = bytearray(b"\x01") * self._size
            for r in self.deleted:
                mask[r] = 0
        return mask

    def all_rows(self) -> Selection:
        if not self.deleted:
            return Selection(self._size, rows=range(self._size))
        return Selection(self._size, mask=self.alive_mask)

    def posting(self, field: str, value: Any) -> Sequence[int]:
        if field not in self.postings:
            self._build_postings_once(field)
        if value is None or value is MISSING:
            return self.null_postings[field].get(value, ())
        return self.postings[field].get(value, ())

    def _build_postings_once(self, field: str) -> None:
        with self.build_lock:
            if field not in self.postings:
                self._build_postings(field)
                self.trim_after_build()

    def _build_postings(self, field: str) -> None:
        col = self.columns[field]
        if type(col) is CodeColumn:
            groups = self._postings_by_code(col)
        else:
            groups = {v: self._new_posting(rows) for v, rows in _rows_by_value(col, self.alive).items()}
        self.null_postings[field] = {k: groups.pop(k) for k in (None, MISSING) if k in groups}
        self.postings[field] = SortedDict(groups)

    def _postings_by_code(self, col: CodeColumn) -> dict[Any, SortedList | DensePosting]:
        """Each value's rows straight from the column's codes.  For 1-byte codes, each value's
        0/1 vector is cut by one ``translate``, all in C, never a list of every row id (whose
        million freed ints would stay behind as fragmented heap); wider codes are grouped by a
        pass over them."""
        n = self._size
        values = col.values
        if col.codes.typecode != "B":
            return {values[c]: self._new_posting(rows) for c, rows in _rows_by_value(col.codes, self.alive).items()}
        codes = col.codes.tobytes()
        groups: dict[Any, SortedList | DensePosting] = {}
        for code, value in enumerate(values):
            vec = bytearray(codes.translate(bytes(code) + b"\x01" + bytes(255 - code)))
            if code == CODE_MISSING and self.deleted:
                vec = bytearray((int.from_bytes(vec, "little") & int.from_bytes(self.alive_mask, "little")).to_bytes(n, "little"))
            count = vec.count(1)
            if count * DENSE_FRACTION >= n:
                groups[value] = DensePosting.of_vector(vec, count)
            elif count:
                groups[value] = SortedList(ones(vec, count))
        return groups

    def _new_posting(self, rows: list[int]) -> SortedList | DensePosting:
        if len(rows) * DENSE_FRACTION >= self._size:
            return DensePosting(rows, self._size)
        return SortedList(rows)

    def _posting_table(self, field: str, value: Any) -> dict:
        return self.null_postings[field] if value is None or value is MISSING else self.postings[field]

    def value_selection(self, field: str, values: Sequence[Any]) -> Selection:
        """Rows whose ``field`` equals one of ``values`` (str, None or MISSING)."""
        n = self._size
        values = [v for v in dict.fromkeys(values) if self.posting(field, v)]
        lists = [self.posting(field, v) for v in values]
        total = sum(map(len, lists))
        if total * DENSE_FRACTION < n:
            if len(lists) == 1:
                return Selection(n, rows=list(lists[0]))
            return Selection(n, rows=sorted(r for p in lists for r in p))
        if len(values) == 1:
            return Selection(n, mask=self._dense_posting(field, values[0]).vec, bits=self._vector_bits(field, values[0]))
        acc = 0
        for v in values:
            acc |= self._vector_bits(field, v)
        return Selection(n, bits=acc)

    def _vector_bits(self, field: str, value: Any) -> int:
        """A value's rows as one integer of 0/1 bytes (for ANDs and ORs), cached until the next write."""
        key = (field, value)
        bits = self._bits.get(key)
        if bits is None:
            posting = self.posting(field, value)
            vec = posting.vec if type(posting) is DensePosting else mask_of(posting, self._size)
            bits = self._bits[key] = int.from_bytes(vec, "little")
        return bits

    def _dense_posting(self, field: str, value: Any) -> DensePosting:
        """The value's posting as a vector, converted in place if it is still a list."""
        posting = self.posting(field, value)
        if type(posting) is not DensePosting:
            posting = DensePosting(posting, self._size)
            self._posting_table(field, value)[value] = posting
        return posting

    def string_range(self, field: str, op: str, v: str) -> list[int]:
        """Rows whose string value is ``op`` v, unordered (served from the sorted keys)."""
        if field not in self.postings:
            self._build_postings_once(field)
        postings = self.postings[field]
        if op in ("gt", "gte"):
            keys = postings.irange(v, None, inclusive=(op == "gte", True))
        else:
            keys = postings.irange(None, v, inclusive=(True, op == "lte"))
        return [r for k in keys for r in postings[k]]

    # -- statistics the planner reads (query/planner.py) ----------------------
    def value_count(self, field: str, values: Sequence[Any]) -> int:
        """How many live rows hold one of ``values`` in an indexed ``field`` (posting sizes)."""
        return sum(len(self.posting(field, v)) for v in dict.fromkeys(values))

    def range_count(self, field: str, op: str, v: Any) -> int:
        """About how many rows of an integer/datetime ``field`` are ``op`` v (sorted index bisection;
        rows written since its last rebuild counted in)."""
        return self.sorted_index(field).range_size(op, v)

    def sorted_index(self, field: str) -> SortedIndex:
        """The (value, row) order of an integer or datetime column, built on first use."""
        index = self.sorted_indexes.get(field)
        if index is None:
            assert FIELDS[field].kind in (INT, DATETIME)
            with self.build_lock:
                index = self.sorted_indexes.get(field)
                if index is None:
                    index = self.sorted_indexes[field] = SortedIndex(self.sort_source(field), self.alive)
                    self.trim_after_build()
        return index

    def sort_source(self, field: str) -> Sequence[int]:
        """An integer or datetime column as the sorted index reads it: the ints themselves,
        null as ``NULL_KEY`` (a datetime column's raw array, whose null sentinel is that key)."""
        col = self.columns[field]
        return col.raw if type(col) is TimeColumn else col

    def order_view(self, field: str) -> Sequence[Any]:
        """An integer or datetime column with null, missing and deleted as -inf, so that
        plain comparisons never fail; built on first use, then kept current.

        While nothing is absent it is the column's own ints (a datetime column's raw array)."""
        col = self.columns[field]
        if not self.deleted and (FIELDS[field].kind == INT or not col.absent):
            return col.raw if type(col) is TimeColumn else col  # nothing null or missing
        view = self._views.get(field)
        if view is None:
            with self.build_lock:
                view = self._views.get(field)
                if view is None:
                    view = self._views[field] = [_view_value(x) for x in self.columns[field]]
        return view

    def _text(self, field: str) -> tuple[str, Sequence[int]] | None:
        """The column lower-cased and joined by newlines, with each row's start offset (a
        ``range`` when every value has the same length, as generated ids do: no array).

        None when a value is not ASCII or holds a newline (then lower-casing
        could change lengths or a match could span rows).  Cached per version,
        or for a field no update changes, until rows are added: a deleted row's
        text stays behind, and ``rows_containing`` passes over it.
        """
        stamp = self.version if field in UPDATABLE else self._size
        cached = self._lowered.get(field)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        col = self.columns[field]
        try:
            parts = col
            blob = "\n".join(col)  # every value a string: joined without a copy of the list
        except TypeError:
            parts = [x if type(x) is str else "" for x in col]
            blob = "\n".join(parts)
        text = None
        if blob.isascii() and blob.count("\n") == len(parts) - 1:
            lengths = set(map(len, parts))
            starts: Sequence[int]
            if len(lengths) == 1:
                stride = lengths.pop() + 1
                starts = range(0, stride * (len(parts) + 1), stride)
            else:
                starts = array("q", accumulate(map((1).__add__, map(len, parts)), initial=0))
            lowered = blob.lower()
            text = (blob if lowered == blob else lowered, starts)  # already lower-case: one copy kept
        self._lowered[field] = (stamp, text)
        self.trim_after_build()
        return text

    def trim_after_build(self) -> None:
        """An index of a big table (or a cache kept beside it, stat key codes) was built: the
        heap hands back what the build freed below ``heap.MMAP_THRESHOLD`` (about 1 ms at 1M
        rows; after the nine workload queries at 1M it left 397 B/record resident, not 407)."""
        if self._size >= TRIM_AFTER:
            return_freed_memory()

    def rows_containing(self, field: str, needle: str) -> list[int] | None:
        """Ascending rows whose string value contains ``needle`` (already lower-case ASCII),
        case-insensitively; None when the column cannot be searched this way."""
        col = self.columns[field]
        if type(col) is CodeColumn:
            return _coded_rows_containing(col, needle)
        text = self._text(field)
        if text is None or "\n" in needle:
            return None
        blob, starts = text
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

    # -- writing --------------------------------------------------------------
    def append_columns(self, cols: dict[str, list[Any]]) -> None:
        """Append already validated and uniqueness-checked rows, given column by column."""
        start = self._size
        added = len(cols["job_task_id"])
        for name, col in self.columns.items():
            col.extend(cols[name])
        self._size += added
        if self._alive_mask is not None:
            self._alive_mask.extend(b"\x01" * added)
        for field in self.postings:
            self._post_new(field, start)
        for name, view in self._views.items():
            view.extend(map(_view_value, cols[name]))
        ids = self.columns["job_task_id"]
        self.by_id.update(zip(ids[start:] if start else ids, range(start, self._size)))
        self._changed(range(start, self._size))
        for name, index in self.sorted_indexes.items():
            for r, value in zip(range(start, self._size), cols[name]):
                index.insert(r, value)
            self._settle(name)

    def _post_new(self, field: str, start: int) -> None:
        added = self._size - start
        groups = _rows_by_value(self.columns[field], range(start, self._size))
        for target in (self.postings[field], self.null_postings[field]):
            for value, posting in target.items():
                if type(posting) is DensePosting:
                    posting.grow(groups.pop(value, ()), added)
        for value, rows in groups.items():
            target = self._posting_table(field, value)
            posting = target.get(value)
            if posting is None:
                target[value] = SortedList(rows)
            else:
                posting.update(rows)

    def set_values(self, r: int, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            old = self.columns[name][r]
            if old is value or (type(old) is type(value) and old == value):
                continue  # unchanged: no index to touch
            if name in self.postings:
                self._unpost(name, old, r)
                self._post(name, value, r)
            index = self.sorted_indexes.get(name)
            if index is not None:
                index.remove(r, old)
                index.insert(r, value)
            view = self._views.get(name)
            if view is not None:
                view[r] = _view_value(value)
            self.columns[name][r] = value
        self._changed(r)
        for name in changes:
            if name in self.sorted_indexes:
                self._settle(name)

    def delete_row(self, r: int) -> None:
        for name in self.postings:
            self._unpost(name, self.columns[name][r], r)
        for name, index in self.sorted_indexes.items():
            index.remove(r, self.columns[name][r])
        del self.by_id[self.columns["job_task_id"][r]]
        self.deleted.add(r)
        self.alive_mask[r] = 0  # (made now if this is the first delete)
        for col in self.columns.values():
            col[r] = MISSING
        for view in self._views.values():
            view[r] = NEG_INF
        self._changed(r)
        for name in self.sorted_indexes:
            self._settle(name)

    def _settle(self, name: str) -> None:
        index = self.sorted_indexes[name]
        if index.unsettled:
            index.rebuild(self.alive)

    def _post(self, field: str, value: Any, r: int) -> None:
        target = self._posting_table(field, value)
        posting = target.get(value)
        if posting is None:
            target[value] = SortedList([r])
        else:
            posting.add(r)

    def _unpost(self, field: str, value: Any, r: int) -> None:
        target = self._posting_table(field, value)
        posting = target[value]
        posting.remove(r)
        if not posting:
            del target[value]

    def _changed(self, rows: int | range | None = None) -> None:
        """Bump the version after a write to ``rows`` (None: rows unknown, every cache restarts)."""
        self._alive_cache = None
        self._bits.clear()
        self.version += 1
        log = self._log
        if rows is None:
            log.clear()
            self._log_base = self.version
            return
        log.append(rows)
        if len(log) > _LOG_SIZE:
            del log[: _LOG_SIZE // 2]
            self._log_base += _LOG_SIZE // 2

    def rows_written_since(self, version: int) -> list[int] | None:
        """Row ids created, updated or deleted after ``version`` (repeats possible), or None
        when the log of recent writes no longer reaches back that far: lets a cache built
        at ``version`` catch up row by row instead of being rebuilt."""
        if version < self._log_base or version > self.version:
            return None
        rows: list[int] = []
        for entry in self._log[version - self._log_base :]:
            if type(entry) is range:
                rows.extend(entry)
            else:
                rows.append(entry)
        return rows
