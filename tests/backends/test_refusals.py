"""Every listed refusal: a request an engine cannot answer exactly is refused by name, never answered differently.

Each case is compiled for both dialects (compiling needs no engine: the
refusal comes before any SQL runs) and the error must be
``ERROR_NOT_SUPPORTED`` naming the operator and the engine, and listed in
``REFUSALS``.  The in-memory engine answers every one of these requests.
"""

from __future__ import annotations

import pytest

from jobtask_engine import JobTaskStore
from jobtask_engine.backends.dialects import DUCKDB, SPARK
from jobtask_engine.backends.refusals import NOT_SUPPORTED, REFUSALS, is_listed
from jobtask_engine.backends.runner import SqlRunner
from jobtask_engine.errors import EngineError


class CompileOnly(SqlRunner):
    """A runner that compiles but never runs (explain only)."""

    def __init__(self, dialect) -> None:
        self.dialect = dialect
        self.table = "jobtasks"


def L(*conditions, **query):
    return {"domain_id": "d1", "query": {"filter": [dict(zip("kvo", c)) for c in conditions], **query}}


def S(*stages, **query):
    return {"domain_id": "d1", "query": {"aggregate": list(stages), **query}}


GROUP_COUNT = {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"operator": "count", "name": "n"}]}}

CASES = [
    ("match", "list", L(("errors", {"error_code": "E"}, "match"))),
    ("errors.additional", "list", L(("errors.additional.x", 1, "eq"))),
    ("errors.additional", "list", L(("errors.additional", {}, "eq"))),
    ("errors.additional", "list", L(("errors.additional.s", "^s", "regex"))),
    ("errors whole-element value", "list", L(("errors", [{"error_code": "E", "additional": {"x": 1}}], "in"))),
    ("regex", "list", L(("job_id", "\\d+", "regex"))),
    ("regex", "list", L(("job_id", "a(?=b)", "regex"))),
    ("regex", "list", L(("job_id", "é", "regex"))),
    ("regex", "list", L(("job_id", "a$b", "regex"))),
    ("regex", "list", L(("job_id", "[a[b]]", "regex"))),
    ("regex", "list", L(("job_id", ["ok", "a*+"], "regex_in"))),
    ("contain", "list", L(("job_id", "é", "contain"))),
    ("sort", "list", L(sort=[{"key": "errors.error_code"}])),
    ("sort", "list", L(sort=[{"key": "errors", "desc": True}])),
    ("aggregate.unwind", "stat", S({"unwind": {"path": "status"}}, GROUP_COUNT)),
    ("aggregate.match", "stat", S({"unwind": {"path": "errors", "filter": [{"k": "errors.error_code", "v": "E", "o": "contain"}]}},
                                  GROUP_COUNT)),
    ("aggregate.match", "stat", S({"match": {"filter": [{"k": "errors.error_code", "v": "E", "o": "eq"}]}}, GROUP_COUNT)),
    ("aggregate (stored documents)", "stat", S({"sort": [{"key": "created_at"}]}, {"limit": 2})),
    ("aggregate.match", "stat", S({"match": {"filter": [{"k": "status", "v": "SUC", "o": "contain"}]}}, GROUP_COUNT)),
    ("aggregate.group.keys", "stat", S({"group": {"keys": [{"key": "errors.error_code", "name": "c"}],
                                                  "fields": [{"operator": "count", "name": "n"}]}})),
    ("aggregate.group.keys", "stat", S({"group": {"keys": [{"key": "secret_id", "name": "y", "date_format": "year"}],
                                                  "fields": [{"operator": "count", "name": "n"}]}})),
    ("aggregate.group.keys.date_format", "stat", S({"group": {"keys": [{"key": "created_at", "name": "w",
                                                                        "date_format": "%G-W%V"}],
                                                              "fields": [{"operator": "count", "name": "n"}]}})),
    ("aggregate.group.fields", "stat", S({"group": {"keys": [{"key": "status", "name": "s"}],
                                                    "fields": [{"operator": "merge_objects", "key": "secret_id", "name": "m"}]}})),
    ("aggregate.group.fields", "stat", S({"unwind": {"path": "errors"}},
                                         {"group": {"keys": [{"key": "status", "name": "s"}],
                                                    "fields": [{"operator": "push", "key": "errors.error_code", "name": "c"}]}})),
    ("aggregate.group.fields", "stat", S({"group": {"fields": [
        {"operator": "count", "name": "n", "conditions": [{"key": "status", "value": "SUCCESS", "operator": "eq"}]}]}})),
    ("distinct", "stat", {"domain_id": "d1", "query": {"distinct": "errors"}}),
    ("distinct", "stat", {"domain_id": "d1", "query": {"distinct": "errors.additional"}}),
]


@pytest.fixture(scope="module")
def store():
    return JobTaskStore([
        {"job_task_id": "a", "domain_id": "d1", "job_id": "j", "status": "FAILURE",
         "errors": [{"error_code": "E", "message": "m", "additional": {"x": 1, "s": "str"}}],
         "created_at": "2024-01-01T00:00:00Z"},
        {"job_task_id": "b", "domain_id": "d1", "job_id": "k", "created_at": "2024-01-02T00:00:00Z"},
    ])


@pytest.mark.parametrize("dialect", [DUCKDB, SPARK], ids=["duckdb", "spark"])
@pytest.mark.parametrize("operator, method, params", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_refused_by_name(store, dialect, operator, method, params):
    getattr(store, method)(params)  # the in-memory engine answers it
    with pytest.raises(EngineError) as caught:
        CompileOnly(dialect).explain(params, method)
    error = caught.value
    assert error.code == NOT_SUPPORTED
    assert error.details["operator"] == operator
    assert f"operator = {operator}" in error.message and f"engine = {dialect.engine}" in error.message
    assert is_listed(error)


def test_every_listed_refusal_is_exercised():
    exercised = {c[0] for c in CASES}
    assert {r.operator for r in REFUSALS} == exercised


def test_is_listed_rejects_other_errors():
    assert not is_listed(EngineError(NOT_SUPPORTED, "x", operator="nonsense", engine="duckdb"))
    assert not is_listed(EngineError("ERROR_DB_QUERY", "x"))


def test_readme_lists_every_refusal():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("### What the SQL engines refuse"):]
    for r in REFUSALS:
        assert f"| `{r.operator}` |" in section, r.operator
