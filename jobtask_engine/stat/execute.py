"""Running a stat plan over the matching rows and shaping the response.

``rows`` are the ids of the rows the filter matched, ascending (insertion
order, which is MongoDB's natural order).  The pipeline starts on a
``ColumnFrame`` over them; each stage returns the next frame.  With a page,
``total_count`` is the size of the whole result and the page is cut after,
as the reference does (it counts with an extra ``$count`` stage, then runs
the pipeline with ``$skip``/``$limit`` appended).  ``unwind errors`` directly
followed by a count per ``errors.<sub>`` is answered in one step
(``fast.unwind_errors_group``) when it fits.
"""

from __future__ import annotations

from typing import Any

from .distinct import distinct_values
from .frames import ColumnFrame
from .parse import Page, StatPlan
from .shape import plain, shape_rows
from .fast import unwind_errors_group
from .group import GroupStage, finish_groups
from .stages import LimitStage, SkipStage, SortStage, UnwindStage

__all__ = ["execute_stat"]


def execute_stat(table: Any, rows: Any, plan: StatPlan) -> dict:
    """The stat response: ``{"results": [...]}`` plus ``total_count`` when paged.

    ``rows`` is a sequence of ascending row ids, or the filter's selection
    (``rows()``/``mask()``/``count()``/``is_dense``), which is cheaper to read.
    """
    if hasattr(rows, "is_dense"):
        frame: Any = ColumnFrame(table, sel=rows)
    else:
        frame = ColumnFrame(table, rows)
    if plan.stages is None:
        results = distinct_values(frame, plan.distinct)
        return _paged([plain(v) for v in results], plan)
    frame, total = run_pipeline(frame, plan.stages, plan.page)
    page = plan.page
    if page is None:
        return {"results": shape_rows(frame.docs())}
    frame = frame.slice(page.start - 1, page.start - 1 + page.limit)
    return {"results": shape_rows(frame.docs()), "total_count": total}


def _paged(results: list, plan: StatPlan) -> dict:
    page = plan.page
    if page is None:
        return {"results": results}
    start = page.start - 1
    return {"results": results[start : start + page.limit], "total_count": len(results)}


def run_pipeline(frame: Any, stages: tuple, page: Page | None) -> tuple[Any, int]:
    """Apply the stages in order: (final frame, number of documents the pipeline produced).

    A sort only orders the documents that a following skip/limit (or the page) can return.
    """
    last = len(stages) - 1
    total = None
    i = 0
    while i <= last:
        stage = stages[i]
        if type(stage) is SortStage:
            if i == last:
                total = len(frame)
            frame = stage.apply(frame, keep=_kept_after(stages[i + 1 :], page if i == last else None))
        elif type(stage) is UnwindStage and i < last and type(stages[i + 1]) is GroupStage:
            group = stages[i + 1]
            docs = unwind_errors_group(frame, stage.path, group.keys, group.fields) if len(frame) else None
            if docs is not None:
                frame = finish_groups(docs)
                i += 1  # the group stage is done too
            else:
                frame = stage.apply(frame)
        else:
            frame = stage.apply(frame)
        i += 1
    return frame, len(frame) if total is None else total


def _kept_after(rest: tuple, page: Page | None) -> int | None:
    """How many leading documents the next skip/limit stages (or the page) can ever return."""
    skipped = 0
    for stage in rest:
        if type(stage) is SkipStage:
            skipped += stage.count
        elif type(stage) is LimitStage:
            return skipped + stage.count
        else:
            return None
    if page is not None and not rest:
        return page.start - 1 + page.limit
    return None
