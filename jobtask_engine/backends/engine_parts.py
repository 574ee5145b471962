"""The in-memory engine's parts the SQL backends reuse, imported in one place.

The backends compile what the engine's parser produced and hand the SQL
engines' answers back to the engine's own response shaping and post-group
stages, so that both executors share one meaning.  Several of these names are
module-private in the core; keeping every import here makes a change of the
core's layout a one-file change for the backends.
"""

from __future__ import annotations

from ..query.shape import _project_element as project_element  # noqa: F401
from ..query.shape import _sub_projection as sub_projection  # noqa: F401
from ..records import errors_out  # noqa: F401
from ..stat.dates import _DAY_SPECS, _TIME_SPECS  # noqa: F401
from ..stat.distinct import _sorted as distinct_order  # noqa: F401
from ..schema import MISSING  # noqa: F401
from ..stat.execute import StatOutcome, run_pipeline, shape_stat  # noqa: F401
from ..stat.frames import DocFrame, Frame  # noqa: F401
from ..stat.group import finish_groups  # noqa: F401
from ..stat.parse import StatPlan
from ..timeutil import ms_to_iso  # noqa: F401
from ..values import ms_to_dt  # noqa: F401

#: specifier function -> its letter (a parsed DateFormat holds the functions)
SPEC_OF = {fn: letter for letter, fn in (*_DAY_SPECS.items(), *_TIME_SPECS.items())}


def stat_response(plan: StatPlan, frame: Frame | None = None, values: list | None = None, total: int = 0) -> dict:
    """The stat response for a pipeline's final frame (or distinct's values), as the engine shapes it."""
    return shape_stat(StatOutcome(frame, values, total), plan)
