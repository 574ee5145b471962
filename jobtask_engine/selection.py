"""A set of matched rows, kept in whichever form is cheaper.

Dense: one byte per row id, 0 or 1, held as a ``bytearray`` (membership is
one index, counting ``bytes.count``) and/or as the same bytes read into one
big integer (an AND of two sets is then a single ``&``, microseconds per
million rows).  Sparse: an ascending list (or range) of row ids — cheap when
few rows match and the form per-row predicates consume.  Each form is derived
from another on demand and cached.
"""

from __future__ import annotations

from itertools import accumulate, compress, repeat
from operator import add
from typing import Iterable, Sequence, final

__all__ = ["Selection", "mask_of", "ones"]


def mask_of(rows: Iterable[int], n: int) -> bytearray:
    """A 0/1 vector of length ``n`` with the given rows set."""
    mask = bytearray(n)
    # A plain loop: on CPython 3.11 it is ~3x quicker than driving ``mask.__setitem__``
    # through ``map`` (measured: 333k rows into 1M bytes, 9 ms vs 26 ms).
    for r in rows:
        mask[r] = 1
    return mask


def ones(mask: bytes | bytearray, count: int) -> list[int]:
    """Ascending positions of the 1 bytes of a 0/1 vector holding ``count`` of them.

    ``compress`` makes an int for every position; when few are set, splitting
    at the ones and adding up the gaps (all C loops) makes one per match.
    """
    if count * 8 >= len(mask):
        return list(compress(range(len(mask)), mask))
    found = list(accumulate(map(add, map(len, mask.split(b"\x01")), repeat(1)), initial=-1))
    del found[-1], found[0]
    return found


@final  # (``type(x) is Selection`` tests then narrow both ways)
class Selection:
    __slots__ = ("n", "_rows", "_mask", "_bits", "_count", "_ordered")

    def __init__(
        self,
        n: int,
        rows: Sequence[int] | None = None,
        mask: bytes | bytearray | None = None,
        ordered: bool = True,
        bits: int | None = None,
    ) -> None:
        """Give ``rows`` (ascending, or any order with ``ordered=False``), or a dense
        ``mask`` and/or its ``bits`` (``int.from_bytes(mask, "little")``)."""
        self.n = n
        self._rows = rows
        self._mask = mask
        self._bits = bits
        self._count: int | None = None if rows is None else len(rows)
        self._ordered = ordered

    @property
    def ordered(self) -> bool:
        return self._ordered

    @property
    def is_dense(self) -> bool:
        return self._rows is None

    def count(self) -> int:
        if self._count is None:
            self._count = self._mask.count(1) if self._mask is not None else self._bits.bit_count()  # type: ignore[union-attr]  # no rows: a mask or bits
        return self._count

    def rows(self) -> Sequence[int]:
        """Ascending row ids."""
        if self._rows is None:
            self._rows = ones(self.mask(), self.count())
        elif not self._ordered:
            self._rows = sorted(self._rows)
            self._ordered = True
        return self._rows

    def members(self) -> Sequence[int]:
        """The row ids in whatever order is at hand (no sort)."""
        return self._rows if self._rows is not None else self.rows()

    def mask(self) -> bytes | bytearray:
        if self._mask is None:
            self._mask = mask_of(self._rows, self.n) if self._bits is None else self._bits.to_bytes(self.n, "little")  # type: ignore[arg-type]  # no mask or bits: rows
        return self._mask

    def bits(self) -> int:
        if self._bits is None:
            self._bits = int.from_bytes(self.mask(), "little")
        return self._bits

    def __and__(self, other: "Selection") -> "Selection":
        if self.is_dense and other.is_dense:
            return Selection(self.n, bits=self.bits() & other.bits())
        if self.is_dense or other.is_dense:
            # Test the listed side against the existing mask (scattering it into a mask of
            # its own costs more per row than this comprehension).
            dense, listed = (self, other) if self.is_dense else (other, self)
            m = dense.mask()
            return Selection(self.n, rows=[r for r in listed.members() if m[r]], ordered=listed.ordered)
        small, big = (self, other) if self.count() <= other.count() else (other, self)
        m = small.mask()
        return Selection(self.n, rows=[r for r in big.members() if m[r]], ordered=big.ordered)
