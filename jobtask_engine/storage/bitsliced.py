"""Bit-sliced indexes of integer columns: a column as bit planes, one packed bitmap per bit.

Plane ``b`` holds the rows whose value has bit ``b`` set (``bitmaps.py``: a
Python int, one bit a row id).  Over a set of rows ``S`` (packed the same way):

- count = ``S.bit_count()``;
- sum = Σ_b weight_b × ``(S & plane_b).bit_count()``, exactly (Python ints);
- max / min: the top-down walk (O'Neil & Quass, 1997): keep the rows that
  have the preferred bit at each plane, from the top plane down.

An integer column is sliced as 64-bit two's complement (plane 63 weighs
-2^63, the others 2^b), so negative values and the int64 extremes need no
offset; planes that are zero in every row are kept as the int 0 (no memory)
and skipped.  A code column (``CodeColumn`` with 1-byte codes) is sliced as
unsigned bytes, and the rows of one code are then the AND of its eight
planes (or their complements).  A row whose value is not a plain int (a
deleted row reads ``MISSING``) is in ``bad`` with its bits 0: a reader over
such a row falls back to reading the column.

Cost, measured at 1M rows (2-core machine, CPython 3.11): a build reads the
column into an ``array('I')`` while the values fit in 4 unsigned bytes (~12 ms),
else ``array('q')`` (~28 ms), takes each byte of the values as a lane (~1.5 ms)
and turns each non-zero lane into its eight planes (~6-12 ms,
``bitmaps.byte_planes``): ~40 ms for the workload's counts (~60 with the machine
loaded); twice that when some row holds no int (a deleted row), whose rows are
found first; a code column's one lane, ~8 ms.  Memory: capacity / 8 bytes a non-zero
plane, so 1.4 B/record for values below 2,048, 8 B/record at most (negative
values fill all 64); a code column 1 B/record at most.  A write costs
nothing here: a cache older than the table catches up at its next use with the
rows written since (``Table.rows_written_since``), each plane that may change
rewritten once (~0.2 ms a plane at 1M rows, whatever the number of rows), and is
rebuilt instead when the rows written exceed 1/``CATCH_UP_SHARE`` of its rows or
the write log no longer reaches back.
"""

from __future__ import annotations

import sys
from array import array
from itertools import compress, repeat
from operator import is_not
from typing import TYPE_CHECKING, Any, Sequence

from ..columns import CodeColumn
from ..schema import FIELDS, INT
from ..thresholds import BIT_PLANES_KEPT
from ..selection import Selection
from .bitmaps import byte_planes, pack_mask, rewrite_bits
from .derived import Kind, within_share

if TYPE_CHECKING:  # the table imports this module
    from .table import Column, Table

__all__ = ["BitSlices", "bit_slices", "build_due", "packed_rows", "BUILD_INT_ROW", "BUILD_CODE_ROW"]

_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1
_MASK64 = (1 << 64) - 1


