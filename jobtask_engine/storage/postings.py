"""The equality index of one string field: each value's rows.

A value's rows are a ``SortedList`` of row ids, or, once the value holds
1/``DENSE_FRACTION`` of the rows or more, a ``DensePosting``: a 0/1
``bytearray`` (1 byte a row instead of ~36, O(1) writes, ANDs and counts at
C speed).  Strings are kept in a ``SortedDict`` (string ranges walk its keys),
null and 'not stored' apart.  Built from a ``CodeColumn``'s codes (one
``translate`` per value while codes are bytes), then kept current by the
table's writes.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Protocol, Sequence

from sortedcontainers import SortedDict, SortedList

from ..columns import CODE_MISSING, CodeColumn
from ..schema import MISSING
from ..selection import Selection, mask_of, ones
from ..thresholds import DENSE_FRACTION

__all__ = ["DensePosting", "Postings", "rows_by_value"]

class Posting(Protocol):
    """A value's rows as handed out: a ``SortedList`` or a ``DensePosting``, both read as
    ascending row ids with a length (or ``()`` for none)."""

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[int]: ...


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


def rows_by_value(col: Sequence[Any], rows: Iterable[int]) -> dict[Any, list[int]]:
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


class Postings:
    """value -> its rows, for one field (str values sorted, null and 'not stored' apart).

    ``capacity`` is the table's row ids handed out; the caller keeps it current
    through ``grow`` (appends) and names the rows of each write (``add``/``discard``).
    """

    __slots__ = ("strings", "absent", "capacity", "_bits", "_union")

    def __init__(self, groups: dict[Any, Any], capacity: int) -> None:
        self.absent: dict[Any, Any] = {k: groups.pop(k) for k in (None, MISSING) if k in groups}
        self.strings: SortedDict = SortedDict(groups)
        self.capacity = capacity
        #: a value's rows as one integer of 0/1 bytes (for ANDs and ORs), until the next write
        self._bits: dict[Any, int] = {}
        #: the last dense union asked (its values, its integer), until the next write: an ``in``
        #: of several frequent values (q5's two statuses at 1M rows) costs an OR of two 1M-byte
        #: integers (0.7 ms of ~6 ms) each time otherwise; one kept, 1 byte a row id
        self._union: tuple[frozenset, int] | None = None

    @classmethod
    def of_column(cls, col: Sequence[Any], live: Sequence[int], alive_mask: bytearray | None, capacity: int) -> "Postings":
        """Built from the column's live rows (``alive_mask`` None: every row is live)."""
        if type(col) is CodeColumn:
            groups = _groups_by_code(col, live, alive_mask, capacity)
        else:
            groups = {v: _new_posting(rows, capacity) for v, rows in rows_by_value(col, live).items()}
        return cls(groups, capacity)

    # -- reading --------------------------------------------------------------------------
    def _table(self, value: Any) -> dict:
        return self.absent if value is None or value is MISSING else self.strings

    def get(self, value: Any) -> Posting:
        """The rows holding ``value`` (str, None or MISSING), ascending; () when none."""
        return self._table(value).get(value, ())

    def values(self) -> list[Any]:
        """Every value some live row holds: the strings ascending, then null / not stored."""
        return [v for v, rows in self.strings.items() if len(rows)] + [v for v in (None, MISSING) if len(self.absent.get(v, ()))]

    def selection(self, values: Sequence[Any]) -> Selection:
        """Rows holding one of ``values``: listed while few, else a dense vector."""
        n = self.capacity
        values = [v for v in dict.fromkeys(values) if self.get(v)]
        lists = [self.get(v) for v in values]
        total = sum(map(len, lists))
        if total * DENSE_FRACTION < n:
            if len(lists) == 1:
                return Selection(n, rows=list(lists[0]))
            return Selection(n, rows=sorted(r for p in lists for r in p))
        if len(values) == 1:
            return Selection(n, mask=self._dense(values[0]).vec, bits=self._vector_bits(values[0]))
        key = frozenset(values)
        union = self._union
        if union is not None and union[0] == key:
            return Selection(n, bits=union[1])
        acc = 0
        for v in values:
            acc |= self._vector_bits(v)
        self._union = (key, acc)
        return Selection(n, bits=acc)

    def _vector_bits(self, value: Any) -> int:
        bits = self._bits.get(value)
        if bits is None:
            posting = self.get(value)
            vec = posting.vec if type(posting) is DensePosting else mask_of(posting, self.capacity)
            bits = self._bits[value] = int.from_bytes(vec, "little")
        return bits

    def _dense(self, value: Any) -> DensePosting:
        """The value's posting as a vector, converted in place if it is still a list."""
        posting = self.get(value)
        if type(posting) is not DensePosting:
            posting = DensePosting(posting, self.capacity)
            self._table(value)[value] = posting
        return posting

    def string_range(self, op: str, v: str) -> list[int]:
        """Rows whose string value is ``op`` v, unordered (served from the sorted keys)."""
        strings = self.strings
        if op in ("gt", "gte"):
            keys = strings.irange(v, None, inclusive=(op == "gte", True))
        else:
            keys = strings.irange(None, v, inclusive=(True, op == "lte"))
        return [r for k in keys for r in strings[k]]

    def count(self, values: Iterable[Any]) -> int:
        """How many live rows hold one of ``values``."""
        return sum(len(self.get(v)) for v in dict.fromkeys(values))

    # -- writing --------------------------------------------------------------------------
    def changed(self) -> None:
        """A write happened: the cached vectors are stale."""
        self._bits.clear()
        self._union = None

    def grow(self, col: Sequence[Any], start: int, end: int) -> None:
        """Rows ``start``..``end - 1`` were appended to ``col``."""
        added = end - start
        self.capacity = end
        if type(col) is CodeColumn:  # grouped on the codes, each code decoded once (as ``_groups_by_code``)
            values = col.values
            groups = {values[c]: rows for c, rows in rows_by_value(col.codes, range(start, end)).items()}
        else:
            groups = rows_by_value(col, range(start, end))
        for target in (self.strings, self.absent):
            for value, posting in target.items():
                if type(posting) is DensePosting:
                    posting.grow(groups.pop(value, ()), added)
        for value, rows in groups.items():
            target = self._table(value)
            posting = target.get(value)
            if posting is None:
                target[value] = SortedList(rows)
            else:
                posting.update(rows)

    def add(self, value: Any, r: int) -> None:
        target = self._table(value)
        posting = target.get(value)
        if posting is None:
            target[value] = SortedList([r])
        else:
            posting.add(r)

    def discard(self, value: Any, r: int) -> None:
        target = self._table(value)
        posting = target[value]
        posting.remove(r)
        if not posting:
            del target[value]


