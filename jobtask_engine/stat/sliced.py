"""The ``group`` strategy over bit-sliced columns: counts, sums, averages, max and min by bit planes.

It fits one plain key on a stored string field with few values (a code column
of 1-byte codes), fields that are plain counts or ``sum``/``average``/``max``/
``min`` of stored integer fields, over a frame of stored rows (no unwound
values) that is a dense selection or every row of the table.  The rows ``S``
are one packed bitmap (``Table.packed_rows``), each key value's rows the AND
of ``S`` with its code's planes, and each group's count, sum and extremes are
counted off the field's planes (``Table.bit_slices``; ``storage/bitsliced.py``)
— no column is read over the rows.  Sums are exact (Python ints) and leave
int64 as doubles by ``accumulators.fit_int64``; an average is the sum over the
count as a float, as the other strategies compute it.  When some row of ``S``
holds a value that is not a plain int, the stage takes the other strategies.

Why here and not postings: at 1M rows (one domain's 55 %, the workload's q6:
status, 5 groups of count, sum and average of ``updated_count``) the postings
strategy read ``updated_count`` over each group's rows with ``compress`` over
every row id, 37-44 ms; bitmaps cost one AND and one popcount (~0.1 ms) per
group and plane, 12 planes x 5 groups: 4.5 ms against 33 ms by postings in the
same process (median of 9; at 100k rows 0.7 ms against 3.1).  A listed selection (under 1/32 of the
rows, ``DENSE_FRACTION``) is left to postings, whose work follows its rows,
where bitmaps cost the table's size whatever the rows.

When the planes are built — rent or build: a build costs about one or two answers of
the strategy it replaces (at 1M rows ~40-60 ms for ``updated_count`` and
``status`` against q6's 37-44 ms by postings), so while the planes a group needs
are not built (or too many rows were written since for them to catch up), the
group is answered by the next strategy and what that costs, estimated from
the sizes (``COMPRESS_ROW`` per row id, group and field read), is put towards
the build (``Table.bit_slices_due``, from the table's size); the group that
brings the rent paid to the build's cost builds.  The first q6 after a load
so costs what it cost before, the second builds (the classic rent-or-buy
rule: never more than twice the better choice made knowing the future).  After
writes the planes catch up with the rows written (~0.2 ms a plane at 1M rows,
~4 ms for q6's after one update) while those are under 1/``CATCH_UP_SHARE`` of
the rows, always cheaper than an answer by postings.

Its work is charged per byte of bitmap ANDed and counted (``PLANE_BYTE``), at
the two points where it is known: once the structures stand (finding the
groups: a bitmap per key value), once the groups are found (their planes).
The rent ledger holds an int per shape of group asked (key field and integer
fields read), dropped when its planes are built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from ..columns import CodeColumn
from ..schema import FIELDS, INT
from ..storage import Table
from ..storage.bitsliced import BitSlices
from ..storage.derived import Kind
from ..thresholds import SLICED_GROUPS
from .accumulators import fit_int64
from .budget import charge
from .expressions import PathExpr
from .fast import reduced_int_field
from .frames import ColumnFrame, Frame

if TYPE_CHECKING:
    from .group import GroupField, GroupKey

__all__ = ["sliced_group", "SLICED_SERVE", "PLANE_BYTE", "COMPRESS_ROW"]

#: The operators this strategy serves; any other makes the group take the next strategy.
SLICED_SERVE = frozenset({"count", "sum", "average", "max", "min"})

#: Work units (~ns) per byte of a packed bitmap ANDed with a plane and counted: one plane of
#: 1M rows (125 kB) ANDed in ~7 µs and counted in ~95 µs (``int.bit_count``), 0.8 ns a byte.
PLANE_BYTE = 1
#: Work units (~ns) the postings strategy spends per row id, group and integer field read:
#: each group's field read with ``compress`` over the selection's 0/1 vector (~6 ns a row,
#: ``thresholds.FEW_GROUPS``' measure); q6 at 1M rows, 5 groups x 1 field: 30 ms estimated,
#: 37-44 ms measured.
COMPRESS_ROW = 6

#: the fields a group reads -> the rent paid towards their planes' build (a ledger, read and
#: written in place under the table's build lock; no version, no budget: an int per shape)
_RENT: Kind[tuple[str, ...], int] = Kind("rent towards bit slices")


def _build_now(table: Table, fields: tuple[str, ...], groups: int, reads: int) -> bool:
    """Whether the planes of ``fields`` are to be built (or are current) now, rent or build:
    False puts this group's estimated cost by the next strategy towards their build."""
    due = sum(table.bit_slices_due(f) for f in fields)
    if not due:
        return True
    rent = table.capacity * COMPRESS_ROW * groups * max(1, reads)
    with table.build_lock:
        ledger = _RENT[table]
        paid = ledger.get(fields, 0) + rent
        if paid < due:
            ledger[fields] = paid
            return False
        ledger.pop(fields, None)
        return True


