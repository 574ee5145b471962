"""The hand corpora of the conformance suite (every operator, option, stage and error) on DuckDB and Spark.

The corpora were written to reach every case on purpose; here each request
goes to the in-memory engine, the DuckDB runner and the Spark runner over the
same records, and the SQL engines must answer as the engine does or refuse
with a listed refusal.
"""

from __future__ import annotations

import copy

import pytest

from jobtask_engine.testing.stat_strategies import sample_records
from tests.conformance.test_list_corpus import CORPUS as LIST_CORPUS
from tests.conformance.test_list_corpus import RECORDS as LIST_RECORDS
from tests.conformance.test_stat_corpus import CASES as STAT_CASES

from .conftest import Sides, check

STAT_PARAMS = {name: {"domain_id": "d1", "query": copy.deepcopy(query)} for name, query, _ in STAT_CASES}


@pytest.fixture(scope="module")
def list_sides(spark):
    with Sides(LIST_RECORDS, spark) as sides:
        yield sides


@pytest.fixture(scope="module")
def stat_sides(spark):
    with Sides(sample_records(), spark) as sides:
        yield sides


@pytest.mark.parametrize("name", list(LIST_CORPUS))
def test_list_corpus(list_sides, name):
    check(list_sides, "list", LIST_CORPUS[name])


@pytest.mark.parametrize("name", list(STAT_PARAMS))
def test_stat_corpus(stat_sides, name):
    check(stat_sides, "stat", STAT_PARAMS[name])
