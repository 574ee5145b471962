"""``match`` on ``errors`` with MongoDB operator documents, engine vs the executed reference.

mongoengine hands an operator document (``{"message": {"$regex": "^A"}}``)
to the database inside ``$elemMatch``; the engine reads it with MongoDB's
query operators.  Generated requests (``testing.strategies``' operator
documents, which avoid KD20) must be answered identically; the cases of
KD20, where mongomock answers what MongoDB refuses, are pinned on both sides.
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, strategies as st

from jobtask_engine.testing.strategies import match_operator_document, path_values

from .conftest import load_both, outcome
from .test_list_differential import DOMAINS, compare_drawn_requests


@st.composite
def _requests(draw, records: list[dict]) -> dict:
    codes = tuple(v for v in path_values(records, "errors.error_code") if isinstance(v, str)) or ("E",)
    messages = tuple(v for v in path_values(records, "errors.message") if isinstance(v, str)) or ("m",)
    value = match_operator_document(draw, codes, messages)
    return {"domain_id": draw(st.sampled_from(DOMAINS)), "query": {"filter": [{"k": "errors", "v": value, "o": "match"}]}}


@given(data=st.data())
def test_operator_documents_match_the_reference(data) -> None:
    compare_drawn_requests(data, _requests)


RECORDS = [
    {"job_task_id": "a", "domain_id": "d", "created_at": "2022-01-01T00:00:00Z",
     "errors": [{"error_code": "E1", "message": "Access denied"}]},
]
#: KD20: MongoDB refuses these operator documents; mongomock matches nothing.
KD20 = [
    {"error_code": {"$foo": 1}},
    {"error_code": {"$in": "E1"}},
    {"message": {"$options": "i"}},
]


@pytest.mark.parametrize("value", KD20)
def test_kd20_what_mongodb_refuses_is_refused(value) -> None:
    reference, store = load_both(RECORDS)
    params = {"domain_id": "d", "query": {"filter": [{"k": "errors", "v": value, "o": "match"}]}}
    answered = outcome(lambda: reference.list(copy.deepcopy(params)))
    assert answered.error is None and answered.value["total_count"] == 0  # mongomock's side
    assert outcome(lambda: store.list(copy.deepcopy(params))).error == "ERROR_DB_QUERY"


def test_kd20_all_with_null_matches_a_missing_field_as_mongodb_does() -> None:
    """``$all`` is an AND of equalities, and ``{message: null}`` matches an element without one."""
    records = [{**RECORDS[0], "errors": [{"error_code": "E1"}]}]
    reference, store = load_both(records)
    params = {"domain_id": "d", "query": {"filter": [{"k": "errors", "v": {"message": {"$all": [None]}}, "o": "match"}]}}
    assert outcome(lambda: reference.list(copy.deepcopy(params))).value["total_count"] == 0  # mongomock's side
    assert store.list(copy.deepcopy(params))["total_count"] == 1
    same = {"domain_id": "d", "query": {"filter": [{"k": "errors", "v": {"message": None}, "o": "match"}]}}
    assert store.list(same)["total_count"] == 1
