"""The ``project`` stage: MongoDB ``$project`` in inclusion mode.

spaceone-core's project spec maps each output name to ``1`` (``only_keys``:
keep that field as it is), to ``"$key"`` (a rename), or to an operator
expression; ``exclude_keys`` adds ``_id: 0``.  As in MongoDB, ``_id`` is kept
unless excluded, kept fields are copied when present, computed fields are
set unless they evaluate to missing, and a dotted output name builds embedded
documents.  A spec that only excludes ``_id`` keeps everything else.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ..paths import kept_path, merge_kept, set_in
from ..values import MISSING
from .expressions import Expr
from .frames import DocFrame, Frame

__all__ = ["INCLUDE", "EXCLUDE", "ProjectStage"]

INCLUDE = "include"
EXCLUDE = "exclude"


class ProjectStage(NamedTuple):
    #: (output name, INCLUDE | EXCLUDE | Expr), in spec order.
    spec: tuple[tuple[str, Any], ...]

    def apply(self, frame: Frame) -> DocFrame:
        spec = dict(self.spec)
        id_item = spec.get("_id", INCLUDE)
        others = [(k, v) for k, v in spec.items() if k != "_id"]
        if not others and id_item == EXCLUDE:
            return DocFrame([{k: v for k, v in d.items() if k != "_id"} for d in frame.docs()])
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


def _set_computed(out: list[dict], parts: tuple[str, ...], values: list) -> None:
    if len(parts) == 1:  # the common case, without a call per document
        name = parts[0]
        for doc, v in zip(out, values):
            if v is not MISSING:
                doc[name] = v
        return
    for doc, v in zip(out, values):
        if v is not MISSING:
            set_in(doc, parts, v)
