"""``distinct``: the distinct values of one field path over the matching rows.

As MongoDB's ``distinct``: a path reaches into arrays of documents
(``errors.error_code``), array values contribute their elements, missing
values contribute nothing and null is a value.  spaceone-core sorts the list
when Python can (all values of one comparable type); when it cannot, MongoDB
leaves the order unspecified and the engine uses BSON order.
"""

from __future__ import annotations

from ..paths import distinct_leaves
from ..schema import DATETIME, ERRORS, FIELDS, INDEXED
from ..values import MISSING, bson_key, freeze, ms_to_dt
from ..columns import CODE_MISSING, CodeColumn
from ..selection import Selection
from .frames import ColumnFrame, as_lists, object_id

__all__ = ["distinct_values"]


def distinct_values(frame: ColumnFrame, path: str) -> list:
    """The distinct values at ``path`` over a ColumnFrame of stored rows."""
    parts = tuple(path.split("."))
    top = parts[0]
    field = FIELDS.get(top)
    if field is None:
        if top == "_id" and len(parts) == 1:
            return sorted(object_id(r) for r in frame.rows)
        return []
    if len(parts) == 1 and field.kind != ERRORS:
        uniq = _indexed_values(frame, top)
        if uniq is None:
            uniq = _values_beside_key(frame, top)
        if uniq is None:
            uniq = _stored_values(frame, top)
        if field.kind == DATETIME:
            uniq = [ms_to_dt(v) for v in uniq]
        return _sorted(uniq)
    if field.kind != ERRORS:
        return []
    col = frame.column(top)
    rest = parts[1:]
    seen: dict = {}
    for errs in as_lists(col):
        values = distinct_leaves(errs, rest) if rest else [errs]
        for v in values:
            items = v if type(v) is list else (v,)
            for x in items:
                if x is MISSING:
                    continue
                k = freeze(x)
                if k not in seen:
                    seen[k] = x
    return _sorted(list(seen.values()))


def _stored_values(frame: ColumnFrame, name: str) -> list:
    """The distinct stored values of a field over the frame (a code column: its codes read over
    the rows, decoded once per distinct code)."""
    col = frame.table.columns[name]
    if type(col) is CodeColumn and name not in frame.overrides:
        values = col.values
        return [values[c] for c in set(frame.reader()(col.code_list())) if c != CODE_MISSING]  # sorted below
    return [v for v in dict.fromkeys(frame.column(name)) if v is not MISSING]


def _indexed_values(frame: ColumnFrame, name: str) -> list | None:
    """The distinct values of an indexed field straight from its index, when the frame is every live row."""
    table = frame.table
    if name not in INDEXED or frame.overrides or len(frame) != len(table):
        return None
    return [v for v in table.posted_values(name) if v is not MISSING]


#: The field whose one value a frame's rows are checked to be exactly (``_values_beside_key``):
#: every request names its domain, so a distinct filtered by nothing else has those rows.
_KEY_FIELD = "domain_id"


def _values_beside_key(frame: ColumnFrame, name: str) -> list | None:
    """The distinct values of a code column straight from the table's pair counts
    (``Table.codes_beside``), when the frame's rows are exactly the live rows holding one
    value of ``_KEY_FIELD``; None otherwise.

    The check costs the frame's first row (a ``find`` in its 0/1 mask), the value's posting
    size and one comparison of two masks (often the very same bytes: the filter's selection
    is the posting's); the answer then costs the distinct codes, not the rows (1M rows, a
    550k-row domain, 13.7k job ids: ~1 ms against 15-18 ms through the codes of the rows).
    """
    table = frame.table
    sel = frame.sel
    if name == _KEY_FIELD or frame.overrides or type(sel) is not Selection or not len(frame):
        return None
    col = table.columns[name]
    if type(col) is not CodeColumn:
        return None
    key_col = table.columns[_KEY_FIELD]
    first = sel.mask().find(1) if sel.is_dense else sel.members()[0] if sel.ordered else min(sel.members())
    key_value = key_col[first]
    if key_value is MISSING or table.value_count(_KEY_FIELD, [key_value]) != len(frame):
        return None
    held = table.value_selection(_KEY_FIELD, [key_value])
    if sel.is_dense != held.is_dense:
        return None
    if sel.is_dense:
        if sel.mask() != held.mask():
            return None
    elif sorted(sel.members()) != list(held.rows()):
        return None
    codes = table.codes_beside(name, _KEY_FIELD, key_value)
    if codes is None:
        return None
    if CODE_MISSING in codes:
        codes.remove(CODE_MISSING)
    return list(map(col.values.__getitem__, codes))  # sorted below


def _sorted(values: list) -> list:
    kinds = set(map(type, values))
    if kinds <= {int, float} or len(kinds) == 1 and kinds.pop() not in (dict, list, type(None)):
        try:
            return sorted(values)
        except TypeError:
            pass
    return sorted(values, key=bson_key)
