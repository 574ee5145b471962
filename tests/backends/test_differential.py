"""Differential tests: generated records and requests, the in-memory engine vs DuckDB vs Spark.

Records and requests come from the engine's own strategies
(``jobtask_engine.testing``: ``record_lists``, ``list_requests``,
``stat_requests``), which aim at the edges: null vs missing, padded and mixed
case strings, empty and multi-element ``errors``, cross-type values, regex
metacharacters, paging.  Each example writes the records once (Parquet) and
sends several requests to every side; ``check`` demands the engine's answer
or a listed refusal.  DuckDB sees many examples; Spark (one local session,
seconds per example) fewer, so that its part of the run stays within a
couple of minutes.
"""

from __future__ import annotations

from hypothesis import HealthCheck, event, given, settings, strategies as st

from jobtask_engine.testing.stat_strategies import stat_requests
from jobtask_engine.testing.strategies import list_requests, record_lists

from .conftest import Sides, check

DOMAINS = ("domain-a", "domain-b", "Domain-C")
_SETTINGS = dict(deadline=None, suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large,
                                                       HealthCheck.filter_too_much))


def _domains(data, records) -> tuple[str, ...]:
    present = tuple(sorted({r["domain_id"] for r in records})) or DOMAINS
    return data.draw(st.sampled_from((present, present, DOMAINS)), label="domains")


def _run(data, method: str, spark) -> None:
    records = data.draw(record_lists(DOMAINS), label="records")
    with Sides(records, spark) as sides:
        domains = _domains(data, records)
        for _ in range(data.draw(st.integers(1, 4), label="requests")):
            if method == "list":
                params = data.draw(list_requests(domains, records), label="request")
            else:
                params = data.draw(stat_requests(domains), label="request")
            for engine in check(sides, method, params):
                event(f"refused by {engine}")


@settings(max_examples=120, **_SETTINGS)
@given(data=st.data())
def test_list_duckdb(data) -> None:
    _run(data, "list", None)


@settings(max_examples=120, **_SETTINGS)
@given(data=st.data())
def test_stat_duckdb(data) -> None:
    _run(data, "stat", None)


@settings(max_examples=12, **_SETTINGS)
@given(data=st.data())
def test_list_spark(spark, data) -> None:
    _run(data, "list", spark)


@settings(max_examples=12, **_SETTINGS)
@given(data=st.data())
def test_stat_spark(spark, data) -> None:
    _run(data, "stat", spark)


