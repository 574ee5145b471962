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
  datetime columns held 118.5 B/record as lists, 24 as arrays);
- a ``CodeColumn`` for the repeated strings (every string field but
  ``job_task_id``): one code per row in a typed array (1 byte while the field
  has at most 256 codes, then 2, then 4) and the value table it indexes, with
  'not stored' and null as the two reserved codes 0 and 1.  A list of pooled
  strings costs 8 bytes a row; the codes 1.

Bulk readers (sorted indexes, order views, day numbers, snapshots, postings,
group codes, contain) read ``TimeColumn.raw`` and ``CodeColumn.codes`` at C
speed; per-element readers index the column as they index a list and get the
same values back.  Indexing a ``CodeColumn`` goes through a Python method
(100k reads: 5.2 ms, against 1.1 ms on a list and 2.4 ms for
``values[codes[r]]`` written out), so loops over rows read ``codes`` and
``values`` themselves.
"""

from __future__ import annotations

from array import array
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Final, Iterable, Iterator, Sequence

from .schema import DATETIME, FIELDS, MISSING, STR
from .thresholds import BYTE_CODES

__all__ = [
    "TimeColumn",
    "CodeColumn",
    "CodeStage",
    "StagedCodes",
    "NULL_MS",
    "MISSING_MS",
    "CODE_MISSING",
    "CODE_NULL",
    "ARRAY_KINDS",
    "CODED",
    "code_typecode",
    "new_column",
    "take",
]

#: ``TimeColumn.raw`` value of a null datetime (also the sorted indexes' key of null: below all).
NULL_MS: Final = -(2**63)
#: ``TimeColumn.raw`` value of a datetime that is not stored (the other sentinel; instants
#: start at year 1, far above both).
MISSING_MS: Final = NULL_MS + 1

#: Which field kinds are stored as typed arrays of their values (see the module doc).
ARRAY_KINDS: Final = frozenset({DATETIME})
#: The fields held as a ``CodeColumn``: every string field but the unique ids.
CODED: Final = frozenset(name for name, f in FIELDS.items() if f.kind == STR and name != "job_task_id")
#: ``CodeColumn`` code of 'not stored' (also every deleted row's) and of null.
CODE_MISSING: Final = 0
CODE_NULL: Final = 1
#: Code array typecodes by width, and the codes each holds (see ``code_typecode``).
_CODE_TYPECODES: Final = (("B", BYTE_CODES), ("H", 1 << 16), ("I", 1 << 32))


def code_typecode(count: int) -> str:
    """The typecode of a ``CodeColumn``'s code array once its value table holds ``count``
    codes (the two reserved ones included): the narrowest that holds them, "" past the
    widest.  The column widens by it, a snapshot's code width must be it, the checks ask it."""
    return next((t for t, limit in _CODE_TYPECODES if count <= limit), "")

_DECODE: Final[dict[int, Any]] = {NULL_MS: None, MISSING_MS: MISSING}


def _encode(value: Any) -> int:
    if value is None:
        return NULL_MS
    if value is MISSING:
        return MISSING_MS
    return value


if TYPE_CHECKING:
    # Read wherever a column is read as a sequence of the stored values (length, an index or a
    # slice, iteration, ``in``); for the checker only (``index`` and ``count`` are not there).
    _ColumnBase = Sequence[Any]
else:
    _ColumnBase = object


