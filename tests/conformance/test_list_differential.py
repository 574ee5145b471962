"""Differential test: random records and random ``list`` requests, engine vs executed reference.

Each example loads the same generated records into a fresh ReferenceService and
a fresh JobTaskStore, then sends several generated requests to both.  Answers
must be identical — results, their order, their projected shape and
total_count — and a request the reference refuses must be refused by the
engine with the same error code.

The only requests not compared are the documented known differences
(KNOWN_DIFFERENCES.md), recognised by the detectors below; each detector is
as narrow as the difference it names, so nothing else escapes comparison.
KD2 changes only the order of rows, so there the rows themselves (and the
total) are still compared.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any, Callable

from hypothesis import event, given, strategies as st
from mongoengine import DateTimeField
from mongomock.filtering import bson_compare, iter_key_candidates
from sentinels import NOTHING

from jobtask_engine.testing.strategies import FIELD_KIND, list_requests, record_lists

from .reference import JobTask

from .conftest import Outcome, assert_same, load_both, outcome, strict

DOMAINS = ("domain-a", "domain-b", "Domain-C")

#: Known differences the engine resolves the MongoDB way (see KNOWN_DIFFERENCES.md); drop an id if the engine copies mongomock.
KNOWN_DIFFERENCE_IDS = frozenset({"KD1", "KD2", "KD3", "KD4", "KD12", "KD16", "KD17"})


# --------------------------------------------------------------------------- request anatomy
def request_conditions(params: dict) -> list[tuple[str, Any, str]]:
    """(key, value, operator) of every filter / filter_or condition, read the way MongoModel reads them."""
    query = params.get("query") or {}
    out = []
    for cond in list(query.get("filter") or []) + list(query.get("filter_or") or []):
        if isinstance(cond, dict):
            out.append((cond.get("key", cond.get("k")), cond.get("value", cond.get("v")), cond.get("operator", cond.get("o"))))
    return out


def request_sort_items(params: dict) -> list[dict]:
    sort = (params.get("query") or {}).get("sort")
    if isinstance(sort, dict):
        return list(sort["keys"]) if "keys" in sort else [sort]
    return list(sort or [])


def candidates(doc: dict, key: str) -> list:
    """What mongomock sees at ``key`` in a stored document (NOTHING for an absent leaf)."""
    return list(iter_key_candidates(key, doc))


def _is_errors_path(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("errors.")


# --------------------------------------------------------------------------- detectors
def _prepared_is_null(key: str, value: Any, operator: str) -> bool:
    """Does the reference compare against null here? (datetime fields turn unreadable values into null)."""
    if operator in ("datetime_lte", "datetime_gte"):
        return not isinstance(value, str)
    if operator not in ("lte", "gte") or isinstance(value, list):
        return False
    if value is None:
        return True
    if FIELD_KIND.get(key) == "datetime":
        try:
            return DateTimeField().to_mongo(value) is None
        except Exception:
            return False
    return False


def kd1_null_range_on_missing(params: dict, docs: list[dict]) -> bool:
    """KD1: {$lte/$gte: null} — MongoDB also matches missing (and absent-in-array) values, mongomock does not."""
    for key, value, operator in request_conditions(params):
        if isinstance(key, str) and key and _prepared_is_null(key, value, operator):
            if any(NOTHING in candidates(d, key) or not candidates(d, key) for d in docs):
                return True
    return False


def _extreme(values: list, desc: bool) -> Any:
    best = values[0]
    for v in values[1:]:
        if bson_compare(lambda a, b: a > b, v, best) if desc else bson_compare(lambda a, b: a < b, v, best):
            best = v
    return best


def _doc_sort_values(doc: dict, key: str) -> list | None:
    """The values MongoDB sorts a document by at ``key`` (None: a nested array is involved)."""
    if key == "errors":
        return list(doc.get("errors") or [])
    values = []
    for cand in candidates(doc, key):
        if isinstance(cand, list):
            return None
        values.append(None if cand is NOTHING else cand)
    return values


def kd2_array_sort(params: dict, docs: list[dict]) -> bool:
    """KD2: sorting by an array path — MongoDB sorts by the min (asc) / max (desc) element and puts an
    empty array before null; mongomock takes the first element and treats a path through [] as null."""
    for item in request_sort_items(params):
        key = item.get("key") if isinstance(item, dict) else None
        if not (key == "errors" or _is_errors_path(key)):
            continue
        desc = bool(item.get("desc", False))
        firsts = []
        for doc in docs:
            values = _doc_sort_values(doc, key)
            if values is None:
                return True
            if len(values) >= 2:
                first, best = values[0], _extreme(values, desc)
                if type(first) is not type(best) or bson_compare(lambda a, b: a != b, first, best):
                    return True
            firsts.append(values[0] if values else NOTHING)
        if key != "errors" and NOTHING in firsts and None in firsts:
            return True
    return False


def kd3_exists_false_on_array(params: dict, docs: list[dict]) -> bool:
    """KD3: {errors.x: {$exists: false}} — mongomock: any element lacks x; MongoDB: no element has x."""
    for key, value, operator in request_conditions(params):
        if operator == "exists" and value is False and _is_errors_path(key):
            for doc in docs:
                found = candidates(doc, key)
                if NOTHING in found and any(c is not NOTHING for c in found):
                    return True
    return False


def kd4_not_regex_without_candidates(params: dict, docs: list[dict]) -> bool:
    """KD4: {errors.x: {$not: regex}} on a record with no candidates (errors []) — MongoDB matches, mongomock does not."""
    for key, value, operator in request_conditions(params):
        if operator in ("not_contain", "not_contain_in") and _is_errors_path(key):
            if any(not candidates(d, key) for d in docs):
                return True
    return False


def _fails_lazily(key: Any, value: Any, operator: Any) -> bool:
    """Conditions mongomock only rejects when it evaluates them on a document (pattern compile, $not value)."""
    if operator in ("regex", "regex_in"):
        patterns = value if operator == "regex_in" and isinstance(value, list) else [value]
        for pattern in patterns:
            if not isinstance(pattern, str):
                return True
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error:
                return True
    if operator in ("not_contain", "not_contain_in"):
        kind = FIELD_KIND.get(key)
        if kind in ("int", "datetime"):
            return True  # {$not: <int or date>}
        values = value if operator == "not_contain_in" and isinstance(value, list) else [value]
        if kind == "errors":
            return any(v is None for v in values)  # {errors: {$not: null}}
        return kind == "any" and any(not isinstance(v, str) for v in values)
    return False


def kd12_lazy_evaluation_error(params: dict, docs: list[dict], expected: Outcome) -> bool:
    """KD12: an invalid pattern (or $not value) the reference never evaluated because no document reached it."""
    return expected.error is None and any(_fails_lazily(*c) for c in request_conditions(params))


def _is_operator_document(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(str(k).startswith("$") for k in value)


def _merged_array_paths(params: dict) -> set[str]:
    """errors.* paths on which mongoengine merged several ANDed conditions into one operator document."""
    query = params.get("query") or {}
    try:
        q = JobTask._make_filter(list(query.get("filter") or []), list(query.get("filter_or") or []), None)
        mongo = JobTask.objects.filter(q)._query if q is not None else {}
    except Exception:
        return set()
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for k, v in node.items():
                if k in ("$and", "$or"):
                    walk(v)
                elif _is_errors_path(k) and _is_operator_document(v) and len(set(v) - {"$options"}) >= 2:
                    found.add(k)

    walk(mongo)
    return found


def kd16_merged_conditions_on_array_path(params: dict, docs: list[dict], expected: Outcome) -> bool:
    """KD16: mongoengine merges ANDed conditions on one errors.* path into one operator document, which mongomock
    evaluates per array element (and as a whole on a record without elements); MongoDB evaluates each operator
    on its own across the elements."""
    if expected.error:
        return False
    return any(len(candidates(d, path)) != 1 for path in _merged_array_paths(params) for d in docs)


def kd17_empty_dict_equality_without_candidates(params: dict, docs: list[dict]) -> bool:
    """KD17: mongomock lets a plain {} search pass on a record with no candidates (errors []); MongoDB does not."""
    for key, value, operator in request_conditions(params):
        values = value if operator == "contain_in" and isinstance(value, list) else [value]
        if operator in ("eq", "contain", "contain_in") and _is_errors_path(key) and {} in values:
            if any(not candidates(d, key) for d in docs):
                return True
    return False


DETECTORS: dict[str, Callable[[dict, list[dict], Outcome], bool]] = {
    "KD1": lambda params, docs, expected: kd1_null_range_on_missing(params, docs),
    "KD2": lambda params, docs, expected: kd2_array_sort(params, docs),
    "KD3": lambda params, docs, expected: kd3_exists_false_on_array(params, docs),
    "KD4": lambda params, docs, expected: kd4_not_regex_without_candidates(params, docs),
    "KD12": kd12_lazy_evaluation_error,
    "KD16": kd16_merged_conditions_on_array_path,
    "KD17": lambda params, docs, expected: kd17_empty_dict_equality_without_candidates(params, docs),
}


def in_scope(params: dict, docs: list[dict]) -> list[dict]:
    """The stored documents the request can see at all (its domain_id, or list of them)."""
    domains = params.get("domain_id")
    wanted = domains if isinstance(domains, list) else [domains]
    return [d for d in docs if d.get("domain_id") in wanted]


def known_difference(params: dict, docs: list[dict], expected: Outcome) -> str | None:
    """The first known difference the request meets; KD2 (order only, the rows still compared)
    last, so that it never hides one that changes which rows match."""
    docs = in_scope(params, docs)
    for name in sorted(KNOWN_DIFFERENCE_IDS, key=lambda n: (n == "KD2", n)):
        if DETECTORS[name](params, docs, expected):
            return name
    return None


# --------------------------------------------------------------------------- the test
def _paged(params: dict) -> bool:
    """Whether the request asks for a part of the matches (a limit, or a start past the first),
    which then depends on the order."""
    page = (params.get("query") or {}).get("page") or {}
    if not isinstance(page, dict):
        return False
    limit, start = page.get("limit"), page.get("start")
    return (isinstance(limit, int) and limit > 0) or (isinstance(start, int) and start > 1)


def _same_ignoring_order(expected: Outcome, actual: Outcome, params: dict) -> None:
    """KD2 changes only the order: the engine must still find the same rows (the same page, when unpaged)."""
    if expected.error or actual.error:
        assert_same(expected, actual, params)
        return
    assert actual.value["total_count"] == expected.value["total_count"], params
    if not _paged(params):
        def key(row: Any) -> str:
            return json.dumps(strict(row), sort_keys=True)

        assert sorted(map(key, actual.value["results"])) == sorted(map(key, expected.value["results"])), params


def compare_list(reference, store, params: dict, docs: list[dict]) -> None:
    expected = outcome(lambda: reference.list(params))
    skipped = known_difference(params, docs, expected)
    if skipped and skipped != "KD2":
        event(f"skipped: {skipped}")
        return
    actual = outcome(lambda: store.list(copy.deepcopy(params)))
    if skipped == "KD2":
        event("order not compared: KD2")
        _same_ignoring_order(expected, actual, params)
        return
    event("reference error: " + expected.error if expected.error else
          "hits" if expected.value["total_count"] else "no hits")
    assert_same(expected, actual, params)


def compare_drawn_requests(data, requests: Callable[[list[dict]], st.SearchStrategy[dict]]) -> None:
    """Generated records, then one to four requests drawn for them, each compared with the reference."""
    records = data.draw(record_lists(DOMAINS), label="records")
    reference, store = load_both(records)
    docs = reference.raw()
    for _ in range(data.draw(st.integers(1, 4), label="requests")):
        compare_list(reference, store, data.draw(requests(records), label="request"), docs)


@given(data=st.data())
def test_list_matches_reference(data) -> None:
    compare_drawn_requests(data, lambda records: list_requests(DOMAINS, records))


@given(records=record_lists(DOMAINS, max_size=8))
def test_list_without_query_matches_reference(records: list[dict]) -> None:
    """The plain listing (default order, full JobTaskInfo shape) of whatever was stored."""
    reference, store = load_both(records)
    for domain in DOMAINS:
        compare_list(reference, store, {"domain_id": domain}, reference.raw())
