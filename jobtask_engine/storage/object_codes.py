"""Identity codes of a column whose rows share a few stored objects, for counting rows per object.

The ``errors`` column holds one list object per distinct value (``records.shared_errors``;
no errors is the one tuple ``records.NO_ERRORS``): a few hundred objects over a million
rows.  Counting the selected rows per object, then reading each object once, replaces a
read of every element of every selected row (``stat/fast.unwind_errors_group``).

Each row has a one-byte code: ``objects[code]`` is the object the row held when it was
coded, 0 meaning *not coded yet*.  Rows are coded on first read (the rows a query asks
about, not the whole table: coding a million rows costs ~130 ms on the 2-core machine,
``map(id, col)`` alone 70 ms, the rows of one query ~10 ms), and a write only resets the
rows it touched to 0 (found through ``Table.rows_written_since`` at the next read), so no
write costs more than O(1) here.

Counting a dense selection is four C passes over the rows: the codes as one integer ANDed
with the selection's 0/1 bytes times 255 keeps each selected row's code and 0 elsewhere;
its bytes with the zeros deleted are the selected rows' codes in row order, counted by a
``Counter`` over small ints.  (Measured, 1M rows, 65k selected, idle: 5.0-6.8 ms, against
23-29 ms for the per-element count and 15-17 ms for ``Counter(map(id, compress(...)))``.)
Fewer codes than selected rows means some were not coded yet: those are coded and the
count is made again.

Memory: the code bytes and their integer form, 2 B/record, plus the objects (which the
column holds anyway).  When a 256th distinct object turns up the codes start over (objects
no row holds any more are dropped that way); when a single request's rows hold more than 255
distinct objects, the caller is told (None) and reads the rows itself; until the next write,
requests of as many rows are then refused at once (the attempt costs about what the caller's
own read of the rows does, so a refused shape pays it once per table version).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Callable, Sequence

from ..selection import Selection, ones
from .derived import Kind, within_share

__all__ = ["ObjectCodes", "OBJECT_CODES"]

#: codes per byte: 0 is "not coded yet"
_MAX_CODE = 255
#: ``bytes.translate`` table: 1 for a coded row (code > 0), 0 for one not coded yet
_CODED = bytes([0] + [1] * 255)


class ObjectCodes:
    """One byte per row naming the (shared) object the row holds, coded lazily."""

    __slots__ = ("version", "codes", "objects", "code_of", "_number", "_refused")

    def __init__(self, n: int, version: int) -> None:
        self.version = version
        self.codes = bytearray(n)  # 0: not coded yet
        self.objects: list[Any] = [None]  # code -> object (code 0 names none)
        self.code_of: dict[int, int] = {}  # id(object) -> code; ``objects`` keeps each alive
        self._number: int | None = None  # ``codes`` as one little-endian integer, until they change
        #: (version, rows) of a request refused (more than 255 objects): until the next write,
        #: as many rows or more are refused at once, not coded again to find out
        self._refused: tuple[int, int] = (-1, 0)

    # -- keeping up with writes ------------------------------------------------------------
    def catch_up(self, col: Sequence[Any], version: int, written: list[int] | None) -> bool:
        """Forget the codes of rows written since ``self.version`` (``written``; None when the
        table's log no longer reaches back: every code is forgotten, as past the share) and
        make room for rows appended since.  True: the codes are never rebuilt, only
        forgotten (``OBJECT_CODES``)."""
        if version == self.version:
            return True
        codes = self.codes
        n = len(col)
        if not within_share(written, n):
            self._restart(n)
        else:
            known = len(codes)
            objects = self.objects
            for r in written:
                if r < known and codes[r] and objects[codes[r]] is not col[r]:
                    codes[r] = 0
                    self._number = None
            if n > known:
                codes.extend(bytes(n - known))
                self._number = None
        self.version = version
        return True

    def _restart(self, n: int) -> None:
        self.codes = bytearray(n)
        self.objects = [None]
        self.code_of = {}
        self._number = None

    # -- reading ----------------------------------------------------------------------------
    def counts(self, col: Sequence[Any], rows: Selection | Sequence[int]) -> list[tuple[Any, int]] | None:
        """(object, how many of ``rows`` hold it) per distinct object, in order of first holding
        row (``rows``: a selection, or row ids in any order, repeats counted); None when the
        rows hold more than 255 distinct objects."""
        asked = rows.count() if type(rows) is Selection else len(rows)
        if self._refused[0] == self.version and asked >= self._refused[1]:
            return None
        counted = self._counted(col, rows)
        if counted is None:
            self._refused = (self.version, asked)
            return None
        objects = self.objects
        return [(objects[c], k) for c, k in counted.items()]

    def _counted(self, col: Sequence[Any], rows: Selection | Sequence[int]) -> Counter | None:
        """code -> how many of ``rows`` hold it, coding the rows not coded yet; None when the
        codes do not suffice."""
        if type(rows) is Selection and rows.is_dense:
            bits = rows.bits()
            spread = bits * 255  # 0xff at each selected row's byte (each byte 0 or 1: no carries)
            picked = self._picked(spread)
            if len(picked) < rows.count():  # selected rows not coded yet
                if not self._cover(col, lambda: self._uncoded(bits)):
                    return None
                picked = self._picked(spread)
            return Counter(picked)
        ids = rows.rows() if type(rows) is Selection else rows  # ascending: first holders first
        if not self._cover(col, lambda: _uncoded_rows(self.codes, ids)):
            return None
        return Counter(map(self.codes.__getitem__, ids))

    def _picked(self, spread: int) -> bytes:
        """The codes of the rows whose byte of ``spread`` is 0xff, in row order (0s dropped)."""
        n = len(self.codes)
        return (self._as_number() & spread).to_bytes(n, "little").translate(None, b"\0")

    def _uncoded(self, bits: int) -> list[int]:
        """The rows of a selection's ``bits`` not coded yet."""
        coded = int.from_bytes(self.codes.translate(_CODED), "little")
        missing = (bits & ~coded).to_bytes(len(self.codes), "little")
        return ones(missing, missing.count(1))

    def _as_number(self) -> int:
        number = self._number
        if number is None:
            number = self._number = int.from_bytes(self.codes, "little")
        return number

    def _cover(self, col: Sequence[Any], uncoded: Callable[[], list[int]]) -> bool:
        """Code the rows ``uncoded()`` names; when the codes left do not suffice, start over and
        code them again (now every row asked about); False when even that does not suffice."""
        if self._code(col, uncoded()):
            return True
        self._restart(len(self.codes))
        return self._code(col, uncoded())

    def _code(self, col: Sequence[Any], rows: list[int]) -> bool:
        """Code ``rows`` (not coded yet); False, coding none, when their objects need more codes
        than are left."""
        if not rows:
            return True
        values = [col[r] for r in rows]
        keys = list(map(id, values))
        code_of, objects = self.code_of, self.objects
        fresh = set(keys).difference(code_of)
        if fresh:
            if len(objects) + len(fresh) > _MAX_CODE + 1:
                return False
            for key, v in dict(zip(keys, values)).items():
                if key in fresh:
                    code_of[key] = len(objects)
                    objects.append(v)
        codes = self.codes
        # A plain loop: scattering through ``map(codes.__setitem__, ...)`` is slower (selection.mask_of).
        for r, c in zip(rows, map(code_of.__getitem__, keys)):
            codes[r] = c
        self._number = None
        return True


#: field -> its rows' object codes (every field asked kept: ``errors`` alone in the workload);
#: read and coded under the table's build lock (``Table.object_counts``)
OBJECT_CODES: Kind[str, ObjectCodes] = Kind("object codes")


def _uncoded_rows(codes: bytearray, rows: Sequence[int]) -> list[int]:
    """The distinct ``rows`` whose code is 0 (not coded yet)."""
    return [r for r in dict.fromkeys(rows) if not codes[r]]
