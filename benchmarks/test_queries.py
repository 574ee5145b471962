"""The nine workload queries, each checked against the pure-Python oracle."""

from __future__ import annotations

import pytest

from benchmarks.answers import summarize
from benchmarks.workload import QUERIES


@pytest.mark.parametrize("query", QUERIES, ids=[q.name for q in QUERIES])
def test_query(benchmark, store, expected, query):
    benchmark.group = f"query {query.name}"
    benchmark.extra_info["title"] = query.title
    method = getattr(store, query.method)
    result = benchmark(method, query.params)
    assert summarize(query.name, result) == expected(query.name)
