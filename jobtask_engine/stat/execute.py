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

from time import perf_counter
from typing import Any, Callable, NamedTuple, Sequence

from ..collector import collector_paused
from ..selection import Selection
from ..storage import Table
from ..schema import FIELD_NAMES
from .budget import RESULT_DOC_VALUE, RESULT_VALUE, WorkBudget, open_budget, reserve_answer
from .distinct import distinct_values
from .frames import ColumnFrame, FieldsFrame, Frame, GroupFrame
from .group import UNWOUND_COUNTS, GroupStage
from .parse import Page, StatPlan
from .shape import plain, shape_frame
from .project import ProjectStage
from .stages import CountStage, LimitStage, SkipStage, SortStage, UnwindStage
from .work import stage_work

__all__ = ["execute_stat", "run_stat", "shape_stat", "run_pipeline", "StatOutcome", "stage_name"]

Trace = list[dict[str, Any]]


class StatOutcome(NamedTuple):
    """What a stat plan produced, before shaping: the pipeline's final frame (or distinct's
    values) and the number of results before the page was cut."""

    frame: Frame | None
    values: list | None
    total: int


def execute_stat(table: Table, rows: Selection | Sequence[int], plan: StatPlan) -> dict:
    """The stat response: ``{"results": [...]}`` plus ``total_count`` when paged.

    ``rows`` is a sequence of ascending row ids, or the filter's selection
    (``rows()``/``mask()``/``count()``/``is_dense``), which is cheaper to read.
    The pipeline's documents hold no reference cycles: the cyclic collector is paused
    meanwhile (``collector.py``).
    """
    with collector_paused():
        return shape_stat(run_stat(table, rows, plan), plan)


def run_stat(table: Table, rows: Selection | Sequence[int], plan: StatPlan, trace: Trace | None = None) -> StatOutcome:
    """Run the pipeline (or distinct) over the matching rows (``trace``: record each stage).

    The pipeline's work, and the shaping of the page it answers, are charged to one
    ``max_pipeline_work`` budget (``budget.py``) before each is done.
    """
    if isinstance(rows, Selection):
        stored = ColumnFrame(table, sel=rows)
    else:
        stored = ColumnFrame(table, rows)
    if plan.stages is None:
        assert plan.distinct is not None, "a plan without stages is a distinct"
        values = distinct_values(stored, plan.distinct)
        if trace is not None:
            trace.append({"stage": "distinct", "rows_in": len(stored), "rows_out": len(values)})
        return StatOutcome(None, values, len(values))
    with open_budget() as budget:
        frame, total = run_pipeline(stored, plan.stages, plan.page, trace)
        budget.stage = "the answer"
        budget.answer_rows = _all_of
        charge_shaping(frame, plan.page)
    return StatOutcome(frame, None, total)


def charge_shaping(frame: Frame, page: Page | None) -> None:
    """The answer's documents shaped into plain values, results x their values, before it is
    done (replacing the reservation made when they were counted)."""
    n = len(frame) if page is None else page.rows_of(len(frame))
    unit = RESULT_VALUE
    if n == 0:
        width = 0
    elif type(frame) is ColumnFrame:
        width = 1 + len(FIELD_NAMES) + len(frame.overrides)
    elif type(frame) is GroupFrame:
        width = len(frame.key_names) + len(frame.field_names)
    elif type(frame) is FieldsFrame:
        width = len(frame.names)
    else:
        first = frame.docs()[0]
        width = len(first) + (len(first["_id"]) - 1 if type(first.get("_id")) is dict else 0)
        unit = RESULT_DOC_VALUE
    reserve_answer(n, width, unit)


def _all_of(rows: int) -> int:
    return rows


