"""Columnar storage of JobTask rows, and the one index interface the planner and stat ask.

A row is an integer id, given in insertion order and never reused; each field
is one column indexed by row id (``columns.py``: a list, a ``TimeColumn`` or a
``CodeColumn``).  Insertion order is also the order MongoDB returns documents
in and breaks sort ties with, so "ascending row id" is the engine's natural
order everywhere.

The parts, each in its own module and each kept current by every write once it exists:

- ``liveness.Liveness``: the row ids handed out and the deleted ones (the one place);
- ``postings.Postings`` per string field: each value's rows (built from the codes on first use);
- ``sorted_index.SortedIndex`` per integer or datetime field: (value, row) order, range codes;
- ``arrival.ArrivalOrder``: where each integer or datetime field steps down in row order (a
  field that arrives in order has its index merged from its runs, not sorted);
- order views (null, missing and deleted as -inf) per integer or datetime field;
- ``text``: ``contain`` over a code column (a test per value) or the ids' lower-cased text;
- ``ids.IdIndex``: job_task_id -> row (built on the first call naming a record);
- ``changes.WriteLog``: the version, and which rows each recent write touched;
- ``bitsliced``: integer and code columns as bit planes, and selections as packed
  bitmaps (caches beside the table, caught up at their next use, never by a write);
- ``object_codes.ObjectCodes``: which shared stored object (an ``errors`` list) each row holds;
- ``pair_counts.PairCounts``: per value of one code column, the codes of another its rows hold.
- ``derived``: where the last three (and the stat group codes) are kept, and their one lookup.

Readers outside the storage ask through ``Table``'s methods (``posting``,
``value_selection``, ``posted_values``, ``string_range``, ``sorted_index``,
``order_view``, ``rows_containing``, ``value_count``, ``range_count``,
``arrival_runs``, ``sorted_index_runs``, ``row_of``, ``bit_slices``, ``bit_slices_due``,
``packed_rows``, ``object_counts``, ``codes_beside``) and read ``columns``; no one reads a
part's private state.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, Sequence

from ..columns import CodeColumn, TimeColumn, new_column
from ..heap import return_big_blocks_on_free, return_freed_memory
from ..schema import DATETIME, FIELD_NAMES, FIELDS, INT, MISSING, STR, UPDATABLE
from ..selection import Selection
from ..thresholds import TRIM_AFTER
from .arrival import ArrivalOrder
from .bitsliced import BitSlices, bit_slices, build_due, packed_rows
from .changes import WriteLog
from .derived import Kind
from .ids import IdIndex
from .liveness import Liveness
from .object_codes import OBJECT_CODES, ObjectCodes
from .pair_counts import PAIR_COUNTS, PairCounts
from .postings import Posting, Postings
from .sorted_index import SortedIndex, arrives_in_order
from .text import ContainText, coded_rows_containing

__all__ = ["Table", "NEG_INF"]

NEG_INF = float("-inf")

Column = list | TimeColumn | CodeColumn


def _view_value(x: Any) -> Any:
    return NEG_INF if x is None or x is MISSING else x


class Table:
    def __init__(self) -> None:
        # Before any load: its temporaries and the queries' go back to the system when freed.
        return_big_blocks_on_free()
        #: field -> its column; ``columns[name][r]`` is the stored value (int, str, errors,
        #: None or MISSING) whatever the representation
        self.columns: dict[str, Column] = {name: new_column(name) for name in FIELD_NAMES}
        #: held while a reader builds an index or cache on first use, so concurrent readers
        #: (the store lets readers run together) build it once and publish it whole
        self.build_lock = threading.RLock()
        #: repeated values shared through one object per distinct value (ingest's pools: the
        #: code columns' strings, error codes and messages, whole stored error lists keyed by
        #: their JSON, repeated counts)
        self.pools: dict[str, dict] = {
            name: {} for name, f in FIELDS.items() if f.kind == STR and name != "job_task_id"
        }
        self.pools["errors"] = {}
        self.pools.update((name, {}) for name, f in FIELDS.items() if f.kind == INT)
        self._live = Liveness()
        self._log = WriteLog()
        self._ids = IdIndex(self.columns["job_task_id"], self.build_lock)
        self._postings: dict[str, Postings] = {}
        self._sorted: dict[str, SortedIndex] = {}
        self._views: dict[str, list] = {}
        self._texts: dict[str, ContainText] = {}
        self._arrival = ArrivalOrder()
        #: the data derived from the columns and kept beside them (bit planes, group codes,
        #: object codes, pair counts...): kind -> {key: entry}, least recently used first,
        #: caught up at their next use, never by a write (``derived.py``)
        self.derived: dict[Kind, dict] = {}

    @classmethod
    def of_columns(
        cls,
        cols: dict[str, Column],
        pools: dict[str, dict],
        sorted_parts: dict[str, tuple] | None = None,
        steps: dict[str, list[int] | None] | None = None,
    ) -> "Table":
        """A table holding these validated columns as they are, without copying them (an
        opened snapshot's, which nothing else references), its value pools, the sorted
        indexes saved with them (``SortedIndex.of_parts`` arguments after the column), and the
        arrival order saved of some columns (``arrival_steps``; the others found at the first
        ask).  The id index is built at the first call naming a record."""
        table = cls()
        n = len(cols["job_task_id"])
        table.columns = {name: cols[name] for name in FIELD_NAMES}
        for name, pool in pools.items():
            table.pools[name].update(pool)
        table._live = Liveness(n)
        table._ids = IdIndex(table.columns["job_task_id"], table.build_lock, built=False)
        table._arrival = ArrivalOrder(known=False, saved=steps)
        for name in table._arrival.fields():  # those not saved found now, not in a first query:
            # one C pass each (1M rows: ~30 ms for created_at, a chunk for a column out of order)
            table._arrival.steps(name, table.sort_source(name), table._live)
        for name, parts in (sorted_parts or {}).items():
            table._sorted[name] = SortedIndex.of_parts(table.sort_source(name), *parts)
        table._changed(range(n))
        return table

    # -- rows ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._live)

    @property
    def capacity(self) -> int:
        """Number of row ids handed out so far (alive or not)."""
        return self._live.capacity

    @property
    def alive(self) -> Sequence[int]:
        """Ascending ids of live rows (a ``range`` while nothing was deleted)."""
        return self._live.rows

    def live_mask(self) -> bytearray | None:
        """1 per live row id, 0 per deleted one, or None while nothing was deleted."""
        return self._live.live_mask()

    def all_rows(self) -> Selection:
        return self._live.selection()

    def row_of(self, job_task_id: str) -> int | None:
        """The live row holding ``job_task_id``, or None."""
        return self._ids.row_of(job_task_id)

    def ids_taken(self, ids: Iterable[str]) -> bool:
        """True when one of ``ids`` is already held."""
        return not self._ids.isdisjoint(ids)

    def id_rows(self) -> dict[str, int]:
        """job_task_id -> row of every live row (read-only by contract)."""
        return self._ids.rows

    @property
    def version(self) -> int:
        """Bumped on every change; caches derived from the columns key on it."""
        return self._log.version

    def rows_written_since(self, version: int) -> list[int] | None:
        """Row ids created, updated or deleted after ``version`` (repeats possible), or None
        when the log of recent writes no longer reaches back that far: lets a cache built
        at ``version`` catch up row by row instead of being rebuilt."""
        return self._log.rows_since(version)

    # -- string fields: postings and contain -------------------------------------------
    def postings(self, field: str) -> Postings:
        """The field's equality index, built on first use."""
        index = self._postings.get(field)
        if index is None:
            with self.build_lock:
                index = self._postings.get(field)
                if index is None:
                    live = self._live
                    index = Postings.of_column(self.columns[field], live.rows, live.live_mask(), live.capacity)
                    self._postings[field] = index
                    self.trim_after_build()
        return index

    def posting(self, field: str, value: Any) -> Posting:
        """Ascending rows whose ``field`` is ``value`` (str, None or MISSING)."""
        return self.postings(field).get(value)

    def posted_values(self, field: str) -> list[Any]:
        """Every value a live row holds in ``field``: strings ascending, then null / not stored."""
        return self.postings(field).values()

    def value_selection(self, field: str, values: Sequence[Any]) -> Selection:
        """Rows whose ``field`` equals one of ``values`` (str, None or MISSING)."""
        return self.postings(field).selection(values)

    def string_range(self, field: str, op: str, v: str) -> list[int]:
        """Rows whose string value is ``op`` v, unordered (served from the sorted keys)."""
        return self.postings(field).string_range(op, v)

    def value_count(self, field: str, values: Sequence[Any]) -> int:
        """How many live rows hold one of ``values`` in an indexed ``field`` (posting sizes)."""
        return self.postings(field).count(values)

    def rows_containing(self, field: str, needle: str) -> list[int] | None:
        """Ascending rows whose string value contains ``needle`` (already lower-case ASCII),
        case-insensitively; None when the column cannot be searched this way."""
        col = self.columns[field]
        if type(col) is CodeColumn:
            return coded_rows_containing(col, needle)
        stamp = self.version if field in UPDATABLE else self.capacity
        text = self._texts.get(field)
        if text is None or text.stamp != stamp:
            with self.build_lock:
                text = self._texts.get(field)
                if text is None or text.stamp != stamp:
                    text = self._texts[field] = ContainText(col, stamp)
                    self.trim_after_build()
        return text.rows_containing(col, needle)

    # -- integer and datetime fields: sorted indexes and order views -------------------
    def range_count(self, field: str, op: str, v: Any) -> int:
        """About how many rows of an integer/datetime ``field`` are ``op`` v (sorted index bisection;
        rows written since its last rebuild counted in)."""
        return self.sorted_index(field).range_size(op, v)

    def has_sorted_index(self, field: str) -> bool:
        """Whether ``field``'s sorted index exists (built, or read from a snapshot): the planner
        weighs a pass over the candidates against building one."""
        return field in self._sorted

    def sorted_index(self, field: str) -> SortedIndex:
        """The (value, row) order of an integer or datetime column, built on first use (its runs
        merged when it arrives in order, else sorted)."""
        index = self._sorted.get(field)
        if index is None:
            assert FIELDS[field].kind in (INT, DATETIME)
            with self.build_lock:
                index = self._sorted.get(field)
                if index is None:
                    source = self.sort_source(field)
                    steps = self._arrival.positions(field, source, self._live)
                    live = self._live.live_mask()
                    index = self._sorted[field] = SortedIndex(source, self.alive, steps, steps is not None, live)
                    self.trim_after_build()
        return index

    def arrival_runs(self, field: str) -> int:
        """How many runs an integer or datetime field's live values form in row order (1: never
        a step down), 0 when too many for its sorted index to be merged from them
        (``sorted_index.arrives_in_order``): the planner's measure of what building the index
        costs.  Kept under writes; found by one C pass when a write left it unknown."""
        with self.build_lock:
            steps = self._arrival.steps(field, self.sort_source(field), self._live)
        return len(steps) + 1 if steps is not None and arrives_in_order(len(steps), len(self)) else 0

    def arrival_steps(self) -> dict[str, list[int] | None]:
        """Per integer/datetime field whose arrival order is known: the positions among the live
        rows where it steps down (None: too many), as a snapshot keeps them."""
        return self._arrival.saved(self._live)

    def sorted_index_runs(self, field: str) -> int:
        """How the field's built sorted index was last made: the runs merged, 0 when sorted, read
        from a snapshot, or not built."""
        index = self._sorted.get(field)
        return 0 if index is None else index.runs

    def built_sorted_indexes(self) -> dict[str, SortedIndex]:
        """The sorted indexes built so far, by field (a copy of the table's own dict)."""
        return dict(self._sorted)

    def sort_source(self, field: str) -> Sequence[Any]:
        """An integer or datetime column as the sorted index reads it: the ints themselves,
        null as ``NULL_KEY`` (a datetime column's raw array, whose null sentinel is that key;
        an integer column's list holds None and ``MISSING`` as they are)."""
        col = self.columns[field]
        return col.raw if type(col) is TimeColumn else col

    def order_view(self, field: str) -> Sequence[Any]:
        """An integer or datetime column with null, missing and deleted as -inf, so that
        plain comparisons never fail; built on first use, then kept current.

        While nothing is absent it is the column's own ints (a datetime column's raw array)."""
        col = self.columns[field]
        if not self._live.any_deleted and (type(col) is not TimeColumn or not col.absent):
            return self.sort_source(field)  # nothing null or missing
        view = self._views.get(field)
        if view is None:
            with self.build_lock:
                view = self._views.get(field)
                if view is None:
                    view = self._views[field] = [_view_value(x) for x in self.columns[field]]
        return view

    # -- bit-sliced columns ----------------------------------------------------------------
    def bit_slices(self, field: str) -> BitSlices | None:
        """An integer column, or a code column with 1-byte codes, as bit planes current with
        the table (built on first use, caught up with the writes since at the next), or None
        for any other column (``bitsliced.py``)."""
        return bit_slices(self, field)

    def bit_slices_due(self, field: str) -> int:
        """The work (units, ~ns) ``bit_slices(field)`` would spend building now: 0 when its
        planes are current or catch up cheaply (``bitsliced.build_due``)."""
        return build_due(self, field)

    def packed_rows(self, sel: Selection) -> int | None:
        """A selection's rows as one packed bitmap (bit r: row r), or None for a listed
        selection of some rows (``bitsliced.packed_rows``)."""
        return packed_rows(self, sel)

    def trim_after_build(self) -> None:
        """An index of a big table (or a cache kept beside it, stat key codes) was built: the
        heap hands back what the build freed below ``thresholds.MMAP_THRESHOLD``."""
        if self.capacity >= TRIM_AFTER:
            return_freed_memory()

    # -- writing --------------------------------------------------------------------------
    def append_columns(self, cols: dict[str, Any], id_rows: dict[str, int] | None = None) -> None:
        """Append already validated and uniqueness-checked rows, given column by column
        (a code column's as values or as ``StagedCodes``); ``id_rows``, when the caller has
        it, is the new ids' rows (``{id: row}`` in row order), which the id index takes."""
        start = self.capacity
        added = len(cols["job_task_id"])
        for name, col in self.columns.items():
            col.extend(cols[name])
        self._live.grow(added)
        end = self.capacity
        self._arrival.appended(self.sort_source, self._live, start, end)
        for field, index in self._postings.items():
            index.grow(self.columns[field], start, end)
        for name, view in self._views.items():
            view.extend(map(_view_value, cols[name]))
        self._ids.added(start, end, id_rows)
        self._changed(range(start, end))
        for name, sorted_index in self._sorted.items():
            for r, value in zip(range(start, end), cols[name]):
                sorted_index.insert(r, value)
            self._settle(name)

    def set_values(self, r: int, changes: dict[str, Any]) -> None:
        for name, value in changes.items():
            old = self.columns[name][r]
            if old is value or (type(old) is type(value) and old == value):
                continue  # unchanged: no index to touch
            postings = self._postings.get(name)
            if postings is not None:
                postings.discard(old, r)
                postings.add(value, r)
            index = self._sorted.get(name)
            if index is not None:
                index.remove(r, old)
                index.insert(r, value)
            view = self._views.get(name)
            if view is not None:
                view[r] = _view_value(value)
            self.columns[name][r] = value
            if FIELDS[name].kind in (INT, DATETIME):
                self._arrival.rewritten(name, self.sort_source(name), self._live, r)
        self._changed(r)
        for name in changes:
            if name in self._sorted:
                self._settle(name)

    def delete_row(self, r: int) -> None:
        for name, postings in self._postings.items():
            postings.discard(self.columns[name][r], r)
        for name, index in self._sorted.items():
            index.remove(r, self.columns[name][r])
        self._ids.removed(self.columns["job_task_id"][r])
        self._arrival.deleting(self.sort_source, self._live, r)
        self._live.delete(r)
        for col in self.columns.values():
            col[r] = MISSING
        for view in self._views.values():
            view[r] = NEG_INF
        self._changed(r)
        for name in self._sorted:
            self._settle(name)

    def _settle(self, name: str) -> None:
        index = self._sorted[name]
        if index.unsettled:
            steps = self._arrival.positions(name, self.sort_source(name), self._live)
            index.rebuild(self.alive, steps, steps is not None, self._live.live_mask())

    def _changed(self, rows: int | range | None = None) -> None:
        """Bump the version after a write to ``rows`` (None: rows unknown, every cache restarts)."""
        for postings in self._postings.values():
            postings.changed()
        self._log.note(rows)

    # -- rows counted per shared stored object (errors) ------------------------------------
    def object_counts(self, field: str, rows: Selection | Sequence[int]) -> list[tuple[Any, int]] | None:
        """(stored object, how many of ``rows`` hold that very object) per distinct object of
        ``field`` (its rows share objects: ``errors``), in order of first holding row; None when
        the rows hold more than 255 distinct objects.  Codes kept beside the table
        (``object_codes.ObjectCodes``, 2 B/record), made on first read, forgotten row by row
        after writes."""
        col = self.columns[field]
        with self.build_lock:  # the codes are coded as they are read
            codes = OBJECT_CODES.current(self, field, lambda: ObjectCodes(len(col), self.version),
                                         lambda codes, written: codes.catch_up(col, self.version, written))
            return codes.counts(col, rows)

    # -- codes of one code column beside a value of another (index-only distinct) ----------
    def codes_beside(self, field: str, key_field: str, key_value: Any) -> list[int] | None:
        """The codes of ``field`` that the live rows whose ``key_field`` is ``key_value`` hold
        (both code columns), from counts kept per key (``pair_counts.PairCounts``: ~4 B/record
        with the pairs, made per key on first use, caught up after writes); None when the key
        is MISSING or a field is not a code column."""
        key_col, col = self.columns[key_field], self.columns[field]
        if type(key_col) is not CodeColumn or type(col) is not CodeColumn or key_value is MISSING:
            return None
        key = key_col.code(key_value)
        if key is None:
            return []  # no row ever held it
        with self.build_lock:  # a key's counts are made as they are read
            pairs = PAIR_COUNTS.current(self, (key_field, field), lambda: PairCounts(key_col, col, self.version),
                                        lambda pairs, written: pairs.catch_up(key_col, col, self.version, written))
            return pairs.value_codes(key, col, lambda: self.value_selection(key_field, [key_value]))