class _TypedColumn(_ColumnBase):
    """What both typed columns share: equal to another of their kind, or to the list of the
    values they read back (null and 'not stored' compared by identity)."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return self._same_as(other)  # type: ignore[attr-defined]  # each kind's own, taking its kind
        if isinstance(other, (list, tuple)):
            return len(other) == len(self) and all(map(_same, self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # unhashable, as a list

    def __repr__(self) -> str:
        return f"{type(self).__name__}({list(self)!r})"


class TimeColumn(_TypedColumn):
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

    def _same_as(self, other: "TimeColumn") -> bool:
        return self.raw == other.raw

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


def _same(a: Any, b: Any) -> bool:
    return a is b if (a is None or a is MISSING or b is None or b is MISSING) else a == b


class CodeColumn(_TypedColumn):
    """Dictionary-encoded strings: a code per row in ``codes``, ``values[code]`` its value.

    ``values[0]`` is ``MISSING`` and ``values[1]`` None (codes ``CODE_MISSING`` and
    ``CODE_NULL``), then each distinct string in order of first appearance, so
    the same rows written in the same order give the same table whatever path
    they came by.  A value stays in the table when no row holds it any more
    (an update or a delete): codes are never renumbered, so a reader's codes stay
    valid for the table's life.  ``code_of`` is the inverse.
    """

    __slots__ = ("codes", "values", "code_of", "_boxed", "_ints")

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self.codes = array("B")
        self.values: list[Any] = [MISSING, None]
        self.code_of: dict[Any, int] = {MISSING: CODE_MISSING, None: CODE_NULL}
        self._boxed: list[int] | None = None  # see ``code_list``
        self._ints: list[int] | None = None
        self.extend(values)

    @classmethod
    def of_parts(cls, codes: array, strings: list[str]) -> "CodeColumn":
        """A column over these codes (taken, not copied) and its strings (codes 2, 3, ...);
        the caller has checked every code is below ``len(strings) + 2`` and the strings distinct."""
        col = cls.__new__(cls)
        col.codes = codes
        col.values = [MISSING, None, *strings]
        col.code_of = {v: i for i, v in enumerate(col.values)}
        col._boxed = col._ints = None
        return col

    def __len__(self) -> int:
        return len(self.codes)

    def __getitem__(self, i: Any) -> Any:
        if type(i) is slice:
            return list(map(self.values.__getitem__, self.codes[i]))
        return self.values[self.codes[i]]

    def __setitem__(self, i: int, value: Any) -> None:
        code = self.code_of.get(value)
        if code is None:
            code = self._add(value)
        self.codes[i] = code
        if self._boxed is not None:
            self._boxed[i] = self._ints[code]  # type: ignore[index]  # _ints is set while _boxed is

    def __iter__(self) -> Iterator[Any]:
        return map(self.values.__getitem__, self.codes)

    def __contains__(self, value: Any) -> bool:
        code = self.code_of.get(value)
        return code is not None and code in self.codes

    def _same_as(self, other: "CodeColumn") -> bool:
        return list(self) == list(other)

    def code(self, value: Any) -> int | None:
        """The code of ``value``, None when no row ever held it."""
        return self.code_of.get(value)

    def code_list(self) -> Sequence[int]:
        """The codes as a sequence whose reads box nothing, for bulk readers (distinct, group
        codes): the array itself while codes are bytes (ints up to 256 are CPython's shared
        ones); past 256 codes a list of one shared int object per code, made at the first
        such read and kept current by the writes — 8 bytes a row, like an index, where each
        read of a 2-byte code above 256 makes a new int (a distinct of 2,519 job ids over 55k
        rows: 2.8 ms from the array, 2.1 from a list)."""
        if self.codes.typecode == "B":
            return self.codes
        boxed = self._boxed
        if boxed is None:
            ints = list(range(len(self.values)))
            boxed = list(map(ints.__getitem__, self.codes))
            self._ints, self._boxed = ints, boxed  # (readers racing here build equal lists)
        return boxed

    def _add(self, value: Any) -> int:
        code = len(self.values)
        self.values.append(value)
        self.code_of[value] = code
        if self._ints is not None:
            self._ints.append(code)
        if code >= _limit(self.codes.typecode):
            self._widen()
        return code

    def _widen(self) -> None:
        """The next wider code array once the table outgrows this one (256 codes fit a byte)."""
        self.codes = array(code_typecode(len(self.values)), iter(self.codes))

    def append(self, value: Any) -> None:
        code = self.code_of.get(value)
        if code is None:
            code = self._add(value)
        self.codes.append(code)
        if self._boxed is not None:
            self._boxed.append(self._ints[code])  # type: ignore[index]  # _ints is set while _boxed is

    def extend(self, values: Iterable[Any]) -> None:
        if type(values) is StagedCodes:
            self._extend_staged(values)
            return
        if not isinstance(values, (list, tuple)):
            values = list(values)  # read twice below
        code_of = self.code_of
        new = set(values).difference(code_of)
        if new:
            for v in dict.fromkeys(values):  # first appearance order (see the class doc)
                if v in new:
                    self._add(v)
        start = len(self.codes)
        self.codes.extend(map(code_of.__getitem__, values))
        if self._boxed is not None:
            self._boxed.extend(map(self._ints.__getitem__, self.codes[start:]))  # type: ignore[index]  # _ints is set while _boxed is

    def _extend_staged(self, staged: "StagedCodes") -> None:
        """Rows given as codes staged against this column (``CodeStage``): the stage's new
        values enter the table first, with the codes the stage gave them, then the codes
        are appended in C (converted only when the table widened past the batch's width)."""
        stage = staged.stage
        assert stage.column is self and len(self.values) >= stage.base, "staged against another table"
        for value in stage.new[len(self.values) - stage.base :]:
            self._add(value)
        codes = staged.codes
        if codes.typecode != self.codes.typecode:
            codes = array(self.codes.typecode, codes)
        start = len(self.codes)
        self.codes.extend(codes)
        if self._boxed is not None:
            self._boxed.extend(map(self._ints.__getitem__, self.codes[start:]))  # type: ignore[index]  # _ints is set while _boxed is

    def value_mask(self, wanted: Iterable[int]) -> bytes | None:
        """For a 1-byte code array: a 0/1 byte per row, 1 where the code is among ``wanted``
        (one ``translate``); None when codes are wider."""
        if self.codes.typecode != "B":
            return None
        table = bytearray(256)
        for c in wanted:
            table[c] = 1
        return self.codes.tobytes().translate(table)


class CodeStage:
    """The codes a load gives one ``CodeColumn``'s values before any of them enters its table.

    A load is all or nothing: its batches are all validated before a row is
    appended, so a value first seen in it must not join the table yet — but
    its rows can already get their codes, the ones the table would give
    (``base`` onwards, in order of first appearance, as ``CodeColumn.extend``
    numbers them).  The batches then carry codes (``StagedCodes``), written in
    C, instead of a list of strings hashed again at the append (1M workload
    records: the eight code columns' appends cost ~0.9 s from lists).  Valid
    while the column is not written to otherwise (the store's write lock)."""

    __slots__ = ("column", "base", "new", "code_of")

    def __init__(self, column: CodeColumn) -> None:
        self.column = column
        self.base = len(column.values)
        #: the values the load adds, in code order (codes ``base`` onwards)
        self.new: list[Any] = []
        self.code_of: dict[Any, int] = {}

    def code(self, value: Any) -> int:
        """``value``'s code: the table's, or the one it gets when the load is appended."""
        code = self.column.code_of.get(value)
        if code is None:
            code = self.code_of.get(value)
            if code is None:
                code = self.code_of[value] = self.base + len(self.new)
                self.new.append(value)
        return code

    def typecode(self) -> str:
        """The code width that holds every code given so far (the table's once appended)."""
        return code_typecode(self.base + len(self.new))


class StagedCodes:
    """A batch of rows of one code column as codes given by a ``CodeStage`` (what
    ``CodeColumn.extend`` takes instead of values)."""

    __slots__ = ("codes", "stage")

    def __init__(self, codes: array, stage: CodeStage) -> None:
        self.codes = codes
        self.stage = stage

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self) -> Iterator[Any]:
        """The values the rows hold (for checks and tests; the append reads the codes)."""
        stage = self.stage
        table = stage.column.values[: stage.base] + stage.new
        return map(table.__getitem__, self.codes)

    @classmethod
    def joined(cls, parts: "list[StagedCodes]") -> "StagedCodes":
        """One batch of several of the same stage, in order, in the widest width among them
        (widths only grow along a load, so it is the last one's)."""
        typecode = parts[-1].codes.typecode
        codes = array(typecode)
        for part in parts:
            codes.extend(part.codes if part.codes.typecode == typecode else array(typecode, part.codes))
        return cls(codes, parts[0].stage)


def _limit(typecode: str) -> int:
    return next(limit for t, limit in _CODE_TYPECODES if t == typecode)


def new_column(name: str, values: Iterable[Any] = ()) -> list | TimeColumn | CodeColumn:
    """An empty (or filled) column for field ``name``, in its kind's representation."""
    if FIELDS[name].kind in ARRAY_KINDS:
        return TimeColumn(values)
    if name in CODED:
        return CodeColumn(values)
    return list(values)


def take(col: Sequence[Any], pick: itemgetter) -> tuple:
    """``col``'s values at the rows of ``pick`` (``itemgetter`` of more than one row) at C speed,
    whatever the column's representation; one ``pick`` serves every column of a page."""
    if type(col) is CodeColumn:
        return tuple(map(col.values.__getitem__, pick(col.codes)))
    if type(col) is TimeColumn:
        got = pick(col.raw)
        return got if not col.absent else tuple(map(_DECODE.get, got, got))
    return pick(col)