def _answer_rows(rest: tuple, page: Page | None) -> Callable[[int], int] | None:
    """Documents about to be made -> how many of them the answer can hold after the ``rest`` of
    the pipeline and the page; None when a later stage makes other documents (its own are
    what is answered)."""
    if any(type(stage) in _RESHAPING for stage in rest):
        return None

    def answered(rows: int) -> int:
        for stage in rest:
            if type(stage) is SkipStage:
                rows = max(0, rows - stage.count)
            elif type(stage) is LimitStage:
                rows = min(rows, stage.count)
        if page is not None:
            rows = page.rows_of(rows)
        return rows

    return answered


#: Stages whose output documents are not their input's (a count's one document included).
_RESHAPING = (GroupStage, ProjectStage, CountStage, UnwindStage)


def shape_stat(outcome: StatOutcome, plan: StatPlan) -> dict:
    """The response: the page of results as plain JSON values, ``total_count`` when paged."""
    page = plan.page
    if outcome.values is not None:
        results = [plain(v) for v in outcome.values]
        if page is None:
            return {"results": results}
        return {"results": results[page.start - 1 : page.stop], "total_count": outcome.total}
    frame = outcome.frame
    assert frame is not None, "an outcome without values has a frame"
    if page is None:
        return {"results": shape_frame(frame)}
    frame = frame.slice(page.start - 1, page.stop)
    return {"results": shape_frame(frame), "total_count": outcome.total}


def stage_name(stage: Any) -> str:
    """A stage's name in the request (``GroupStage`` -> ``group``)."""
    return type(stage).__name__.removesuffix("Stage").lower()


def run_pipeline(frame: Frame, stages: tuple, page: Page | None, trace: Trace | None = None) -> tuple[Frame, int]:
    """Apply the stages in order: (final frame, number of documents the pipeline produced).

    A sort only orders the documents that a following skip/limit (or the page) can return.
    With ``trace``, each stage's name, strategy, rows in and out and time are recorded.
    """
    with open_budget() as budget:
        return _run_stages(frame, stages, page, trace, budget)


def _run_stages(frame: Frame, stages: tuple, page: Page | None, trace: Trace | None,
                budget: WorkBudget) -> tuple[Frame, int]:
    last = len(stages) - 1
    total = None
    i = 0
    budget.answer_rows = _answer_rows(stages, page)
    budget.reserve_answer(len(frame), 1 + len(FIELD_NAMES), RESULT_VALUE)  # the stored rows themselves
    while i <= last:
        stage = stages[i]
        strategy, name = None, stage_name(stage)
        rows_in, spent = len(frame), budget.spent
        budget.stage = f"{i + 1} ({name})"
        budget.answer_rows = _answer_rows(stages[i + 1 :], page)
        budget.charge(*stage_work(stage, rows_in))
        if type(stage) is ProjectStage:
            budget.reserve_answer(rows_in, stage.output_width(), RESULT_VALUE if stage.columnar() else RESULT_DOC_VALUE)
        if trace is not None:
            started = perf_counter()
        if type(stage) is SortStage:
            if i == last:
                total = len(frame)
            keep = _kept_after(stages[i + 1 :], page if i == last else None)
            frame = stage.apply(frame, keep=keep)
            strategy = "full sort" if keep is None else f"sort, first {keep} kept"
        elif type(stage) is UnwindStage and i < last and type(stages[i + 1]) is GroupStage:
            budget.answer_rows = _answer_rows(stages[i + 2 :], page)
            grouped = stages[i + 1].run_after_unwind(frame, stage.path)
            if grouped is not None:
                frame, name, strategy = grouped, "unwind + group", UNWOUND_COUNTS
                i += 1  # the group stage is done too
            else:
                budget.answer_rows = _answer_rows(stages[i + 1 :], page)
                frame = stage.apply(frame)
        elif type(stage) is GroupStage:
            frame, strategy = stage.run(frame)
        else:
            frame = stage.apply(frame)
        if trace is not None:
            entry = {"stage": name, "rows_in": rows_in, "rows_out": len(frame),
                     "ms": round((perf_counter() - started) * 1000, 3), "work": budget.spent - spent}
            if strategy is not None:
                entry["strategy"] = strategy
            trace.append(entry)
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
        return page.stop
    return None
