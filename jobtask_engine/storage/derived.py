"""Data derived from a table's columns and kept beside it between requests: one home, one lookup.

The kinds, each declared (a ``Kind``) beside the code that builds it and keeping its own
rule for what a write costs it:

- ``bitsliced``: integer and 1-byte code columns as bit planes (by field; caught up with the
  rows written, rebuilt past the share; at most ``BIT_PLANES_KEPT`` bitmaps), and the last
  dense selection packed (one entry; caught up while it is the same vector);
- ``object_codes``: which shared stored object each row holds (by field; written rows
  forgotten, everything past the share);
- ``pair_counts``: per code of one column, the codes of another beside it (by field pair;
  caught up, rebuilt past the share; at most ``KEPT_PAIR_INDEXES``);
- ``stat/fast``: group codes per key plan (caught up, rebuilt past the share or when a
  boolean turns up; at most ``KEPT_KEY_PLANS``);
- ``stat/sliced``: the rent paid towards bit planes not built yet (a ledger of ints by the
  fields a group reads: no version, read and written in place);
- ``query/build_ledger``: the rent the planner's passes paid towards sorted indexes not
  built yet (a ledger of floats by field, likewise).

**Home.**  A table holds every kind's entries (``Table.derived``: kind -> {key: entry}, least
recently used first), so they go with it; a module-level ``WeakKeyDictionary`` per kind did
the same with a weak reference made per lookup, and each kind its own lookup.

**Lookup.**  ``Kind.current`` hands out an entry current with the table: the one kept, as it
stands when its ``version`` is the table's, else as ``catch_up(entry, written)`` brings it
there (``written``: ``Table.rows_written_since`` the entry's version; ``catch_up`` returns
False when a rebuild is due, most often because ``within_share`` says so), else a new one
from ``build()`` (then, for a kind that says so, ``Table.trim_after_build``).  The entry is
taken out while it is refreshed, so a stale one is no longer held by the table during its
rebuild, and put back last (most recently used).  Then, with a budget, the least recently
used entries are dropped while the kind holds more than it (counted in entries, or in
``weight``), the one just handed out always kept.  A write costs nothing here: every kind
catches up at its next use.  A ledger (a rent) reads and writes ``kind[table]`` in place,
under the build lock.
A lookup of a current entry costs ~1 µs (20k-row table, CPU, best of 5 x 20k calls:
``Table.bit_slices`` 2.6 µs before, 2.8 after; ``packed_rows`` 0.8 / 1.2; group codes
0.3 / 0.9, the lock now taken by the lookup itself), against 0.4-7 ms for the queries
reading these.

**Threads.**  Readers of the store run at once (``rwlock.RWLock``), a writer alone.  Every
entry is looked up, caught up, built, put back and dropped under the table's ``build_lock``
(re-entrant: a build may look up another kind), so concurrent readers build an entry once
and find it whole; a writer never runs beside a reader, so an entry handed out stays
current until the reader is done.  What a reader does to an entry after it is handed out is
that entry's own rule (its docstring says; e.g. ``BitSlices.equal`` memoises outside the
lock, where racing readers store equal bitmaps).  ``Kind.peek`` reads without the lock (one
``dict.get``): an estimate's read, which may find the entry stale, or missing while another
reader refreshes it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Generic, Protocol, TypeGuard, TypeVar

from ..thresholds import CATCH_UP_SHARE

if TYPE_CHECKING:  # the table imports this module
    from .table import Table

__all__ = ["Kind", "within_share"]


K = TypeVar("K")
V = TypeVar("V")


class _Versioned(Protocol):
    """An entry ``Kind.current`` hands out: it stands as of the table's ``version``."""

    version: int


E = TypeVar("E", bound=_Versioned)


def within_share(written: list[int] | None, rows: int) -> TypeGuard[list[int]]:
    """Whether an entry over ``rows`` rows catches up with ``written`` (the rows written since
    it was made, repeats possible; None when the write log no longer reaches back) rather than
    being rebuilt: while they are at most 1/``CATCH_UP_SHARE`` of its rows (past that, a
    rebuild is the cheaper; ``thresholds.CATCH_UP_SHARE`` has the measurement).  True only
    with ``written`` a list (the checker narrows it so)."""
    return written is not None and len(written) * CATCH_UP_SHARE <= rows


class Kind(Generic[K, V]):
    """One kind of derived data: its entries by key on every table (``kind[table]``) and how
    many of them a table keeps: all, or while they hold at most ``budget()`` (each entry
    counting 1, or ``weight(entry)``), the least recently used dropped first.  The budget is
    read at each use, from the threshold's name in the module declaring the kind.  With
    ``trim``, a build of a big table hands the heap back what it freed
    (``Table.trim_after_build``: a build whose temporaries are large)."""

    __slots__ = ("name", "budget", "weight", "trim")

    def __init__(self, name: str, budget: Callable[[], int] | None = None,
                 weight: Callable[[V], int] | None = None, trim: bool = False) -> None:
        self.name = name
        self.budget = budget
        self.weight = weight
        self.trim = trim

    def __repr__(self) -> str:
        return f"Kind({self.name!r})"

    def __getitem__(self, table: Table) -> dict[K, V]:
        """The table's entries of this kind, least recently used first: read in place (a
        ledger's, under the build lock), or looked at (tests)."""
        kinds = table.derived
        got = kinds.get(self)
        if got is None:
            got = kinds.setdefault(self, {})  # one C call: racing readers get the same dict
        return got

    def peek(self, table: Table, key: K) -> V | None:
        """The entry kept for ``key`` as it stands (maybe stale), without the lock."""
        got = table.derived.get(self)
        return None if got is None else got.get(key)

    def current(self: Kind[K, E], table: Table, key: K, build: Callable[[], E],
                catch_up: Callable[[E, list[int] | None], bool]) -> E:
        """The entry for ``key`` current with the table: kept, caught up or built (see the
        module docstring).  An entry has a ``version`` (the table's, as of which it stands),
        which ``catch_up`` sets to the table's when it returns True."""
        with table.build_lock:
            entries = self[table]
            got = entries.pop(key, None)
            if got is not None:
                since = got.version
                if since != table.version and not catch_up(got, table.rows_written_since(since)):
                    got = None
            if got is None:
                got = build()
                if self.trim:
                    table.trim_after_build()
            entries[key] = got
            if self.budget is not None:
                self._keep(entries, self.budget())
            return got

    def _keep(self, entries: dict[K, V], budget: int) -> None:
        """Drop the least recently used entries while they hold more than ``budget``."""
        weight = self.weight
        if weight is None:
            while len(entries) > budget and len(entries) > 1:
                entries.pop(next(iter(entries)))
            return
        held = sum(map(weight, entries.values()))
        while held > budget and len(entries) > 1:
            held -= weight(entries.pop(next(iter(entries))))