def sliced_group(frame: Frame, keys: Sequence[GroupKey], fields: Sequence[GroupField]) -> tuple[list[tuple], list[list]] | None:
    """(each group's key values, each field's value per group), or None when the shape does
    not fit (the caller orders the groups and builds the output)."""
    if type(frame) is not ColumnFrame or frame.overrides or len(keys) != 1 or frame.sel is None:
        return None
    expr = keys[0].expr
    if type(expr) is not PathExpr or len(expr.parts) != 1:
        return None
    table = frame.table
    col = table.columns.get(expr.path)
    if type(col) is not CodeColumn or col.codes.typecode != "B" or len(col.values) > SLICED_GROUPS:
        return None
    sources = [reduced_int_field(f, SLICED_SERVE) for f in fields]
    if None in sources:
        return None
    if not frame.sel.is_dense and table.packed_rows(frame.sel) is None:
        return None  # a listed selection of some rows
    reads = [src for src in dict.fromkeys(sources) if src]
    values = col.values
    if not _build_now(table, (expr.path, *reads), max(1, len(values) - 2), len(reads)):
        return None
    rows = table.packed_rows(frame.sel)
    if rows is None:
        return None
    key_slices = table.bit_slices(expr.path)
    got_slices = {src: table.bit_slices(src) for src in reads}
    field_slices: dict[str, BitSlices] = {src: s for src, s in got_slices.items() if s is not None}
    if key_slices is None or len(field_slices) < len(got_slices) or any(rows & s.bad for s in field_slices.values()):
        return None
    nbytes = (table.capacity + 7) >> 3
    charge(len(values) * nbytes * PLANE_BYTE, f"{len(values)} key values x a bitmap of {nbytes} bytes")
    groups = []
    capacity = table.capacity
    for code, value in enumerate(values):
        g = rows & key_slices.equal(code, capacity)
        if g:
            groups.append(((value,), g))
    planes = 1 + sum(s.live_planes() for s in field_slices.values())
    charge(len(groups) * planes * nbytes * PLANE_BYTE, f"{len(groups)} groups x {planes} planes of {nbytes} bytes")
    counts = [g.bit_count() for _, g in groups]
    sums: dict[str, list[int]] = {}
    results: list[list] = []
    for f, src in zip(fields, sources):
        if not src:
            results.append(counts)
            continue
        sliced = field_slices[src]
        if f.operator in ("sum", "average"):
            got = sums.get(src)
            if got is None:
                got = sums[src] = [sliced.total(g) for _, g in groups]
            if f.operator == "sum":
                results.append([fit_int64(s) for s in got])
            else:
                results.append([s / float(n) for s, n in zip(got, counts)])
        else:
            largest = f.operator == "max"
            results.append([sliced.extreme(g, largest) for _, g in groups])
    return [k for k, _ in groups], results
