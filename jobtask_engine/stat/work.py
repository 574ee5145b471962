"""What a stat stage will cost before it runs, from the rows entering it (``budget.py``'s units).

The charges a stage can only make part-way (a group's documents once its groups are
found, a sort key once its column is read, an unwind's rows once counted) are made by
the stage itself; this is the part known from the stage and its input size alone.
"""

from __future__ import annotations

from typing import Any

from .budget import FAST_ROW_TERM, MATCH_TERM
from .group import GroupStage
from .match import MatchStage
from .project import ProjectStage

__all__ = ["stage_work"]


def stage_work(stage: Any, rows: int) -> tuple[int, str]:
    """(units, what they are) of ``stage`` over ``rows`` input rows, before it runs.

    A group is charged here at the rate of its cheapest strategy (``FAST_ROW_TERM`` per
    key and field); the general strategy charges the rest when it is chosen.
    """
    kind = type(stage)
    if kind is MatchStage:
        n = len(stage.conditions)
        return rows * n * MATCH_TERM, f"{rows} rows x {n} conditions"
    if kind is ProjectStage:
        return rows * stage.row_work(), f"{rows} rows x {len(stage.spec)} fields"
    if kind is GroupStage:
        terms = stage.terms()
        return rows * terms * FAST_ROW_TERM, f"{rows} rows x {terms} keys and fields"
    return 0, ""
