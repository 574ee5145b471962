"""Request values reach SQL only as literals sqlglot quotes: nothing a caller writes becomes SQL.

Strings with quotes, backslashes, newlines, comment markers and LIKE
wildcards are stored and then asked for by ``eq`` and ``contain``; every side
must find exactly the stored records.  The generated SQL parses back to a
tree whose literals are the values (no statement was smuggled in).
"""

from __future__ import annotations

import sqlglot
from hypothesis import given, settings, strategies as st
from sqlglot import exp

from jobtask_engine.backends.dialects import DUCKDB, SPARK

from .conftest import Sides, check
from .test_refusals import CompileOnly

NASTY = ["it's", "back\\slash", "\\'", "two\nlines", "tab\there", "50%_off", "--comment", "/* c */", "x'; DROP TABLE jobtasks; --",
         "$1", "?", ":name", "{braces}", "semi;colon", '"double"', "`tick`", "\\\\", "'; SELECT 1; '", "trailing\\"]


def records():
    return [{"job_task_id": f"id-{i}", "domain_id": "d1", "job_id": text, "created_at": f"2024-01-01T00:00:{i:02d}Z",
             "errors": [{"error_code": text, "message": "m"}]} for i, text in enumerate(NASTY)]


def test_nasty_strings_on_every_side(spark):
    with Sides(records(), spark) as sides:
        for text in NASTY:
            for op in ("eq", "contain", "not"):
                check(sides, "list", {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": text, "o": op}]}})
            check(sides, "list", {"domain_id": "d1", "query": {"filter": [{"k": "errors.error_code", "v": text, "o": "eq"}]}})
        check(sides, "stat", {"domain_id": "d1", "query": {"distinct": "job_id"}})


@settings(max_examples=25, deadline=None)
@given(text=st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12))
def test_strings_round_trip_duckdb(text):
    with Sides(records() + [{"job_task_id": "z", "domain_id": "d1", "job_id": text}]) as sides:
        check(sides, "list", {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": text, "o": "eq"}]}})
        check(sides, "list", {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": text, "o": "contain"}]}})


@given(text=st.text(max_size=20))
def test_values_stay_literals(text):
    params = {"domain_id": "d1", "query": {"filter": [{"k": "job_id", "v": text, "o": "eq"}]}}
    for dialect in (DUCKDB, SPARK):
        statements = CompileOnly(dialect).explain(params, "list").split(";\n")
        for sql in statements:
            trees = sqlglot.parse(sql, read=dialect.sqlglot)
            assert len(trees) == 1 and isinstance(trees[0], exp.Select)
            literals = [lit.this for lit in trees[0].find_all(exp.Literal) if lit.is_string]
            assert text in literals
