"""The reshaping-free stages: ``unwind``, ``count``, ``sort``, ``skip``, ``limit``.

Each stage is a small immutable object with ``apply(frame) -> frame``.  On a
``ColumnFrame`` they stay columnar: ``sort``/``skip``/``limit`` pick row ids,
``unwind`` of a top-level field repeats row ids and keeps the unwound values
beside them.
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING, Any, Collection, Iterable, NamedTuple, Sequence

from ..limits import check_rows
from ..schema import DATETIME, FIELD_NAMES, FIELDS, INT, STR
from ..paths import doc_get, embedded_values, query_leaves, set_path
from ..values import MISSING, NULL_KEY, R_DATE, leaves_sort_key, sort_key
from .budget import RESULT_VALUE, SORT_COMPUTED, SORT_ELEMENT, SORT_PLAIN, UNWOUND_ROW, charge, reserve_answer
from .frames import ColumnFrame, DocFrame, Frame, GroupFrame

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["UnwindStage", "CountStage", "SortStage", "SkipStage", "LimitStage"]


class UnwindStage(NamedTuple):
    """``$unwind``: one document per array element; null, missing and ``[]`` drop the document."""

    path: str

    def apply(self, frame: Frame) -> ColumnFrame | DocFrame:
        parts = tuple(self.path.split("."))
        if type(frame) is ColumnFrame and len(parts) == 1:
            return _unwind_columns(frame, parts[0])
        return DocFrame(_unwind_docs(frame.docs(), parts))


def _unwind_columns(frame: ColumnFrame, name: str) -> ColumnFrame:
    positions: list[int] = []
    unwound: list[Any] = []
    has_arrays = False
    if name == "errors" and name not in frame.overrides:
        # Every stored value is an array (a list, or the store's empty tuple), most of them
        # empty: visit only the others.
        values: Any = frame.column(name)
        candidates: Any = compress(range(len(values)), map(len, values))
        _check_unwound(sum(map(len, values)))
    else:
        values, _ = frame.raw((name,))
        candidates = range(len(values))
        _check_unwound(_unwound_count(values))
    for i in candidates:
        v = values[i]
        if type(v) is list or type(v) is tuple:
            if v:
                has_arrays = True
                positions.extend([i] * len(v))
                unwound.extend(v)
        elif v is not None and v is not MISSING:
            positions.append(i)
            unwound.append(v)
    out = frame.take(positions)
    if has_arrays:
        out.overrides[name] = unwound
    return out


def _unwind_docs(docs: list[dict], parts: tuple[str, ...]) -> list[dict]:
    values = [doc_get(doc, parts) for doc in docs]
    _check_unwound(_unwound_count(values, _DOC_ARRAYS))
    out: list[dict] = []
    for doc, v in zip(docs, values):
        if type(v) is list:
            out.extend(set_path(doc, parts, e) for e in v)
        elif v is not None and v is not MISSING:
            out.append(doc)
    return out


def _check_unwound(count: int) -> None:
    """The rows an unwind is about to make, against ``max_pipeline_rows`` and the work budget."""
    check_rows(count, "aggregate.unwind")
    charge(count * UNWOUND_ROW, f"{count} rows unwound")
    reserve_answer(count, 2 + len(FIELD_NAMES), RESULT_VALUE)


def _unwound_count(values: Sequence, arrays: frozenset = frozenset((list, tuple))) -> int:
    """The rows an unwind of these values makes (``arrays``: the types it unwinds), counted
    before any is made.

    So an unwind past ``max_pipeline_rows`` is refused at the cost of one pass over its
    input: a second unwind of two pushed 100k-id arrays used to make 1M documents (0.5 s)
    before its running count reached the limit.
    """
    return sum(len(v) if type(v) in arrays else v is not None and v is not MISSING for v in values)


#: A pipeline document's arrays are lists (a stored column also holds the empty tuple).
_DOC_ARRAYS = frozenset((list,))


class CountStage(NamedTuple):
    """``$count``: one document ``{name: n}``; no document at all when there is no input."""

    name: str

    def apply(self, frame: Frame) -> DocFrame:
        n = len(frame)
        return DocFrame([{self.name: n}] if n else [])


class SkipStage(NamedTuple):
    count: int  # type: ignore[assignment]  # the field is named as the request's; it shadows tuple.count

    def apply(self, frame: Frame) -> Frame:
        return frame.slice(self.count, None)


class LimitStage(NamedTuple):
    count: int  # type: ignore[assignment]  # the field is named as the request's; it shadows tuple.count

    def apply(self, frame: Frame) -> Frame:
        return frame.slice(0, self.count)


# -- sort ----------------------------------------------------------------------------

class SortStage(NamedTuple):
    """``$sort`` on one or more paths; ties keep their input order."""

    keys: tuple[tuple[str, bool], ...]

    def apply(self, frame: Frame, keep: int | None = None) -> Frame:
        """Sort; with ``keep``, only the first ``keep`` documents are needed (a later limit).

        A full sort of positions by a key column: timsort in C beats a Python top-k
        (heapq) by far, and stored rows often arrive nearly sorted (by time).
        """
        n = len(frame)
        if n < 2:
            return frame
        charge(n * len(self.keys) * SORT_PLAIN, f"{n} rows x {len(self.keys)} sort keys")
        order = list(range(n))
        for path, desc in reversed(self.keys):
            keys = _sort_column(frame, tuple(path.split(".")), desc)
            order.sort(key=keys.__getitem__, reverse=desc)
        if keep is not None:
            del order[keep:]
        return frame.take(order, ordered=False)


def _sort_column(frame: Frame, parts: tuple[str, ...], desc: bool) -> Values:
    if len(parts) == 1:
        values, is_ms = frame.raw(parts)
        if _plainly_ordered(frame, parts[0], values):
            return values
        if is_ms:
            return [NULL_KEY if v is None or v is MISSING else (R_DATE, v) for v in values]
        if _one_plain_type(values):
            return values
        _charge_computed(values, parts)
        return [sort_key(v, desc) for v in values]
    if type(frame) is ColumnFrame:
        base = frame.values(parts[:1])
        _charge_computed(base, parts)
        return [leaves_sort_key(query_leaves(v, parts[1:]), desc) for v in base]
    if len(parts) == 2:
        if type(frame) is GroupFrame and parts[0] == "_id":
            embedded: list | None = frame.values(parts)  # a key's column
        else:
            embedded = embedded_values(frame.docs(), parts)  # ``_id.<key>`` after a group
        if embedded is not None:
            if _one_plain_type(embedded):
                return embedded
            _charge_computed(embedded, parts)
            return [sort_key(v, desc) for v in embedded]
    docs = frame.docs()
    _charge_computed(docs, parts)
    return [leaves_sort_key(query_leaves(d, parts), desc) for d in docs]


def _charge_computed(values: Collection[Any], parts: tuple[str, ...]) -> None:
    """A sort key computed per value (arrays, documents, mixed types), charged before it is:
    per row, and per array element two levels deep (a document's value at the path's head)."""
    n = len(values)
    head = parts[0]
    elements = 0
    for v in values:
        if type(v) is dict:
            v = v.get(head)
        if type(v) is list or type(v) is tuple:
            elements += len(v)
            for inner in v:
                if type(inner) is list or type(inner) is tuple:
                    elements += len(inner)
    charge(n * SORT_COMPUTED + elements * SORT_ELEMENT,
           f"{n} rows x a computed sort key on {'.'.join(parts)} ({elements} array elements)")


def _one_plain_type(values: Iterable[Any]) -> bool:
    """All strings, or all numbers (no booleans): raw values then sort in BSON order."""
    types = set(map(type, values))
    return types == _STR or (bool(types) and types <= _NUMBERS)


_STR = {str}
_NUMBERS = {int, float}


def _plainly_ordered(frame: Frame, name: str, values: Collection[Any]) -> bool:
    """A stored int, string or datetime column without null or missing sorts by its raw values."""
    if type(frame) is not ColumnFrame or name in frame.overrides:
        return False
    field = FIELDS.get(name)
    if field is None or field.kind not in (INT, STR, DATETIME):
        return False
    return None not in values and MISSING not in values
