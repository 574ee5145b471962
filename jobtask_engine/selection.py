"""A set of matched rows, kept in whichever form is cheaper.

Dense: a 0/1 ``bytearray`` with one byte per row id — AND is one big-integer
``&``, counting is ``bytes.count``, membership is one index.  Sparse: an
ascending list (or range) of row ids — cheap when few rows match and the form
per-row predicates consume.  Each form is derived from the other on demand and
cached.
"""

from __future__ import annotations

from itertools import compress, repeat
from typing import Sequence

__all__ = ["Selection", "mask_of"]


def mask_of(rows: Sequence[int], n: int) -> bytearray:
    """A 0/1 vector of length ``n`` with the given rows set."""
    mask = bytearray(n)
    setter = mask.__setitem__
    for _ in map(setter, rows, repeat(1)):
        pass
    return mask


class Selection:
    __slots__ = ("n", "_rows", "_mask", "_count", "_ordered")

    def __init__(
        self,
        n: int,
        rows: Sequence[int] | None = None,
        mask: bytes | bytearray | None = None,
        ordered: bool = True,
    ) -> None:
        """``rows`` ascending, or in any order with ``ordered=False`` (sorted only if asked for)."""
        self.n = n
        self._rows = rows
        self._mask = mask
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
            self._count = self._mask.count(1)
        return self._count

    def rows(self) -> Sequence[int]:
        """Ascending row ids."""
        if self._rows is None:
            self._rows = list(compress(range(self.n), self._mask))
        elif not self._ordered:
            self._rows = sorted(self._rows)
            self._ordered = True
        return self._rows

    def members(self) -> Sequence[int]:
        """The row ids in whatever order is at hand (no sort)."""
        return self._rows if self._rows is not None else self.rows()

    def mask(self) -> bytes | bytearray:
        if self._mask is None:
            self._mask = mask_of(self._rows, self.n)
        return self._mask

    def __and__(self, other: "Selection") -> "Selection":
        if self.is_dense and other.is_dense:
            n = self.n
            both = int.from_bytes(self._mask, "little") & int.from_bytes(other._mask, "little")
            return Selection(n, mask=both.to_bytes(n, "little"))
        if self.is_dense or other.is_dense:
            # Test the listed side against the existing mask (scattering it into a mask of
            # its own costs more per row than this comprehension).
            dense, listed = (self, other) if self.is_dense else (other, self)
            m = dense.mask()
            return Selection(self.n, rows=[r for r in listed.members() if m[r]], ordered=listed.ordered)
        small, big = (self, other) if self.count() <= other.count() else (other, self)
        m = small.mask()
        return Selection(self.n, rows=[r for r in big.members() if m[r]], ordered=big.ordered)
