"""The input of each pipeline stage: a sequence of documents, columnar when possible.

``ColumnFrame`` is the stored table seen through a list of row ids (rows may
repeat after an ``unwind``, whose unwound field values then live in
``overrides``); reading a field path gathers one column, no per-record dict is
built.  ``DocFrame`` is a list of plain documents, which is what stages that
reshape documents (``group``, ``project``, ``count``) produce and what any
stage can fall back to.

Both answer the same questions: ``len``, ``raw(path)`` (values plus whether
they are epoch milliseconds of a datetime column), ``values(path)``
(pipeline values), ``take(positions)`` and ``docs()``.
"""

from __future__ import annotations

from itertools import chain, compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence, TypeVar, overload

from ..paths import agg_column, agg_get
from ..schema import DATETIME, ERRORS, FIELD_NAMES, FIELDS
from ..columns import take
from ..values import MISSING, datetimes_of, ms_to_dt
from ..storage import Table

if TYPE_CHECKING:
    from ..selection import Selection

    #: Values read over a frame's positions: a sequence, or a stored typed column itself when
    #: the rows cover it in order (``columns.TimeColumn``/``CodeColumn``, which the checker
    #: reads as sequences: by index, iteration and length).
    Values = Sequence[Any]

__all__ = ["ColumnFrame", "DocFrame", "GroupFrame", "FieldsFrame", "Frame", "gather", "object_id", "as_lists", "group_id", "group_docs", "drop_missing"]


_T = TypeVar("_T")


@overload
def gather(col: Sequence[_T], rows: Sequence[int]) -> Sequence[_T]: ...
@overload
def gather(col: Values, rows: Sequence[int]) -> Values: ...
def gather(col: Values, rows: Sequence[int]) -> Values:
    """``[col[r] for r in rows]`` at C speed (a tuple); the column itself when rows cover it in order.

    The result is read-only by contract: stages never modify a column they were given.
    """
    n = len(rows)
    if type(rows) is range and rows.step == 1 and rows.start == 0 and n == len(col):
        return col
    if n == 0:
        return ()
    if n == 1:
        return (col[rows[0]],)
    return take(col, itemgetter(*rows))  # a typed column's array read in C (indexing it calls Python per row)


#: Stands for the store's empty ``errors`` tuple; read-only like every column value.
_EMPTY: list = []


def as_lists(col: Iterable[Any]) -> list:
    """The ``errors`` column with tuples (the store's shared empty one) read as arrays.

    No new list per row: allocating 100k containers can trigger full garbage collections.
    """
    return [v if type(v) is not tuple else (list(v) if v else _EMPTY) for v in col]


def group_id(names: Sequence[str], values: Sequence[Any]) -> dict[str, Any]:
    """A group's ``_id`` document from its key names and values (missing values left out)."""
    return {name: v for name, v in zip(names, values) if v is not MISSING}


def group_docs(names: Sequence[str], keys: Sequence[Sequence[Any]], fields: Sequence[str],
               columns: Sequence[Sequence[Any]]) -> list[dict]:
    """The group documents, from each group's key values and each field's column of results
    (one value per group), built row by row in C (``zip``) rather than a field at a time."""
    if MISSING in chain.from_iterable(keys):
        ids = [group_id(names, kv) for kv in keys]
    else:
        ids = [dict(zip(names, kv)) for kv in keys]
    layout = ("_id", *fields)
    return [dict(zip(layout, row)) for row in zip(ids, *columns)]


def drop_missing(out: list[dict], names: Sequence[str], columns: Sequence[Values]) -> None:
    """Fields whose value is MISSING taken out of the rows made from the columns."""
    for name, column in zip(names, columns):
        if MISSING in column:
            for doc, v in zip(out, column):
                if v is MISSING:
                    del doc[name]


def object_id(row: int) -> str:
    """A stable stand-in for the MongoDB ObjectId of a stored row (24 hex digits)."""
    return f"{row:024x}"