def _new_posting(rows: list[int], capacity: int) -> Posting:
    if len(rows) * DENSE_FRACTION >= capacity:
        return DensePosting(rows, capacity)
    return SortedList(rows)


def _groups_by_code(col: CodeColumn, live: Sequence[int], alive_mask: bytearray | None, n: int) -> dict[Any, Any]:
    """Each value's rows straight from the column's codes.  For 1-byte codes, each value's
    0/1 vector is cut by one ``translate``, all in C, never a list of every row id (whose
    million freed ints would stay behind as fragmented heap); wider codes are grouped by a
    pass over them."""
    values = col.values
    if col.codes.typecode != "B":
        return {values[c]: _new_posting(rows, n) for c, rows in rows_by_value(col.codes, live).items()}
    codes = col.codes.tobytes()
    groups: dict[Any, Any] = {}
    for code, value in enumerate(values):
        vec = bytearray(codes.translate(bytes(code) + b"\x01" + bytes(255 - code)))
        if code == CODE_MISSING and alive_mask is not None:  # deleted rows read 'not stored'
            vec = bytearray((int.from_bytes(vec, "little") & int.from_bytes(alive_mask, "little")).to_bytes(n, "little"))
        count = vec.count(1)
        if count * DENSE_FRACTION >= n:
            groups[value] = DensePosting.of_vector(vec, count)
        elif count:
            groups[value] = SortedList(ones(vec, count))
    return groups
