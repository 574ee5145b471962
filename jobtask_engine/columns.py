"""Column representations, and which one each field kind gets (measured).

A column is a sequence indexed by row id whose elements are the stored Python
values: an int, a str, the shared errors list, ``None`` (stored as null) or
``MISSING`` (not stored).  Two representations hold them:

- a ``list`` of objects the store allocated itself — strings (pooled, one
  object per distinct value, so 8 bytes a row), integers (the counts are
  mostly below 257, CPython's cached small ints: 8 bytes a row as well, the
  same as an ``array('q')``, which would box every element it hands out), and
  ``errors``;
- a ``TimeColumn`` for datetimes: epoch milliseconds in one ``array('q')``,
  null and 'not stored' as two sentinels below every representable instant.
  Every datetime is a distinct large int, so a list costs 8 + 32 bytes a row
  and the array 8 (measured on 300k workload records, ``load_file``: the three
  datetime columns held 118.5 B/record as lists, 24 as arrays).

Bulk readers (sorted indexes, order views, day numbers, snapshots) read
``TimeColumn.raw`` at C speed; per-element readers index the column as they
index a list and get the same values back.
"""

from __future__ import annotations

from array import array
from operator import itemgetter
from typing import Any, Final, Iterable, Iterator, Sequence

from .schema import DATETIME, FIELDS, MISSING

__all__ = ["TimeColumn", "NULL_MS", "MISSING_MS", "ARRAY_KINDS", "new_column"]

#: ``TimeColumn.raw`` value of a null datetime (also the sorted indexes' key of null: below all).
NULL_MS: Final = -(2**63)
#: ``TimeColumn.raw`` value of a datetime that is not stored (the other sentinel; instants
#: start at year 1, far above both).
MISSING_MS: Final = NULL_MS + 1

#: Which field kinds are stored as typed arrays (everything else: lists; see the module doc).
ARRAY_KINDS: Final = frozenset({DATETIME})

_DECODE: Final[dict[int, Any]] = {NULL_MS: None, MISSING_MS: MISSING}


def _encode(value: Any) -> int:
    if value is None:
        return NULL_MS
    if value is MISSING:
        return MISSING_MS
    return value


class TimeColumn:
    """Epoch milliseconds per row in an ``array('q')``; reads back ``int | None | MISSING``.

    ``absent`` counts the rows holding a sentinel, so a reader can take the raw
    array as it is (C speed, no conversion) while it is 0.
    """

    __slots__ = ("raw", "absent")

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self.raw = array("q")
        self.absent = 0
        self.extend(values)

    @classmethod
    def of_array(cls, raw: array, absent: int | None = None) -> "TimeColumn":
        """A column over this array (taken, not copied) holding ``absent`` sentinels
        (counted when not given: a pass that boxes every element)."""
        col = cls.__new__(cls)
        col.raw = raw
        col.absent = raw.count(NULL_MS) + raw.count(MISSING_MS) if absent is None else absent
        return col

    def __len__(self) -> int:
        return len(self.raw)

    def __getitem__(self, i: Any) -> Any:
        if type(i) is slice:
            part = self.raw[i]
            return list(map(_DECODE.get, part, part))
        v = self.raw[i]
        return v if v > MISSING_MS else _DECODE[v]

    def __setitem__(self, i: int, value: Any) -> None:
        raw = self.raw
        new = _encode(value)
        self.absent += (new <= MISSING_MS) - (raw[i] <= MISSING_MS)
        raw[i] = new

    def __iter__(self) -> Iterator[Any]:
        raw = self.raw
        return iter(raw) if not self.absent else map(_DECODE.get, raw, raw)

    def __contains__(self, value: Any) -> bool:
        if value is None or value is MISSING:
            return self.absent > 0 and _encode(value) in self.raw
        return type(value) is int and value in self.raw

    def __eq__(self, other: object) -> bool:
        if isinstance(other, TimeColumn):
            return self.raw == other.raw
        if isinstance(other, (list, tuple)):
            return len(other) == len(self.raw) and all(map(_same, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"TimeColumn({list(self)!r})"

    def append(self, value: Any) -> None:
        new = _encode(value)
        self.raw.append(new)
        self.absent += new <= MISSING_MS

    def extend(self, values: Iterable[Any]) -> None:
        raw = self.raw
        start = len(raw)
        if isinstance(values, TimeColumn):
            raw.extend(values.raw)
            self.absent += values.absent
            return
        if not isinstance(values, (list, tuple)):
            values = list(values)  # read twice below when a value is absent
        try:
            raw.extend(values)  # every value an int: in C
        except TypeError:  # a null or missing among them: the first ones were appended already
            del raw[start:]
            raw.extend(map(_encode, values))
            part = raw[start:]
            self.absent += part.count(NULL_MS) + part.count(MISSING_MS)

    def take(self, rows: Sequence[int]) -> Sequence[Any]:
        """The values at ``rows`` (more than one) at C speed: ``itemgetter`` on the array."""
        got = itemgetter(*rows)(self.raw)
        if not self.absent:
            return got
        return tuple(map(_DECODE.get, got, got))


def _same(a: Any, b: Any) -> bool:
    return a is b if (a is None or a is MISSING or b is None or b is MISSING) else a == b


def new_column(name: str, values: Iterable[Any] = ()) -> list | TimeColumn:
    """An empty (or filled) column for field ``name``, in its kind's representation."""
    if FIELDS[name].kind in ARRAY_KINDS:
        return TimeColumn(values)
    return list(values)