class ColumnFrame:
    """Stored rows, possibly repeated, with per-position replacement values for unwound fields.

    The rows are a sequence of row ids, or a selection (anything with
    ``rows()``, ``count()``, ``is_dense`` and ``mask()``, such as the filter's
    result); a dense selection is read with ``compress`` over its 0/1 mask and
    never turned into a list of ids unless a stage needs positions.
    """

    __slots__ = ("table", "_rows", "sel", "overrides", "ascending")

    def __init__(self, table: Table, rows: Sequence[int] | None = None, overrides: dict[str, list] | None = None,
                 sel: Selection | None = None, ascending: bool = True) -> None:
        self.table = table
        self._rows = rows
        self.sel = sel
        self.overrides = overrides or {}
        #: rows are in ascending row id order (insertion order), as the filter gives them
        self.ascending = ascending

    @property
    def rows(self) -> Sequence[int]:
        if self._rows is None:
            self._rows = self.sel.rows()  # type: ignore[union-attr]  # a frame given no rows has a selection
        return self._rows

    def __len__(self) -> int:
        if self._rows is None:
            return self.sel.count()  # type: ignore[union-attr]  # a frame given no rows has a selection
        return len(self._rows)

    def _dense_mask(self) -> bytes | bytearray | None:
        """The selection's 0/1 mask when the rows are best read through it (a dense selection
        whose rows were never listed: one ``compress`` instead of a list of row ids)."""
        if self._rows is None and self.sel is not None and self.sel.is_dense:
            return self.sel.mask()
        return None

    def column(self, name: str) -> Values:
        """One stored column over the frame's rows."""
        col = self.table.columns[name]
        mask = self._dense_mask()
        return gather(col, self.rows) if mask is None else list(compress(col, mask))

    def reader(self) -> Callable[[Values], Iterable[Any]]:
        """A function reading any table-aligned column (a stored one, its codes, cached group
        codes) over the frame's rows, as an iterable, the way ``column`` reads a stored one."""
        mask = self._dense_mask()
        if mask is not None:
            return lambda col: compress(col, mask)
        rows = self.rows
        return lambda col: gather(col, rows)

    def raw(self, parts: tuple[str, ...]) -> tuple[Values, bool]:
        """Values of a field path per position; True when they are epoch ms of a datetime column."""
        top = parts[0]
        over = self.overrides.get(top)
        if over is not None:
            if len(parts) == 1:
                return over, False
            rest = parts[1:]
            return [agg_get(v, rest) for v in over], False
        field = FIELDS.get(top)
        if field is None:
            if top == "_id" and len(parts) == 1:
                return [object_id(r) for r in self.rows], False
            return [MISSING] * len(self.rows), False
        col = self.column(top)
        if field.kind == ERRORS:
            col = as_lists(col)
            if len(parts) == 1:
                return col, False
            rest = parts[1:]
            return [agg_get(v, rest) for v in col], False
        if len(parts) == 1:
            return col, field.kind == DATETIME
        return [MISSING] * len(col), False

    def values(self, parts: tuple[str, ...]) -> Values:
        vals, is_ms = self.raw(parts)
        if is_ms:
            return datetimes_of(vals)
        return vals

    def take(self, positions: Sequence[int], ordered: bool = True) -> "ColumnFrame":
        """The documents at ``positions``; ``ordered``: the positions are ascending."""
        picked = list(gather(self.rows, positions))
        overrides = {k: list(gather(v, positions)) for k, v in self.overrides.items()}
        return ColumnFrame(self.table, picked, overrides, ascending=self.ascending and ordered)

    def slice(self, start: int, stop: int | None) -> "ColumnFrame":
        overrides = {k: v[start:stop] for k, v in self.overrides.items()}
        return ColumnFrame(self.table, self.rows[start:stop], overrides, ascending=self.ascending)

    def docs(self) -> list[dict]:
        """The documents as MongoDB stores them (``_id`` first, unstored fields absent)."""
        names = [n for n in FIELD_NAMES if n not in self.overrides]
        rows = self.rows
        # each column read over the rows at once, in C (a code column indexed per row calls Python)
        cols = {name: gather(self.table.columns[name], rows) for name in names}
        date_names = {n for n in names if FIELDS[n].kind == DATETIME}
        out = []
        over_items = list(self.overrides.items())
        for pos, r in enumerate(rows):
            doc: dict[str, Any] = {"_id": object_id(r)}
            for name in names:
                v = cols[name][pos]
                if v is MISSING:
                    continue
                if name in date_names and v is not None:
                    v = ms_to_dt(v)
                elif type(v) is tuple:
                    v = list(v)
                doc[name] = v
            for name, vals in over_items:
                v = vals[pos]
                if v is not MISSING:
                    doc[name] = v
            out.append(doc)
        return out


class DocFrame:
    """A list of pipeline documents."""

    __slots__ = ("documents",)

    def __init__(self, documents: list[dict]) -> None:
        self.documents = documents

    def __len__(self) -> int:
        return len(self.documents)

    def raw(self, parts: tuple[str, ...]) -> tuple[list, bool]:
        return self.values(parts), False

    def values(self, parts: tuple[str, ...]) -> list:
        return agg_column(self.documents, parts)

    def take(self, positions: Sequence[int], ordered: bool = True) -> "DocFrame":
        docs = self.documents
        return DocFrame([docs[i] for i in positions])

    def slice(self, start: int, stop: int | None) -> "DocFrame":
        return DocFrame(self.documents[start:stop])

    def docs(self) -> list[dict]:
        return self.documents


