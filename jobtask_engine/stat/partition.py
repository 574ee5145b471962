"""Partitioning a frame by group key: which documents form each group.

A ``Partition`` lists, per group, its key values, its size, and either a
sub-frame of row ids or a way to split any frame-aligned column by group.
Several strategies, cheapest first, none of which builds a dict per record:

- **postings**: a single plain key on an equality-indexed stored field with
  few distinct values, over stored rows in insertion order — the table's
  posting lists (ascending row ids) are the groups, cut down to the frame's
  rows when the frame is not all live rows (big lists by AND-ing 0/1
  vectors, small ones by lookup in the rows' mask);
- **codes**: evaluate the key column(s); ``Counter`` finds the groups (in
  first-seen order) and their sizes in C.  A field's column is split by group
  with one C pass per group (``bytes.translate`` of the group codes +
  ``compress``) when there are few groups, else through per-group position
  lists built in one Python pass.

Date keys (``date_format``) are grouped on a cheap pre-key — the day number
of the stored epoch milliseconds, computed in C by ``timeutil.day_numbers`` — and
formatted once per distinct day; days formatting alike (``%Y-%m``) are then
merged.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, Sequence

from ..columns import CodeColumn
from ..schema import INDEXED
from ..selection import Selection
from ..storage import DensePosting, Table
from ..thresholds import BYTE_CODES, DENSE_FRACTION, FEW_GROUPS, POSTED_GROUPS
from ..timeutil import MS_PER_DAY, day_numbers
from ..values import MISSING, freeze
from .expressions import DatePart, DateToString, PathExpr
from .frames import ColumnFrame, Frame

if TYPE_CHECKING:
    from .expressions import Expr
    from .frames import Values

__all__ = ["Partition", "partition"]



class Partition:
    """Groups of a frame: key value tuples, sizes, and a way to split a column by group.

    ``subframes`` (postings strategy): one ColumnFrame of row ids per group.
    Otherwise ``split(col)`` gives each group's values of a frame-aligned
    column, in document order.
    """

    __slots__ = ("keys", "sizes", "split", "subframes")

    def __init__(self, keys: list[tuple], sizes: list[int], split: Callable[[Values], list] | None = None,
                 subframes: list | None = None) -> None:
        self.keys = keys
        self.sizes = sizes
        self.split = split
        self.subframes = subframes


def partition(frame: Frame, key_exprs: Sequence[Expr]) -> Partition:
    if not key_exprs:
        return Partition([()], [len(frame)], _whole)
    posted = _postings(frame, key_exprs)
    if posted is not None:
        return posted
    return _by_codes(frame, key_exprs)


# -- postings ------------------------------------------------------------------------

def _postings(frame: Frame, key_exprs: Sequence[Expr]) -> Partition | None:
    if len(key_exprs) != 1 or type(frame) is not ColumnFrame or frame.overrides or not frame.ascending:
        # Posting lists are in row id order; a sorted frame's groups must keep its order.
        return None
    expr = key_exprs[0]
    if type(expr) is not PathExpr or len(expr.parts) != 1 or expr.path not in INDEXED:
        return None
    table = frame.table
    field = expr.path
    try:
        values = table.posted_values(field)
        if len(values) > POSTED_GROUPS:
            return None
        lists = [(v, table.posting(field, v)) for v in values]
        if len(frame) == len(table):
            # All live rows: each posting list (ascending row ids) is a group as it is.
            groups = [(v, _posted_frame(table, p)) for v, p in lists if p]
        else:
            groups = _cut_postings(frame, field, lists)
    except (AttributeError, KeyError, TypeError):
        return None
    return Partition([(v,) for v, _ in groups], [len(f) for _, f in groups], subframes=[f for _, f in groups])


def _posted_frame(table: Table, posting: Any) -> ColumnFrame:
    if type(posting) is DensePosting:
        return ColumnFrame(table, sel=Selection(table.capacity, mask=posting.vec))
    return ColumnFrame(table, posting)


def _cut_postings(frame: ColumnFrame, field: str, lists: list) -> list:
    """Each posting list restricted to the frame's rows: big ones by AND-ing 0/1 vectors, small ones by lookup."""
    table = frame.table
    capacity = table.capacity
    sel = frame.sel if frame.sel is not None else Selection(capacity, rows=frame.rows)
    get = None
    groups = []
    for v, p in lists:
        if len(p) * DENSE_FRACTION >= capacity:  # the table keeps such postings as 0/1 vectors
            g = table.value_selection(field, [v]) & sel
            sub = ColumnFrame(table, sel=g)
        else:
            if get is None:
                get = sel.mask().__getitem__
            sub = ColumnFrame(table, list(compress(p, map(get, p))))
        if len(sub):
            groups.append((v, sub))
    return groups


# -- codes ---------------------------------------------------------------------------

