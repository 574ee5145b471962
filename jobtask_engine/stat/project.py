"""The ``project`` stage: MongoDB ``$project`` in inclusion mode.

spaceone-core's project spec maps each output name to ``1`` (``only_keys``:
keep that field as it is), to ``"$key"`` (a rename), or to an operator
expression; ``exclude_keys`` adds ``_id: 0``.  As in MongoDB, ``_id`` is kept
unless excluded, kept fields are copied when present, computed fields are
set unless they evaluate to missing, and a dotted output name builds embedded
documents.  A spec that only excludes ``_id`` keeps everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, NamedTuple

from ..paths import kept_path, merge_kept, set_in
from ..schema import FIELD_NAMES
from ..values import MISSING
from .budget import DOC_VALUE, PROJECT_PATH, expr_work
from .expressions import Expr, PathExpr
from .frames import DocFrame, FieldsFrame, Frame

if TYPE_CHECKING:
    from .frames import Values

__all__ = ["INCLUDE", "EXCLUDE", "ProjectStage"]

INCLUDE = "include"
EXCLUDE = "exclude"


class ProjectStage(NamedTuple):
    #: (output name, INCLUDE | EXCLUDE | Expr), in spec order.
    spec: tuple[tuple[str, Any], ...]

    def apply(self, frame: Frame) -> DocFrame | FieldsFrame:
        spec = dict(self.spec)
        id_item = spec.get("_id", INCLUDE)
        others = [(k, v) for k, v in spec.items() if k != "_id"]
        if not others and id_item == EXCLUDE:
            return DocFrame([{k: v for k, v in d.items() if k != "_id"} for d in frame.docs()])
        if self.columnar():
            return _project_columns(frame, id_item, others)
        n = len(frame)
        out: list[dict] = [{} for _ in range(n)]
        if id_item == INCLUDE:
            _copy_field(out, frame, ("_id",))
        elif isinstance(id_item, Expr):
            _set_computed(out, ("_id",), id_item.column(frame))
        included = [tuple(k.split(".")) for k, v in others if v == INCLUDE]
        for parts in included:
            _copy_field(out, frame, parts)
        for name, item in others:
            if isinstance(item, Expr):
                _set_computed(out, tuple(name.split(".")), item.column(frame))
        return DocFrame(out)

    def columnar(self) -> bool:
        """Whether the output is kept as columns (``FieldsFrame``): every output name is a
        top-level one (a dotted name builds embedded documents)."""
        return all("." not in name for name, _ in self.spec if name != "_id")

    def output_width(self) -> int:
        """Fields of each output document (``_id`` is kept unless excluded)."""
        spec = dict(self.spec)
        return sum(item != EXCLUDE for item in spec.values()) + ("_id" not in spec)

    def row_work(self) -> int:
        """The stage's work for one input row (``budget.py``): a column read per kept or renamed
        field, an expression evaluated per computed one, and, when the output is documents,
        a value set per field."""
        if all(name == "_id" for name, _ in self.spec) and dict(self.spec).get("_id") == EXCLUDE:
            return (1 + len(FIELD_NAMES)) * DOC_VALUE  # every document copied without its _id
        work = sum(PROJECT_PATH if _is_path(item) else expr_work(item) if isinstance(item, Expr) else 0
                   for _, item in self.spec)
        return work if self.columnar() else work + len(self.spec) * DOC_VALUE


def _is_path(item: Any) -> bool:
    """An output field read as a column: kept, or renamed from one top-level field."""
    return item == INCLUDE or (type(item) is PathExpr and len(item.parts) == 1)


def _project_columns(frame: Frame, id_item: Any, others: list[tuple[str, Any]]) -> FieldsFrame:
    """Top-level output fields only: each one a column (``FieldsFrame``), in the order the
    documents would hold them (``_id``, the kept fields, the computed ones)."""
    names: list[str] = []
    columns: list[Values] = []
    millis: set[str] = set()
    if id_item == INCLUDE:
        names.append("_id")
        columns.append(frame.values(("_id",)))
    elif isinstance(id_item, Expr):
        names.append("_id")
        columns.append(id_item.column(frame))
    # each output read as a path's values (a tuple of its parts) or evaluated (an Expr)
    kept: list[tuple[str, tuple[str, ...] | Expr]] = [(name, (name,)) for name, item in others if item == INCLUDE]
    computed: list[tuple[str, tuple[str, ...] | Expr]] = [
        (name, item.parts if type(item) is PathExpr and len(item.parts) == 1 else item)
        for name, item in others if isinstance(item, Expr)
    ]
    for name, source in kept + computed:
        names.append(name)
        if isinstance(source, tuple):
            values, is_ms = frame.raw(source)  # a stored datetime stays epoch ms
            columns.append(values)
            if is_ms:
                millis.add(name)
        else:
            columns.append(source.column(frame))
    return FieldsFrame(names, columns, len(frame), frozenset(millis))


def _copy_field(out: list[dict], frame: Frame, parts: tuple[str, ...]) -> None:
    top = parts[0]
    values = frame.values((top,))
    rest = parts[1:]
    for doc, v in zip(out, values):
        if v is MISSING:
            continue
        if rest:
            kept = kept_path(v, rest)
            if kept is MISSING:
                continue
            prev = doc.get(top)
            doc[top] = merge_kept(prev, kept) if prev is not None else kept
        else:
            doc[top] = v


def _set_computed(out: list[dict], parts: tuple[str, ...], values: Iterable[Any]) -> None:
    if len(parts) == 1:  # the common case, without a call per document
        name = parts[0]
        for doc, v in zip(out, values):
            if v is not MISSING:
                doc[name] = v
        return
    for doc, v in zip(out, values):
        if v is not MISSING:
            set_in(doc, parts, v)