class GroupFrame:
    """A group stage's output kept as columns: its key values and field values, one entry per
    group, the documents ``{"_id": {key: value, ...}, field: value, ...}`` made only when a
    stage asks for them (``docs``).

    Sorting, cutting a page and shaping the answer read the columns: a group per task over
    100k records built each group's ``_id``, its document, and the flattened answer row,
    three dicts a group, where the columns need one (the answer row), and only for the
    groups a page keeps.  Reads answer as the documents would (``agg_column`` of them):
    a missing key value (MISSING in its column) is absent from that group's ``_id``.
    """

    __slots__ = ("key_names", "keys", "field_names", "fields", "_docs")

    def __init__(self, key_names: Sequence[str], keys: Sequence[Sequence], field_names: Sequence[str],
                 fields: Sequence[Sequence]) -> None:
        self.key_names = tuple(key_names)
        #: one column per key (values per group; MISSING where a group has none)
        self.keys = list(keys)
        self.field_names = tuple(field_names)
        #: one column per field
        self.fields = list(fields)
        self._docs: list[dict] | None = None

    def __len__(self) -> int:
        return len((self.keys or self.fields)[0]) if self.keys or self.fields else 0

    def raw(self, parts: tuple[str, ...]) -> tuple[list, bool]:
        return self.values(parts), False

    def values(self, parts: tuple[str, ...]) -> list:
        top, rest = parts[0], parts[1:]
        if top == "_id":
            if not rest:
                return [doc["_id"] for doc in self.docs()]
            if rest[0] not in self.key_names:
                return [MISSING] * len(self)
            column = self.keys[self.key_names.index(rest[0])]
            rest = rest[1:]
        elif top in self.field_names:
            column = self.fields[self.field_names.index(top)]
        else:
            return [MISSING] * len(self)
        if not rest:
            return list(column)
        return [agg_get(v, rest) for v in column]

    def take(self, positions: Sequence[int], ordered: bool = True) -> "GroupFrame":
        return GroupFrame(self.key_names, [gather(c, positions) for c in self.keys],
                          self.field_names, [gather(c, positions) for c in self.fields])

    def slice(self, start: int, stop: int | None) -> "GroupFrame":
        return GroupFrame(self.key_names, [c[start:stop] for c in self.keys],
                          self.field_names, [c[start:stop] for c in self.fields])

    def docs(self) -> list[dict]:
        """The group documents (made once, on first use)."""
        if self._docs is None:
            self._docs = group_docs(self.key_names, list(zip(*self.keys)), self.field_names, self.fields)
        return self._docs


class FieldsFrame:
    """A project stage's output kept as columns: one per output field, MISSING where a
    document has no such field; the documents ``{name: value, ...}`` made only when a stage
    asks for them (``docs``).  A field kept from a stored datetime column stays epoch
    milliseconds (``millis``), read as datetimes (``values``) or as they are (``raw``).

    Projecting 15 fields of 100k records built 100k documents a field at a time, made 300k
    datetimes and wrote each out again when the answer was shaped (0.85 s); the columns
    are shaped into one dict a row, the datetimes written from their milliseconds.
    """

    __slots__ = ("names", "columns", "size", "millis", "_docs")

    def __init__(self, names: Sequence[str], columns: Sequence[Values], size: int,
                 millis: frozenset[str] = frozenset()) -> None:
        self.names = tuple(names)
        self.columns = list(columns)
        self.size = size
        #: names of the columns holding epoch ms of a stored datetime column
        self.millis = millis
        self._docs: list[dict] | None = None

    def __len__(self) -> int:
        return self.size

    def raw(self, parts: tuple[str, ...]) -> tuple[list, bool]:
        if len(parts) == 1 and parts[0] in self.millis:
            return list(self.columns[self.names.index(parts[0])]), True
        return self.values(parts), False

    def values(self, parts: tuple[str, ...]) -> list:
        top = parts[0]
        if top not in self.names:
            return [MISSING] * self.size
        column = self.columns[self.names.index(top)]
        if top in self.millis:
            column = datetimes_of(column)
        if len(parts) == 1:
            return list(column)
        return [agg_get(v, parts[1:]) for v in column]

    def take(self, positions: Sequence[int], ordered: bool = True) -> "FieldsFrame":
        return FieldsFrame(self.names, [gather(c, positions) for c in self.columns], len(positions), self.millis)

    def slice(self, start: int, stop: int | None) -> "FieldsFrame":
        return FieldsFrame(self.names, [c[start:stop] for c in self.columns], len(range(self.size)[start:stop]),
                           self.millis)

    def docs(self) -> list[dict]:
        """The documents (made once, on first use), fields whose value is MISSING left out."""
        if self._docs is None:
            names = self.names
            columns = [datetimes_of(c) if n in self.millis else c for n, c in zip(names, self.columns)]
            docs = [dict(zip(names, row)) for row in zip(*columns)] if names else [{} for _ in range(self.size)]
            drop_missing(docs, names, columns)
            self._docs = docs
        return self._docs


#: What a stage reads and returns.
Frame = ColumnFrame | DocFrame | GroupFrame | FieldsFrame
