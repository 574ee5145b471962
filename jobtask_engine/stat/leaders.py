"""The leading rows of each group by an integer field, so a group's max (or min) over any
selection is read off a few rows instead of a pass over the selection.

For every group code of a key plan (``stat/fast``'s key codes) ``Leaders`` keeps up to
``LEADERS_KEPT`` of the group's live rows, best first (the largest values for ``max``).  A
group is *bounded* when it has more rows than its list: then every row left out is no
better than the list's last.  A selection's max for the group is then the value of the
first listed row it holds — no row above it is selected, no row outside beats it — and
when it holds none of them the answer is not known here (the caller loops instead).

Measured at 1M workload rows (q7: 1,456 groups, one domain's 55 % selected), on a loaded
machine: reading the max off the lists takes a few ms, against ~40 ms for the loop over the
550k selected (code, value) pairs; the lists are made by one loop over every live row
(~100 ms at 1M), the second time a plan asks (the first loops, as a one-off query would), and
kept current by the writes row by row (``drop``, ``add``: a scan of a list).
"""

from __future__ import annotations

from itertools import compress
from operator import neg
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from ..thresholds import LEADERS_KEPT

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["Leaders"]

_NEG_INF = float("-inf")
_ROW_BITS = (1 << 32) - 1


class Leaders:
    """Per group code: its leading rows by ``vals`` (see the module doc)."""

    __slots__ = ("lists", "bounded", "desc", "stale")

    def __init__(self, codes: Sequence[int], vals: Values, live: Sequence[int] | None, n_codes: int,
                 desc: bool) -> None:
        self.desc = desc  # True: the largest values lead (max); False: the smallest (min)
        self.stale = False  # a bounded group lost its last listed row to a write
        size = LEADERS_KEPT
        cap = 2 * size
        # Per group its candidates as ints ``key << 32 | row`` (rows are below 2**31): sorting
        # them sorts by key, then row, with no tuple made (the loop took ~40 % less time).
        kept: list[list[int]] = [[] for _ in range(n_codes)]
        floor: list[Any] = [_NEG_INF] * n_codes  # a full list's last key: a row must beat it to enter
        rows: Iterable[int] = range(len(codes))
        cs: Iterable[int] = codes
        vs: Iterable[Any] = vals
        if live is not None:  # (a deleted row holds MISSING)
            rows, cs, vs = compress(rows, live), compress(codes, live), compress(vals, live)
        for r, c, k in zip(rows, cs, vs if desc else map(neg, vs)):
            if k > floor[c]:
                got = kept[c]
                got.append(k << 32 | r)
                if len(got) >= cap:
                    got.sort(reverse=True)
                    del got[size:]
                    floor[c] = got[-1] >> 32
        self.lists: list[list[int]] = []
        self.bounded: list[bool] = []
        for got, low in zip(kept, floor):
            got.sort(reverse=True)
            # Bounded: rows were left out (beyond a full list), none better than the last kept.
            self.bounded.append(low != _NEG_INF or len(got) > size)
            del got[size:]
            self.lists.append([x & _ROW_BITS for x in got])

    def _key(self, v: Any) -> Any:
        return v if self.desc else -v

    def note_write(self, r: int, old: int | None, new: int | None, vals: Values) -> None:
        """Row ``r`` was written (alone): ``drop`` then ``add``."""
        self.drop(r, old)
        self.add(r, new, vals)

    def drop(self, r: int, old: int | None) -> None:
        """Row ``r`` was written: it leaves group ``old``'s list (None: a new row).  Every
        written row is dropped before any is added: a list may hold a row deleted since."""
        if old is not None and old < len(self.lists):
            got = self.lists[old]
            if r in got:
                got.remove(r)
                if not got and self.bounded[old]:
                    self.stale = True

    def add(self, r: int, new: int | None, vals: Values) -> None:
        """Written row ``r`` is live in group ``new`` (None: deleted) with value ``vals[r]``;
        ``vals`` current for every listed row."""
        if new is None:
            return
        while new >= len(self.lists):  # a group first met in the written rows: all its rows come here
            self.lists.append([])
            self.bounded.append(False)
        got = self.lists[new]
        key = self._key(vals[r])
        if self.bounded[new] and (not got or key < self._key(vals[got[-1]])):
            return  # no better than the rows left out: stays out
        at = 0
        while at < len(got) and self._key(vals[got[at]]) >= key:
            at += 1
        got.insert(at, r)
        if len(got) > 2 * LEADERS_KEPT:
            del got[LEADERS_KEPT:]
            self.bounded[new] = True

    def extremes(self, groups: Iterable[int], mask: Sequence[int], vals: Values) -> dict[int, Any] | None:
        """group code -> the best value among the selected rows (``mask[r]`` true) of each of
        ``groups``, or None when a group's listed rows are all unselected (and it has others)."""
        out: dict[int, Any] = {}
        lists = self.lists
        for c in groups:
            for r in lists[c]:
                if mask[r]:
                    out[c] = vals[r]
                    break
            else:
                return None  # (a group listing all its rows always holds a selected one)
        return out

    def stuck(self) -> bool:
        """True when some bounded group lost every listed row to writes: it cannot answer
        until the lists are made again."""
        return self.stale