class BitSlices:
    """The bit planes of one column as of ``version`` (see the module docstring)."""

    __slots__ = ("version", "planes", "signed", "bad", "_equal")

    def __init__(self, version: int, planes: list[int], signed: bool, bad: int) -> None:
        self.version = version
        #: plane b: the rows whose value has bit b set (packed); 0 when no row has it
        self.planes = planes
        #: two's complement over 64 planes (the top one weighs -2^63), else unsigned
        self.signed = signed
        #: the rows whose value is not a plain int (their bits all 0)
        self.bad = bad
        #: value -> the rows holding it (``equal``), as of ``version``
        self._equal: dict[int, int] = {}

    def live_planes(self) -> int:
        """Planes holding some row."""
        return sum(1 for p in self.planes if p)

    def held(self) -> int:
        """Bitmaps held (what the index costs: capacity / 8 bytes each): the non-zero planes
        and the rows of each value asked for (``equal``).  The memo is copied in one C call
        first: another reader may be adding to it (``equal`` runs outside the build lock), and
        a generator over the dict itself would then fail, its size changed mid-iteration."""
        return self.live_planes() + sum(1 for p in list(self._equal.values()) if p) + (1 if self.bad else 0)

    def _weight(self, b: int) -> int:
        return -(1 << b) if self.signed and b == 63 else 1 << b

    def total(self, rows: int) -> int:
        """The exact sum of the values of ``rows`` (a packed bitmap holding no ``bad`` row)."""
        acc = 0
        for b, plane in enumerate(self.planes):
            if plane:
                acc += (rows & plane).bit_count() * self._weight(b)
        return acc

    def extreme(self, rows: int, largest: bool) -> int:
        """The largest (or smallest) value of ``rows`` (non-empty, no ``bad`` row)."""
        planes = self.planes
        value = 0
        top = len(planes)
        if self.signed:
            top -= 1
            sign = planes[top]
            # The sign plane first: the largest value is non-negative if any row is.
            keep = rows & ~sign if largest else rows & sign
            if keep:
                rows = keep
                if not largest:
                    value = -(1 << top)
            elif largest:
                value = -(1 << top)
        for b in range(top - 1, -1, -1):
            plane = planes[b]
            if not plane:
                continue  # bit b is 0 in every row
            keep = rows & plane if largest else rows & ~plane
            if keep:
                rows = keep
                if largest:
                    value += 1 << b
            elif not largest:
                value += 1 << b
        return value

    def equal(self, value: int, capacity: int) -> int:
        """The rows holding ``value`` (an unsigned index: a code column's), among the first
        ``capacity`` row ids; kept until the next catch-up (one AND per use after the first,
        where the planes cost one per plane: ~0.9 ms less for q6's five values at 1M rows).
        Called outside the build lock: readers racing on one value store equal bitmaps."""
        got = self._equal.get(value)
        if got is None:
            got = (1 << capacity) - 1 if value >> len(self.planes) == 0 else 0
            for b, plane in enumerate(self.planes):
                if (value >> b) & 1:
                    got &= plane
                elif plane:
                    got &= ~plane
                if not got:
                    break
            self._equal[value] = got
        return got

    def catch_up(self, version: int, values: dict[int, int | None], capacity: int) -> None:
        """Rewrite the rows given (row -> its value as an unsigned int of the planes' width,
        None when not a plain int) in every plane they may change, then stand at ``version``."""
        nbytes = (capacity + 7) >> 3
        items = list(values.items())
        planes = list(self.planes)
        for b, plane in enumerate(planes):
            on = [r for r, u in items if u is not None and (u >> b) & 1]
            if on or plane:
                off = [r for r, u in items if u is None or not (u >> b) & 1]
                planes[b] = rewrite_bits(plane, nbytes, on, off)
        bad_on = [r for r, u in items if u is None]
        if bad_on or self.bad:
            self.bad = rewrite_bits(self.bad, nbytes, bad_on, [r for r, u in items if u is not None])
        self.planes = planes
        self._equal = {}
        self.version = version


# -- building -------------------------------------------------------------------------------

def _int_array(values: Sequence[Any]) -> array:
    """The values as unsigned ints (``'I'``, 4 bytes) when they fit, else as 8-byte signed
    ones; TypeError or OverflowError when some value is not an int64.  Unsigned first: the
    counts fit, and ``array`` reads an unsigned item with one C call where a signed (or
    2-byte) one goes through argument parsing (1M counts: 11-14 ms as ``'I'``, 27-29 as
    ``'q'``, ``'H'`` or ``'i'``)."""
    try:
        return array("I", values)
    except OverflowError:
        return array("q", values)


def _of_ints(col: Sequence[Any], version: int) -> BitSlices:
    """An integer column's planes (64, two's complement).  (A boolean, which the records'
    validation never stores in an integer field, would read as 1 or 0 here, as the general
    strategy's integer reducers read it.)"""
    bad = 0
    try:
        arr = _int_array(col)
    except (TypeError, OverflowError):
        # Some row holds no plain int (a deleted row's MISSING, say): those rows read 0, marked bad.
        # Found in C (``map``/``compress``); an int outside int64 is looked for only if one is there.
        vals = list(col)
        n = len(vals)
        odd = list(compress(range(n), map(is_not, map(type, vals), repeat(int))))
        for r in odd:
            vals[r] = 0
        try:
            arr = _int_array(vals)
        except OverflowError:
            big = [r for r, v in enumerate(vals) if not _INT64_MIN <= v <= _INT64_MAX]
            for r in big:
                vals[r] = 0
            odd += big
            arr = _int_array(vals)
        mask = bytearray(n)
        for r in odd:
            mask[r] = 1
        bad = pack_mask(mask)
    if sys.byteorder != "little":
        arr.byteswap()  # lane k is byte k of the little-endian value
    raw = arr.tobytes()
    width = arr.itemsize
    planes: list[int] = []
    for lane in byte_planes([raw[k::width] for k in range(width)]):
        planes += lane or [0] * 8
    planes += [0] * (64 - len(planes))  # an unsigned array held no negative value
    return BitSlices(version, planes, True, bad)


def _of_codes(col: CodeColumn, version: int) -> BitSlices:
    """A 1-byte code column's planes (8, unsigned)."""
    return BitSlices(version, byte_planes([col.codes.tobytes()])[0] or [0] * 8, False, 0)


def _slice_of(v: Any) -> int | None:
    return v & _MASK64 if type(v) is int and _INT64_MIN <= v <= _INT64_MAX else None


