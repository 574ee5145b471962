"""Which row ids are live: the one place deletes are recorded.

Row ids are handed out in insertion order and never reused; a deleted row keeps
its id (its columns read 'not stored') and is left out of every index.
"""

from __future__ import annotations

from typing import Sequence

from ..selection import Selection

__all__ = ["Liveness"]


class Liveness:
    """The row ids handed out (``capacity``) and the deleted ones among them."""

    __slots__ = ("capacity", "_deleted", "_mask", "_alive")

    def __init__(self, capacity: int = 0) -> None:
        self.capacity = capacity
        self._deleted: set[int] = set()
        self._mask: bytearray | None = None  # made at the first ask (``mask``)
        self._alive: list[int] | None = None

    def __len__(self) -> int:
        return self.capacity - len(self._deleted)

    @property
    def any_deleted(self) -> bool:
        return bool(self._deleted)

    def is_deleted(self, r: int) -> bool:
        return r in self._deleted

    @property
    def rows(self) -> Sequence[int]:
        """Ascending ids of live rows (a ``range`` while nothing was deleted)."""
        if not self._deleted:
            return range(self.capacity)
        if self._alive is None:
            dead = self._deleted
            self._alive = [r for r in range(self.capacity) if r not in dead]
        return self._alive

    @property
    def mask(self) -> bytearray:
        """1 per live row id, 0 per deleted one; made when first asked for (a byte a row
        that a table nothing was deleted from never needs: its live rows are a range)."""
        mask = self._mask
        if mask is None:
            mask = self._mask = bytearray(b"\x01") * self.capacity
            for r in self._deleted:
                mask[r] = 0
        return mask

    def live_mask(self) -> bytearray | None:
        """``mask``, or None while every row is live."""
        return self.mask if self._deleted else None

    def selection(self) -> Selection:
        if not self._deleted:
            return Selection(self.capacity, rows=range(self.capacity))
        return Selection(self.capacity, mask=self.mask)

    def grow(self, added: int) -> None:
        self.capacity += added
        if self._mask is not None:
            self._mask.extend(b"\x01" * added)
        self._alive = None

    def delete(self, r: int) -> None:
        self._deleted.add(r)
        self.mask[r] = 0  # (made now if this is the first delete)
        self._alive = None