def _key_column(frame: Frame, expr: Expr) -> tuple[Values, Callable[[Any], Any] | None]:
    """The column to group on, and the function turning a pre-key into the key (None: as is)."""
    if type(expr) is PathExpr and len(expr.parts) == 1 and type(frame) is ColumnFrame and expr.path not in frame.overrides:
        col = frame.table.columns.get(expr.path)
        if type(col) is CodeColumn:
            # A stored string key: grouped on its codes (one to one with the values), decoded
            # once per group; 1-byte codes read over the rows as bytes (no int boxed a row).
            codes = frame.reader()(col.code_list())
            return (bytes(codes) if col.codes.typecode == "B" else list(codes)), col.values.__getitem__
    if isinstance(expr, (DatePart, DateToString)) and type(expr.arg) is PathExpr:
        vals, is_ms = expr.arg.raw(frame)
        if is_ms:
            needs_time = type(expr) is DateToString and expr.fmt.needs_time
            if needs_time:
                return vals, expr.on_ms
            on_ms = expr.on_ms
            return day_numbers(vals), lambda d: on_ms(d if d is None or d is MISSING else d * MS_PER_DAY)
    return expr.column(frame), None


def _by_codes(frame: Frame, key_exprs: Sequence[Expr]) -> Partition:
    pairs = [_key_column(frame, e) for e in key_exprs]
    cols = [c for c, _ in pairs]
    finals = [f for _, f in pairs]
    single = len(cols) == 1
    keyed: Values = cols[0] if single else list(zip(*cols))
    try:
        counts = Counter(keyed)  # distinct keys in first-seen order, with their sizes
        frozen = _has_bool(counts, not single)
    except TypeError:
        frozen = True
    originals: list[tuple] | None = None
    if frozen:
        keyed = [freeze(k) for k in keyed] if single else [tuple(map(freeze, k)) for k in keyed]
        counts = Counter(keyed)
        where: dict = {}
        for i, k in enumerate(keyed):
            if k not in where:
                where[k] = i
        originals = [tuple(c[where[k]] for c in cols) for k in counts]
    first = list(counts)
    sizes = list(counts.values())
    if originals is None:
        originals = [(k,) for k in first] if single else first
    code_of = {k: i for i, k in enumerate(first)}
    groups = [[g] for g in range(len(first))]
    if any(f is not None for f in finals):
        originals, groups = _finalize(originals, finals)
        sizes = [sum(sizes[g] for g in gs) for gs in groups]
    return Partition(originals, sizes, _splitter(keyed, code_of, groups))


def _finalize(keys: list[tuple], finals: list) -> tuple[list[tuple], list[list[int]]]:
    """Pre-keys to keys: (keys, the pre-key groups making up each key's group)."""
    final = [tuple(v if f is None else f(v) for v, f in zip(k, finals)) for k in keys]
    index: dict = {}
    for g, k in enumerate(final):
        index.setdefault(freeze(k) if _unhashable(k) else k, []).append(g)
    groups = list(index.values())
    return [final[gs[0]] for gs in groups], groups


def _whole(col: Values) -> list:
    return [col]


def _splitter(keyed: Values, code_of: dict, groups: list[list[int]]) -> Callable[[Values], list]:
    """A function splitting a frame-aligned column into the groups' values (computed codes cached)."""
    if len(groups) == 1:
        return _whole
    state: dict[str, Any] = {}

    if len(code_of) <= BYTE_CODES and len(groups) <= FEW_GROUPS:
        def selections() -> list[bytes]:
            sels = state.get("sels")
            if sels is None:
                codes = bytes(map(code_of.__getitem__, keyed))
                sels = state["sels"] = [codes.translate(_table(gs)) for gs in groups]
            return sels

        def split_few(col: Values) -> list:
            return [list(compress(col, sel)) for sel in selections()]

        return split_few

    def members() -> list[list[int]]:
        got = state.get("members")
        if got is None:
            of_group = [0] * len(code_of)
            for i, gs in enumerate(groups):
                for g in gs:
                    of_group[g] = i
            got = state["members"] = _members(keyed, {k: of_group[c] for k, c in code_of.items()}, len(groups))
        return got

    def split_many(col: Values) -> list:
        out = []
        for m in members():
            if len(m) == 1:
                out.append([col[m[0]]])
            else:
                out.append(itemgetter(*m)(col))
        return out

    return split_many


def _table(codes: list[int]) -> bytes:
    """A ``bytes.translate`` table mapping the given codes to 1 and every other byte to 0."""
    table = bytearray(256)
    for c in codes:
        table[c] = 1
    return bytes(table)


def _unhashable(k: tuple) -> bool:
    try:
        hash(k)
        return False
    except TypeError:
        return True


def _has_bool(keys: dict, tuples: bool) -> bool:
    """True/1 and False/0 hash alike; MongoDB keeps booleans apart from numbers."""
    if tuples:
        return any(type(v) is bool for k in keys for v in k)
    return any(type(k) is bool for k in keys)


def _members(keyed: Values, code_of: dict, n_groups: int) -> list[list[int]]:
    """Ascending positions of each group's documents: one Python pass over integer codes."""
    members: list[list[int]] = [[] for _ in range(n_groups)]
    appenders = [m.append for m in members]
    for i, g in enumerate(map(code_of.__getitem__, keyed)):
        appenders[g](i)
    return members