def _sliceable(field: str, col: Column) -> bool:
    if type(col) is CodeColumn:
        return col.codes.typecode == "B"
    return type(col) is list and FIELDS[field].kind == INT


def _build(col: Column, version: int) -> BitSlices:
    return _of_codes(col, version) if type(col) is CodeColumn else _of_ints(col, version)


def _caught_up(table: Table, col: Column, got: BitSlices, rows: list[int] | None) -> bool:
    """``got`` brought up to the table's version with the ``rows`` written since; False when
    a rebuild is due."""
    if not within_share(rows, table.capacity):
        return False
    values: dict[int, int | None]
    if type(col) is CodeColumn:
        codes = col.codes
        values = {r: codes[r] for r in dict.fromkeys(rows)}
    else:
        values = {r: _slice_of(col[r]) for r in dict.fromkeys(rows)}
    got.catch_up(table.version, values, table.capacity)
    return True


#: Work units (~ns) a build spends per row id: an integer column's (``array``, lanes, planes;
#: 1M counts up to 1,081: 30-46 ms, machine idle to loaded) and a 1-byte code column's
#: (1M status codes: 8-12 ms).
BUILD_INT_ROW = 40
BUILD_CODE_ROW = 10


def build_due(table: Table, field: str) -> int:
    """The work (units, ~ns) ``bit_slices`` would spend on a build for ``field`` now: 0 when
    its planes are current or catch up with the rows written (a plane rewritten, ~0.2 ms at
    1M rows, is left out), else a build's cost from the table's size.  (An estimate: the
    planes read as they stand, without the build lock.)"""
    col = table.columns[field]
    got = _SLICES.peek(table, field)
    if got is not None:
        if got.version == table.version or within_share(table.rows_written_since(got.version), table.capacity):
            return 0
    return table.capacity * (BUILD_CODE_ROW if type(col) is CodeColumn else BUILD_INT_ROW)


#: field -> its planes; at most ``BIT_PLANES_KEPT`` bitmaps a table (``BitSlices.held``,
#: counted at each use), the least recently used field's dropped first (one always kept).
#: After a use, ``BitSlices.equal`` memoises outside the build lock: readers racing on one
#: value store equal bitmaps.
_SLICES: Kind[str, BitSlices] = Kind("bit slices", lambda: BIT_PLANES_KEPT, BitSlices.held, trim=True)


def bit_slices(table: Table, field: str) -> BitSlices | None:
    """The field's planes as of the table's version (built, caught up or rebuilt here), or None
    when the column is not an integer list or a 1-byte code column (``_SLICES``)."""
    col = table.columns[field]
    if not _sliceable(field, col):
        return None
    return _SLICES.current(table, field, lambda: _build(col, table.version),
                           lambda got, rows: _caught_up(table, col, got, rows))


class _Packed:
    """The last dense selection packed for a table: its mask (held, so its identity stays
    its own), the table's version then, and the packed bitmap."""

    __slots__ = ("mask", "version", "bits")

    def __init__(self, mask: Any, version: int, bits: int) -> None:
        self.mask, self.version, self.bits = mask, version, bits


#: id(mask) -> the last dense selection packed (one kept: a selection of another vector
#: replaces it; the entry holds its mask, so no other vector has that id meanwhile).
_PACKED: Kind[int, _Packed] = Kind("packed rows", lambda: 1)


def packed_rows(table: Table, sel: Selection) -> int | None:
    """The rows of a selection as a packed bitmap: a dense one packed from its mask (~2 ms at
    1M rows; the last one kept, so a filter answered by the same posting vector — one
    domain's rows, say — is packed once, then caught up with the rows written), all of the
    table's rows at once; None for a listed selection of some rows (packing costs a Python
    step a row there)."""
    if not sel.is_dense:
        rows = sel.members()
        if type(rows) is range and rows.start == 0 and rows.step == 1 and len(rows) == table.capacity:
            return (1 << len(rows)) - 1
        return None
    mask = sel.mask()
    return _PACKED.current(table, id(mask), lambda: _Packed(mask, table.version, pack_mask(mask)),
                          lambda got, rows: _repacked(table, got, rows)).bits


def _repacked(table: Table, got: _Packed, rows: list[int] | None) -> bool:
    """The same vector written since (a posting's, which the table's writes change in place,
    row by row): its written ``rows`` re-read (~0.2 ms at 1M rows, not 2); False when a
    repack is due."""
    mask = got.mask
    n = len(mask)
    if not within_share(rows, n):
        return False
    rows = [r for r in dict.fromkeys(rows) if r < n]
    got.bits = rewrite_bits(got.bits, (n + 7) >> 3, [r for r in rows if mask[r]], [r for r in rows if not mask[r]])
    got.version = table.version
    return True
