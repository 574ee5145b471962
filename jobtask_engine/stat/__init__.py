"""``stat``: the StatisticsQuery engine (aggregate pipelines, distinct, paging).

The request layer calls :func:`parse_statistics_query` (validation, before
the store is touched) and then :func:`execute_stat` with the matching row ids.
"""

from .execute import execute_stat
from .parse import Page, StatPlan, parse_statistics_query

__all__ = ["parse_statistics_query", "execute_stat", "StatPlan", "Page"]
